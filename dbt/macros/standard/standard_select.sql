{#- The body of every standard model (models/standard/zf*.sql): the contract's columns of
    `relation`, cast to the contract's types.

    Incremental runs merge only what changed (on record_key, which has a unique index): rows that
    are new, whose content differs from the table's, or whose record_version moved on. The
    comparison is over every column, so the result is exactly what --full-refresh builds, except
    for one thing full refresh cannot know: when content changed but the sources' versions did
    not move (a steward added a mapping to a seed; an officer was renamed in t_ry), the record is
    versioned one second after its previous version, or now if later, because the hub counts an
    unchanged version as stale and would drop the change (rules.record_version). Records that no
    longer exist are removed by the post-hook standard_delete_vanished. -#}
{% macro standard_select(relation, lp_entity=none) %}
{%- set columns = model.columns.values() | list -%}
{%- if execute and columns | length == 0 -%}
  {{ exceptions.raise_compiler_error("standard model " ~ model.name ~ " has no columns in its YAML: the contract lists them") }}
{%- endif -%}
{#- an incremental intermediate model that ran incrementally in this invocation: only the rows it
    wrote now can differ from the table (macros/incremental/scoped.sql) -#}
{%- set lp_scoped = lp_registry_scoped(lp_entity) -%}
{%- set changed_only = not lp_scoped and is_incremental() and int_ran_incrementally(relation) -%}
with source_rows as (
    select
    {%- for col in columns %}
        cast({{ col.name }} as {{ col.data_type }}) as {{ col.name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    {%- if lp_scoped %}
    from ({{ lp_registry_changed_sql(lp_entity) }}) changed
    {%- else %}
    from {{ relation }}
    {%- endif %}
    {%- if changed_only %}
    where _run_id = {{ int_run_id() }}
    {%- endif %}
)
{% if is_incremental() %}
select
{%- for col in columns %}
    {%- if col.name == 'record_version' %}
    case when t.record_key is null or s.record_version > t.record_version then s.record_version
         else greatest(t.record_version + interval '1 second', date_trunc('second', now()))
    end as record_version{% if not loop.last %},{% endif %}
    {%- else %}
    s.{{ col.name }}{% if not loop.last %},{% endif %}
    {%- endif %}
{%- endfor %}
from source_rows s
left join {{ this }} t on t.record_key = s.record_key
where t.record_key is null
   or s.record_version > t.record_version
   or ({% for col in columns if col.name != 'record_version' %}s.{{ col.name }}{% if not loop.last %}, {% endif %}{% endfor %})
      is distinct from
      ({% for col in columns if col.name != 'record_version' %}t.{{ col.name }}{% if not loop.last %}, {% endif %}{% endfor %})
{% else %}
select * from source_rows
{% endif %}
{% endmacro %}

{#- Post-hooks of every standard model. The merge needs a unique index on its key (pitfalls:
    without one an incremental model gains little on PostgreSQL). -#}
{% macro standard_unique_index() %}
create unique index if not exists {{ this.identifier }}__record_key on {{ this }} (record_key)
{% endmacro %}

{#- A record that its sources deleted (or that precedence now leaves out) is deleted here too;
    the hub push sees it missing and sends the deletion. -#}
{% macro standard_delete_vanished(relation, lp_entity=none) %}
{%- if lp_registry_scoped(lp_entity) %}
{#- only a record of a changed LP key can have vanished: its current raw version is a deletion -#}
delete from {{ this }} t
 where t.record_key = any({{ scope_keys('LP:' ~ lp_entity ~ ':') }})
   and not exists (select 1 from ({{ lp_registry_changed_sql(lp_entity) }}) s where s.record_key = t.record_key)
{%- elif is_incremental() and int_ran_incrementally(relation) %}
{#- only what the intermediate model deleted since the last complete run can have vanished -#}
delete from {{ this }} t
 where t.record_key = any(array(select record_key from {{ relation.schema }}.int_change_log
                                 where model = '{{ relation.identifier }}' and record_key is not null))
   and not exists (select 1 from {{ relation }} s where s.record_key = t.record_key)
{%- else %}
delete from {{ this }} t
 where not exists (select 1 from {{ relation }} s where s.record_key = t.record_key)
{%- endif %}
{% endmacro %}

{#- ZF01/02/03/30 come straight from LP's raw rows (no intermediate model). In a run whose
    int_run__scope ran incrementally, the standard model reads only the LP keys it lists as
    changed ('LP:<entity>:<_source_key>', corrections included) instead of the whole registry.
    LP's _source_key is the dataset's key (caseentry.records.record_key), i.e. the record_key. -#}
{% macro lp_registry_scoped(lp_entity) %}
{{ return(lp_entity is not none and is_incremental() and int_ran_incrementally(ref('int_run__scope'))) }}
{% endmacro %}

{% macro lp_registry_changed_sql(lp_entity) %}
{%- set keys = scope_keys('LP:' ~ lp_entity ~ ':') -%}
{%- if lp_entity == 'subject' -%}{{ stg_lp__subject_sql(keys=keys) }}
{%- elif lp_entity == 'officer' -%}{{ stg_lp__officer_sql(keys=keys) }}
{%- elif lp_entity == 'item' -%}{{ stg_lp__item_sql(keys=keys) }}
{%- elif lp_entity == 'publicity' -%}{{ stg_lp__publicity_sql(keys=keys) }}
{%- else -%}{{ exceptions.raise_compiler_error("no LP registry body for " ~ lp_entity) }}
{%- endif -%}
{% endmacro %}
