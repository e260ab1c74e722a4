{#- The date D every supervision rule is evaluated as of: the `as_of` var (YYYY-MM-DD), or today
    in China Standard Time. A SQL date expression. -#}
{% macro as_of_date() -%}
    {%- set v = var('as_of', none) -%}
    {%- if v -%}
        date '{{ v }}'
    {%- else -%}
        (now() at time zone 'Asia/Shanghai')::date
    {%- endif -%}
{%- endmacro %}
