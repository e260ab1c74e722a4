{#- The warehouse's schemas (raw, staging, standard, marts, quality, ops) are fixed by the DDL
    and read by other components under those names: a custom schema is used as is, never
    prefixed with the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
