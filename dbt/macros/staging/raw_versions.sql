{#- The raw layer keeps every version (raw/README in the DDL): the current version of a record
    is its row with the highest _raw_id; the record is gone when that row says delete.
    Renders a SELECT of the current, live rows of `relation`. -#}
{% macro current_rows(relation, key='_source_key') -%}
select *
  from (select distinct on ({{ key }}) *
          from {{ relation }}
         order by {{ key }}, _raw_id desc) latest
 where _op = 'upsert'
{%- endmacro %}
