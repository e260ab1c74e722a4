-- 行政检查（ZF11）: LP's records, and one per kept LG / EX inspection case (case_type 1).
-- LG: inspection_kind from ajlx (日常 01, 专项 02, else 01 presumed); inspected_at = the start of
--     the first 检查 step, else the filing date (presumed); no result (a quality issue, held from the push).
-- EX: kind 01 presumed, inspected_at = the filing date (presumed), result from 检查结果.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='cases',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['case_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
{%- if not execute or is_incremental() %}{% set _parsed = stg_lp__inspection_sql(keys=scope_cases_lp('inspection')) %}{% endif %}
{% call apply_corrections('ZF11', 'zf11_inspection', keep=['_scope', '_run_id']) %}
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system <> 'LP'
    {% if is_incremental() %}and _scope = any({{ scope_cases() }}){% endif %}
),

lg_first_inspection as (
    select case_id,
           (array_agg(entered_at order by entered_at) filter (where sets_field = 'inspected_at' and entered_at is not null))[1] as inspected_at,
           (array_agg(entered_date_only order by entered_at) filter (where sets_field = 'inspected_at' and entered_at is not null))[1] as inspected_date_only,
           max(record_version) as record_version
    from {{ ref('int_lg__case_step') }}
    {% if is_incremental() %}where _scope = any({{ scope_cases() }}){% endif %}
    group by case_id
),

lg as (
    select c.case_id,
           coalesce(c.inspection_kind, '01') as inspection_kind,
           coalesce(s.inspected_at, c.registered_at) as inspected_at,
           null::text as result,
           null::date as rectify_deadline,
           null::timestamptz as rectified_at,
           c.case_id as record_key,
           greatest(c.resolved_record_version, s.record_version) as record_version,
           'LG' as source_system,
           {{ fields_where([['inspected_at', 'case when s.inspected_at is not null then s.inspected_date_only else c.registered_date_only end']]) }} as date_only_fields,
           {{ fields_where([['inspection_kind', 'c.inspection_kind is null'],
                            ['inspected_at', 's.inspected_at is null and c.registered_at is not null']]) }} as presumed_fields,
           c.source_ref, c._scope
    from {{ ref('int_lg__case') }} c
    join kept k on k.case_id = c.case_id
    left join lg_first_inspection s on s.case_id = c.case_id
    where c.case_type = '1'{% if is_incremental() %} and c._scope = any({{ scope_cases() }}){% endif %}
),

ex as (
    select c.case_id,
           '01' as inspection_kind,
           c.registered_at as inspected_at,
           c.inspection_result as result,
           null::date as rectify_deadline,
           null::timestamptz as rectified_at,
           c.case_id as record_key,
           c.resolved_record_version as record_version,
           'EX' as source_system,
           {{ fields_where([['inspected_at', 'c.registered_date_only']]) }} as date_only_fields,
           {{ fields_where([['inspection_kind', 'true'], ['inspected_at', 'c.registered_at is not null']]) }} as presumed_fields,
           c.source_ref, c._scope
    from {{ ref('int_ex__case') }} c
    join kept k on k.case_id = c.case_id
    where c.case_type = '1'{% if is_incremental() %} and c._scope = any({{ scope_cases() }}){% endif %}
)

select case_id, inspection_kind, inspected_at, result, rectify_deadline, rectified_at, record_key,
       record_version, source_system, date_only_fields, presumed_fields, source_ref, source_ref as _scope,
       {{ int_run_id() }} as _run_id
from {% if is_incremental() %}({{ stg_lp__inspection_sql(keys=scope_cases_lp('inspection')) }}) lp_rows{% else %}{{ ref('stg_lp__inspection') }}{% endif %}
union all
select *, {{ int_run_id() }} from lg
union all
select *, {{ int_run_id() }} from ex
{% endcall %}
