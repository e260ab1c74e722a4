{#- Views are re-created only when they would come out different (README.md, "Versions and
    incremental runs"). dbt's own view materialization drops and re-creates every view on every
    run, and re-comments every column: most of a routine run's fixed cost once the tables are
    incremental. This one keeps the view when all of these are as the last build left them:

      - what dbt would create: the compiled SQL, the descriptions persisted as comments, the
        contract, grants and SQL header (an md5 of them, `definition_md5`);
      - the view itself: same oid (nobody dropped and re-created it; a `drop ... cascade` of
        something it reads drops it too, and then it is simply missing);
      - the columns of every relation it reads (names and types from the catalogue, through the
        view's dependencies): a `select *` picks up a new raw column only when re-created.

    The state is kept in <target schema>.dbt_view_state. --full-refresh re-creates every view.
    Otherwise the behaviour is dbt's own (it is called for the re-creation), including hooks. -#}
{%- materialization view, adapter='postgres' -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set state_name = 'dbt_view_state' -%}
  {%- set state = api.Relation.create(database=target.database, schema=target.schema, identifier=state_name, type='table') -%}
  {%- set parts = [sql, model.description or '', config.get('persist_docs') | string, config.get('contract') | string,
                    config.get('grants') | string, config.get('sql_header') | string] -%}
  {%- for name, col in model.columns | dictsort -%}
    {%- do parts.append(name ~ ':' ~ (col.data_type or '') ~ ':' ~ (col.description or '')) -%}
  {%- endfor -%}
  {%- set definition = local_md5(parts | join('|#|')) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set state_exists = adapter.get_relation(database=state.database, schema=state.schema, identifier=state_name) is not none -%}

  {%- set unchanged = false -%}
  {%- if existing_relation is not none and existing_relation.type == 'view' and state_exists and not should_full_refresh() -%}
    {%- set check = run_query(view_state_check(state, target_relation, definition)) -%}
    {%- set unchanged = check.rows | length > 0 and check.rows[0][0] -%}
  {%- endif -%}

  {%- if unchanged -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- call statement('main') -%}
      select 'view unchanged: {{ target_relation }}' as status
    {%- endcall -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
  {%- endif -%}

  {%- set result = dbt.materialization_view_default() -%}
  {%- call statement('view_state') -%}
    {{ view_state_record(state, target_relation, definition) }}
  {%- endcall -%}
  {%- do adapter.commit() -%}
  {{ return(result) }}
{%- endmaterialization -%}

{#- md5 of the columns (name and type) of every relation the view's rule reads. -#}
{% macro view_upstream_md5(view_oid) -%}
(select coalesce(md5(string_agg(a.attrelid::regclass::text || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod),
                                ',' order by a.attrelid::regclass::text, a.attnum)), '')
   from pg_attribute a
  where a.attnum > 0 and not a.attisdropped
    and a.attrelid in (select d.refobjid
                         from pg_rewrite r
                         join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
                        where r.ev_class = {{ view_oid }} and d.refclassid = 'pg_class'::regclass
                          and d.refobjid <> {{ view_oid }}))
{%- endmacro %}

{#- One row, true when the view in the database is the one the last build recorded. -#}
{% macro view_state_check(state, relation, definition) -%}
with v as (select c.oid from pg_class c where c.oid = to_regclass('{{ relation }}') and c.relkind = 'v')
select s.definition_md5 = '{{ definition }}' and s.view_oid = v.oid and s.upstream_md5 = {{ view_upstream_md5('v.oid') }}
  from v join {{ state }} s on s.relation = '{{ relation }}'
{%- endmacro %}

{#- After a (re-)creation: record what was built. The advisory lock lets two threads create the
    state table at the same time on a first run. -#}
{% macro view_state_record(state, relation, definition) -%}
select pg_advisory_xact_lock(hashtext('{{ state }}'));
create table if not exists {{ state }} (
    relation       text primary key,
    definition_md5 text not null,
    view_oid       oid not null,
    upstream_md5   text not null,
    built_at       timestamptz not null
);
insert into {{ state }} (relation, definition_md5, view_oid, upstream_md5, built_at)
select '{{ relation }}', '{{ definition }}', v.oid, {{ view_upstream_md5('v.oid') }}, now()
  from (select to_regclass('{{ relation }}')::oid as oid) v
on conflict (relation) do update
   set definition_md5 = excluded.definition_md5, view_oid = excluded.view_oid,
       upstream_md5 = excluded.upstream_md5, built_at = excluded.built_at
{%- endmacro %}
