{#- The raw layer keeps every version (raw/README in the DDL): the current version of a record
    is its newest row; the record is gone when that row says delete.
    Newest means the highest _raw_id, except for LP: its change feed follows the writing
    transactions' ids, not their commit order, so two changes of one record may arrive newest
    last-but-one; there the highest record_version wins (the service makes it strictly increase).
    Renders a SELECT of the current, live rows of `relation`; with `keys` (a SQL text[] of
    _source_key values) only of those records, found through the (_source_key, _raw_id) index. -#}
{% macro current_rows(relation, key='_source_key', keys=none) -%}
select *
  from (select distinct on ({{ key }}) *
          from {{ relation }}
        {%- if keys %}
         where _source_key = any({{ keys }})
        {%- endif %}
         order by {{ key }},
         {%- if relation.identifier.startswith('lp_') %} _record_version::timestamptz desc nulls last,{% endif %} _raw_id desc) latest
 where _op = 'upsert'
{%- endmacro %}
