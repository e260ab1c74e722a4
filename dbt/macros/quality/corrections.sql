{#- The data stewards' correction overlay (expectations/README.md, "Stewards").

    Wraps the last model before a standard dataset (a call block around its SQL):

        {% call apply_corrections('ZF10', 'zf10_case') %} select ... {% endcall %}

    For each active correction of steward.correction (dataset, record_key, field), the field's
    value becomes the correction's new value, but only while the source still holds the value the
    steward replaced (old_value, compared in quality.field_text form). When the source has moved
    on, the source's value stands and the correction is reported 'stale'; when the source now
    holds the new value itself, 'at_source'. `_correction_states` ('<correction_id>:applied|stale|
    at_source', one per correction met) is read by int_correction__state; the gate turns it into
    the correction's status ('needs_review' ...).

    Versions: a correction entered or withdrawn moves the record's record_version to that time
    (rounded up to the whole second the hub sees), so the push sends the changed record with a
    version newer than the hub holds; a --full-refresh computes the same. The standard models'
    incremental merge then writes the row because its content or version changed.

    The overlay covers the standard's fields; the local columns (record_key, record_version,
    source_system, date_only_fields, presumed_fields, source_ref) are never corrected; `keep` names
    further columns of the wrapped SQL passed through as they are (the incremental bookkeeping
    _scope and _run_id of the intermediate models). -#}
{% macro apply_corrections(dataset, standard_model, keep=[]) -%}
{%- set local_columns = ['record_key', 'record_version', 'source_system', 'date_only_fields', 'presumed_fields', 'source_ref'] -%}
{%- set corrections = source('steward', 'correction') -%}
{%- if not execute -%}
{{ caller() }}
{%- else -%}
{%- set columns = correction_contract_columns(standard_model) -%}
with uncorrected as (
{{ caller() }}
),

corrections as materialized (
    select record_key,
           jsonb_object_agg(field, jsonb_build_object('id', correction_id, 'old', old_value, 'new', new_value))
               filter (where status = 'active') as fx,
           max(greatest(entered_at, coalesce(closed_at, entered_at))) as changed_at
    from {{ corrections }}
    where dataset = '{{ dataset }}'
    group by record_key
)

select
{%- for col in columns %}
    {%- if col.name == 'record_version' %}
    case when c.changed_at is null then u.record_version
         else greatest(u.record_version, date_trunc('second', c.changed_at)
                       + case when c.changed_at > date_trunc('second', c.changed_at) then interval '1 second'
                              else interval '0 seconds' end)
    end as record_version,
    {%- elif col.name in local_columns %}
    u.{{ col.name }},
    {%- else %}
    case when c.fx ? '{{ col.name }}' and {{ _correction_matches(col, 'old') }}
         then {{ _correction_new_value(col) }}
         else u.{{ col.name }} end as {{ col.name }},
    {%- endif %}
{%- endfor %}
    case when c.fx is null then null else array_remove(array[
    {%- for col in columns if col.name not in local_columns %}
        case when c.fx ? '{{ col.name }}' then (c.fx -> '{{ col.name }}' ->> 'id') || ':' ||
             case when {{ _correction_matches(col, 'old') }} then 'applied'
                  when {{ _correction_matches(col, 'new') }} then 'at_source'
                  else 'stale' end end{% if not loop.last %},{% endif %}
    {%- endfor %}
    ]::text[], null) end as _correction_states
{%- for name in keep %},
    u.{{ name }}
{%- endfor %}
from uncorrected u
left join corrections c on c.record_key = u.record_key
{%- endif -%}
{%- endmacro %}

{#- The source's value of a column, in quality.field_text form, equals the correction's old (or new) value. -#}
{% macro _correction_matches(col, which) -%}
quality.field_text(cast(u.{{ col.name }} as {{ col.data_type }})) is not distinct from (c.fx -> '{{ col.name }}' ->> '{{ which }}')
{%- endmacro %}

{#- The correction's new value (text in quality.field_text form) as the contract's type. -#}
{% macro _correction_new_value(col) -%}
{%- set value = "(c.fx -> '" ~ col.name ~ "' ->> 'new')" -%}
{%- if col.data_type.endswith('[]') -%}
cast(string_to_array({{ value }}, ',') as {{ col.data_type }})
{%- else -%}
cast({{ value }} as {{ col.data_type }})
{%- endif -%}
{%- endmacro %}

{#- The contract columns (name, data_type) of a standard model, from its YAML. -#}
{% macro correction_contract_columns(model_name) %}
  {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
    {{ return(node.columns.values() | list) }}
  {%- endfor -%}
  {{ exceptions.raise_compiler_error("apply_corrections: no standard model " ~ model_name) }}
{% endmacro %}
