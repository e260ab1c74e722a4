{#- Identity numbers and credit codes (the standard's rules normalised_credential, resident_id,
    uscc, party_id). tests/dbt/test_check_characters.py compares these with jiandu.standard on
    thousands of generated values. -#}

{#- normalised_credential: NFKC (full-width to half-width), every space removed, upper case;
    NULL when nothing is left. -#}
{% macro normalise_credential(expr) -%}
nullif(upper(regexp_replace(normalize({{ expr }}, NFKC), '\s+', '', 'g')), '')
{%- endmacro %}

{#- GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character (0-9 or X), with a real
    birth date. Takes an already normalised value; NULL and '' are not valid. -#}
{% macro resident_id_valid(expr) -%}
coalesce((select case when v ~ '^[0-9]{17}[0-9X]$' then
        {{ valid_ymd('substr(v, 7, 4)::int', 'substr(v, 11, 2)::int', 'substr(v, 13, 2)::int') }}
        and substr('10X98765432',
                   (select sum(substr(v, i, 1)::int * (array[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[i])
                      from generate_series(1, 17) as i)::int % 11 + 1, 1) = substr(v, 18, 1)
        else false end
   from (select ({{ expr }})::text as v offset 0) value), false)
{%- endmacro %}

{#- GB 32100-2015: 18 characters of the 31-character alphabet 0-9 A-H J-N P-R T U W-Y, the last
    a check character (weights 3^(i-1) mod 31). -#}
{% macro uscc_valid(expr) -%}
coalesce((select case when v ~ '^[0-9A-HJ-NP-RTUW-Y]{18}$' then
        substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
               (31 - (select sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(v, i, 1)) - 1)
                                 * (array[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])[i])
                        from generate_series(1, 17) as i)::int % 31) % 31 + 1, 1) = substr(v, 18, 1)
        else false end
   from (select ({{ expr }})::text as v offset 0) value), false)
{%- endmacro %}

{#- LG has no credential-type column (legacy/README.md): a normalised number passing the
    resident-ID rule is 01, one passing the credit-code rule is 10, anything else 99. A number
    with a wrong check character is therefore 99: it loads as read and is never "corrected". -#}
{% macro infer_credential_type(expr) -%}
case when {{ expr }} is null then null
     when {{ resident_id_valid(expr) }} then '01'
     when {{ uscc_valid(expr) }} then '10'
     else '99' end
{%- endmacro %}

{#- rules.party_id: lowercase hex SHA-256 of the type code followed by the normalised number.
    NULL when either is missing: an unknown party is never merged into one made-up identity. -#}
{% macro party_id(credential_type, credential_no) -%}
case when {{ credential_type }} is not null and {{ credential_no }} is not null
     then encode(sha256(convert_to({{ credential_type }} || {{ credential_no }}, 'UTF8')), 'hex') end
{%- endmacro %}
