-- LG steps (t_ajlc) of live LG cases, with the stage code of the case's type (map_lg_hjmc), the
-- handler's certificate resolved by name within the case's unit (as for zfry), and seq numbered
-- in lcid order (steps are only ever appended). sets_field says which standard field the step's
-- time feeds (legal_review_at, notified_at, inspected_at, archived_at).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='source_ref', scope='pending',
          post_hook=["{{ int_indexes(['source_ref']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{#- incremental: the steps of the cases to recompute, found through int_lg__child_key -#}
{%- set step_keys -%}
array(select _source_key from {{ ref('int_lg__child_key') }}
      where case_no_key = any({{ scope_keys('LG#') }}) and record_key like 'LGS#%')
{%- endset -%}
{%- if not execute or is_incremental() %}{% set filtered_steps = stg_lg__case_step_sql(keys=step_keys) %}{% endif %}
{%- if not execute or is_incremental() %}{% set filtered_cases = stg_lg__case_sql(keys=scope_keys('LGK#')) %}{% endif %}
with raw_steps as materialized (
    select * from {% if is_incremental() %}({{ filtered_steps }}) s{% else %}{{ ref('stg_lg__case_step') }}{% endif %}
),

cases as materialized (
    select case_no_key, case_id, case_type, jgid, record_version
    from {% if is_incremental() %}({{ filtered_cases }}) c{% else %}{{ ref('stg_lg__case') }}{% endif %}
),

registry as materialized (
    select jgid, name_key, cert_no, record_version
    from {{ ref('stg_lg__ry') }}
    where cert_no is not null
),

steps as materialized (
    select s.*, c.case_id, c.case_type, c.jgid, c.record_version as case_version
    from raw_steps s
    join cases c on c.case_no_key = s.case_no_key
),

handlers as (
    select s.lcid,
           count(distinct r.cert_no) as candidates,
           min(r.cert_no) as cert_no,
           max(r.record_version) as record_version
    from steps s
    join registry r on r.jgid = s.jgid and r.name_key = s.handler_name_key
    group by s.lcid
)

select
    s.case_id,
    s.lcid,
    row_number() over (partition by s.case_id order by s.lcid_number nulls last, s.lcid) as seq,
    s.step_name_text,
    m.stage_code,
    m.sets_field,
    s.entered_text,
    s.entered_at,
    s.entered_date_only,
    s.completed_text,
    s.completed_at,
    s.completed_date_only,
    coalesce(s.completed_at, s.entered_at) as done_at,
    case when s.completed_at is not null then s.completed_date_only else s.entered_date_only end as done_date_only,
    s.handler_name,
    case when h.candidates = 1 then h.cert_no end as handler_cert_no,
    case when s.handler_name_key is null then 'none'
         when h.candidates = 1 then 'resolved'
         when h.candidates > 1 then 'ambiguous'
         else 'unresolved' end as handler_resolution,
    s.opinion,
    greatest(s.record_version, s.case_version, h.record_version,
             max(s.record_version) over (partition by s.case_id)) as record_version,
    s.source_ref,
    'LG#' || s.case_no_key as _scope,
    {{ int_run_id() }} as _run_id
from steps s
left join handlers h on h.lcid = s.lcid
left join {{ ref('map_lg_hjmc') }} m
       on m.case_type = s.case_type and {{ map_key('m.source_value') }} = {{ map_key('s.step_name_text') }}
