{#- The standard's `masking` rules as SQL expressions, one macro per rule, so every mart masks
    the same way as jiandu/standard.py (tests/superset/test_masking_macros.py compares them on the
    same inputs). Each takes SQL expressions and returns one; arguments may be evaluated more than
    once, so pass column references, not volatile expressions. NULL and '' pass through unchanged,
    as in the Python helpers. -#}

{#- person_name (张三丰 -> 张**) is macros/cleaning/text.sql's mask_person_name: one definition
    per name in a dbt project, and it is the same rule. -#}

{#- resident_id: first 6 and last 4 kept, '*' between; a value of 10 characters or fewer would
    show entirely, so it becomes all '*'. -#}
{% macro mask_resident_id(expr) -%}
    (case when {{ expr }} is null or {{ expr }} = '' then {{ expr }}
          when char_length({{ expr }}) <= 10 then repeat('*', char_length({{ expr }}))
          else left({{ expr }}, 6) || repeat('*', char_length({{ expr }}) - 10) || right({{ expr }}, 4) end)
{%- endmacro %}

{#- other_credential: every character but the last 4 becomes '*'. -#}
{% macro mask_other_credential(expr) -%}
    (case when {{ expr }} is null or {{ expr }} = '' then {{ expr }}
          else repeat('*', greatest(char_length({{ expr }}) - 4, 0)) || right({{ expr }}, 4) end)
{%- endmacro %}

{#- by_credential_type: 01 (居民身份证) -> resident_id, any other type -> other_credential. -#}
{% macro mask_credential(credential_type, expr) -%}
    (case when {{ credential_type }} = '01' then {{ mask_resident_id(expr) }}
          else {{ mask_other_credential(expr) }} end)
{%- endmacro %}

{#- resident_id_anywhere: an 18-character resident-ID shape inside free text keeps its first 6 and
    last 4 characters. The same pattern as jiandu.standard._RESIDENT_ID_IN_TEXT: PostgreSQL's
    regular expressions have the look-behind it needs (since 9.6), and [0-9] is ASCII only in
    both, so full-width digits are left alone in both. -#}
{% macro mask_resident_ids_in_text(expr) -%}
    regexp_replace({{ expr }},
        '(?<![0-9A-Za-z])([0-9]{6})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])', '\1********\3', 'g')
{%- endmacro %}

{#- A party's name (ZF04.party_name, pii when_natural_person): a natural person's (party_type 1)
    is masked; other parties' names are public, but an ID number inside one is still masked
    (resident_id_anywhere: a 个体工商户 is sometimes registered under its owner's name and ID). -#}
{% macro mask_party_name(party_type, expr) -%}
    (case when {{ party_type }} = '1' then {{ mask_person_name(expr) }}
          else {{ mask_resident_ids_in_text(expr) }} end)
{%- endmacro %}

{#- A party's credential number (ZF04.credential_no, pii when_natural_person, mask
    by_credential_type): a natural person's is masked by its type; any party's resident ID
    (type 01) is masked whatever the party type (resident_id_anywhere); an organisation's
    credit code stays readable. -#}
{% macro mask_party_credential(party_type, credential_type, expr) -%}
    (case when {{ party_type }} = '1' then {{ mask_credential(credential_type, expr) }}
          when {{ credential_type }} = '01' then {{ mask_resident_id(expr) }}
          else {{ mask_resident_ids_in_text(expr) }} end)
{%- endmacro %}
