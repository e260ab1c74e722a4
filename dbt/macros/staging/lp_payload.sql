{#- Typed reads of an LP payload field. The service writes the standard's JSON forms; these reads
    still never raise on a malformed value (one bad record must not stop every view downstream):
    a value of the wrong shape reads as NULL, and the standard layer's tests show it. -#}

{% macro lp_text(field, payload='payload') -%}
nullif(btrim({{ payload }} ->> '{{ field }}'), '')
{%- endmacro %}

{% macro lp_datetime(field, payload='payload') -%}
{{ local_datetime(payload ~ " ->> '" ~ field ~ "'") }}
{%- endmacro %}

{% macro lp_date(field, payload='payload') -%}
{{ local_date(payload ~ " ->> '" ~ field ~ "'") }}
{%- endmacro %}

{% macro lp_decimal(field, payload='payload') -%}
case when btrim({{ payload }} ->> '{{ field }}') ~ '^-?[0-9]{1,16}(\.[0-9]+)?$'
     then round(btrim({{ payload }} ->> '{{ field }}')::numeric, 2) end
{%- endmacro %}

{% macro lp_int(field, payload='payload') -%}
case when btrim({{ payload }} ->> '{{ field }}') ~ '^-?[0-9]{1,9}$' then btrim({{ payload }} ->> '{{ field }}')::int end
{%- endmacro %}

{% macro lp_bool(field, payload='payload') -%}
case when jsonb_typeof({{ payload }} -> '{{ field }}') = 'boolean' then ({{ payload }} ->> '{{ field }}')::boolean end
{%- endmacro %}

{#- a JSON array of strings -> text[] (distinct, in first order: the standard counts list items
    distinct); NULL when absent -#}
{% macro lp_list(field, payload='payload') -%}
case when jsonb_typeof({{ payload }} -> '{{ field }}') = 'array' then
    array(select e.v from jsonb_array_elements_text({{ payload }} -> '{{ field }}') with ordinality as e(v, pos)
           where nullif(btrim(e.v), '') is not null
           group by e.v order by min(e.pos)) end
{%- endmacro %}

{#- record_version: the payload's own, else the version the connector recorded -#}
{% macro lp_record_version(payload='payload') -%}
coalesce({{ version_time(payload ~ " ->> 'record_version'") }}, {{ version_time('_record_version') }})
{%- endmacro %}

{#- LP records datetimes with their time of day; a date-only value would be listed by the service
    in extra.date_only_fields, which is honoured when present. -#}
{% macro lp_date_only_fields(payload='payload') -%}
coalesce(case when jsonb_typeof({{ payload }} -> 'extra' -> 'date_only_fields') = 'array'
              then array(select jsonb_array_elements_text({{ payload }} -> 'extra' -> 'date_only_fields')) end,
         '{}'::text[])
{%- endmacro %}
