{#- Incremental intermediate models (README.md, "Versions and incremental runs").

    A routine run recomputes only the records whose raw rows changed since the last complete run,
    plus what depends on them. int_run__scope, the first model of every run, lists them as scope
    keys ('LG#<case_no_key>', 'EX#<_source_key>', 'LP:<entity>:<_source_key>', 'P#<party_id>',
    ...). Each incremental intermediate row carries `_scope` (the key of the group it is computed
    with) and `_run_id` (the dbt invocation that last wrote it). The strategy below merges the
    recomputed rows and deletes the rows of the same scopes that were not recomputed (gone at the
    source, or left out by precedence); the deleted record keys are logged for the standard models.

    Nothing is lost when a run stops half-way: the scope keys stay pending, and the watermarks stay
    where they were, until a run in which every intermediate and standard model succeeded
    (int_run_complete, on-run-end). Recomputing a scope twice gives the same rows. -#}

{% macro int_run_id() -%}
'{{ invocation_id }}'::text
{%- endmacro %}

{% macro int_scope_relation() -%}
{{ ref('int_run__scope') }}
{%- endmacro %}

{#- The pending scope keys (all of them, with their prefix). -#}
{% macro scope_pending() -%}
array(select key from {{ ref('int_run__scope') }} where kind = 'S')
{%- endmacro %}

{#- The pending scope keys that start with `prefix`, without it (e.g. raw _source_key values). -#}
{% macro scope_keys(prefix) -%}
array(select substr(key, {{ prefix | length + 1 }}) from {{ ref('int_run__scope') }} where kind = 'S' and key like '{{ prefix }}%')
{%- endmacro %}

{#- The cases to recompute in the case-level models: the pending scopes and every candidate whose
    precedence was recomputed in this run (another record of the same real case changed). -#}
{% macro scope_cases() -%}
array(select key from {{ ref('int_run__scope') }} where kind = 'S'
      union select _scope from {{ ref('int_case__precedence') }} where _run_id = {{ int_run_id() }})
{%- endmacro %}

{#- The LP keys of `entity` among scope_cases(). -#}
{% macro scope_cases_lp(entity) -%}
array(select substr(s, {{ ('LP:' ~ entity ~ ':') | length + 1 }}) from unnest({{ scope_cases() }}) s where s like 'LP:{{ entity }}:%')
{%- endmacro %}

{#- The parties to recompute (ZF04): pending ones (LP's changes, parties that changed cases named
    before, corrections) and those the recomputed cases name now. -#}
{% macro scope_parties() -%}
array(select substr(key, 3) from {{ ref('int_run__scope') }} where kind = 'S' and key like 'P#%'
      union select party_id from {{ ref('int_lg__case') }} where _scope = any({{ scope_cases() }}) and party_id is not null
      union select party_id from {{ ref('int_ex__case') }} where _scope = any({{ scope_cases() }}) and party_id is not null)
{%- endmacro %}

{#- The scope array of a model's config `scope`: pending | cases | parties. -#}
{% macro scope_of_model(name) -%}
{%- if name == 'cases' -%}{{ scope_cases() }}
{%- elif name == 'parties' -%}array(select 'P#' || p from unnest({{ scope_parties() }}) p)
{%- else -%}{{ scope_pending() }}
{%- endif -%}
{%- endmacro %}

{#- incremental_strategy='scoped': merge on unique_key, then delete the rows of the recomputed
    scopes that this run did not write, logging their record keys (log_vanished) for the standard
    models' deletions, and mark the model as run incrementally in this invocation. -#}
{% macro get_incremental_scoped_sql(arg_dict) %}
{%- set target = arg_dict['target_relation'] -%}
{%- set log = target.schema ~ '.int_change_log' -%}
{{ get_incremental_merge_sql(arg_dict) }};
with gone as (
    delete from {{ target }} t
     where t._scope = any({{ scope_of_model(config.get('scope', 'pending')) }})
       and t._run_id <> {{ int_run_id() }}
    returning {% if config.get('log_vanished', false) %}t.record_key{% else %}null::text as record_key{% endif %}
)
insert into {{ log }} (model, run_id, record_key)
select '{{ target.identifier }}', {{ int_run_id() }}, record_key from gone where record_key is not null
union all
select '{{ target.identifier }}', {{ int_run_id() }}, null
{% endmacro %}

{#- Post-hook of the incremental intermediate models: the merge key's unique index (pitfalls: an
    incremental model on PostgreSQL needs one), and the indexes the next run's scope lookups use. -#}
{% macro int_indexes(unique_columns, extra=[]) %}
create unique index if not exists {{ this.identifier }}__key on {{ this }} ({{ unique_columns | join(', ') }});
create index if not exists {{ this.identifier }}__scope on {{ this }} (_scope);
create index if not exists {{ this.identifier }}__run on {{ this }} (_run_id);
{%- for columns in extra %}
create index if not exists {{ this.identifier }}__{{ loop.index }} on {{ this }} ({{ columns }});
{%- endfor %}
{% endmacro %}

{#- Whether `relation` (an intermediate model) ran incrementally in this invocation: then the
    standard model reads only its rows of this run and deletes only the logged keys. -#}
{% macro int_ran_incrementally(relation) %}
{%- if not execute -%}{{ return(false) }}{%- endif -%}
{%- set log = adapter.get_relation(database=relation.database, schema=relation.schema, identifier='int_change_log') -%}
{%- if log is none -%}{{ return(false) }}{%- endif -%}
{%- set found = run_query("select 1 from " ~ log ~ " where model = '" ~ relation.identifier ~ "' and run_id = '"
                          ~ invocation_id ~ "' and record_key is null limit 1") -%}
{{ return(found.rows | length > 0) }}
{% endmacro %}

{#- Pre-hook of int_run__scope: when it runs incrementally, say so in the change log, so that the
    models reading raw rows by its scope keys directly (ZF01/02/03/30) know the keys are this
    run's (int_ran_incrementally). Rendered before the build, so is_incremental() is still the
    state the run found. -#}
{% macro int_scope_marker() %}
{%- if is_incremental() -%}
insert into {{ this.schema }}.int_change_log (model, run_id, record_key) values ('{{ this.identifier }}', {{ int_run_id() }}, null)
{%- endif -%}
{% endmacro %}

{#- Post-hook of the intermediate models: ANALYZE after a full build only. The next models' joins
    need real row counts then; an incremental run changes a few rows of tables whose statistics
    stay good, and sampling each table cost seconds per model, a fixed cost of every routine run. -#}
{% macro int_analyze() %}
{%- if not int_ran_incrementally(this) -%}
analyze {{ this }}
{%- endif -%}
{% endmacro %}

{#- on-run-end: when every intermediate and standard model succeeded in this invocation, the run is
    complete: the pending scopes are done, the horizon becomes the watermark, the correction state
    seen becomes the one compared next time, and the deletion log has been applied. -#}
{% macro int_run_complete(results) %}
{%- if execute -%}
{%- set required = [] -%}
{%- set scope_node = [] -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.enabled
        and (node.original_file_path.startswith('models/intermediate/') or node.original_file_path.startswith('models/standard/')) -%}
  {%- do required.append(node.unique_id) -%}
  {%- if node.name == 'int_run__scope' -%}{%- do scope_node.append(node) -%}{%- endif -%}
{%- endfor -%}
{%- set succeeded = [] -%}
{%- for r in results if r.node.resource_type == 'model' and r.status == 'success' -%}
  {%- do succeeded.append(r.node.unique_id) -%}
{%- endfor -%}
{%- set missing = required | reject('in', succeeded) | list -%}
{%- if scope_node and not missing -%}
{%- set scope = scope_node[0].relation_name -%}
begin;
delete from {{ scope }} where kind in ('S', 'I', 'W', 'CW');
update {{ scope }} set kind = 'W' where kind = 'H';
update {{ scope }} set kind = 'CW' where kind = 'CP';
delete from {{ scope_node[0].schema }}.int_change_log;
commit;
{%- endif -%}
{%- endif -%}
{% endmacro %}

{#- int_correction__state reads only the rows a correction met: a partial index finds them. -#}
{% macro int_correction_index() %}
create index if not exists {{ this.identifier }}__corrected on {{ this }} (record_key) where _correction_states is not null
{% endmacro %}
