-- 行政处罚（ZF12）: LP's records, and one per kept LG / EX penalty case (case_type 2).
-- LG: decision, kinds, amounts and service date from t_ajxx; legal_review_at and notified_at
--     from the 审核 / 告知 steps (their completion, else their start). Nothing else exists in LG.
-- EX: decision number, date, kinds and fine only.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='cases',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['case_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
{%- if not execute or is_incremental() %}{% set _parsed = stg_lp__penalty_sql(keys=scope_cases_lp('penalty')) %}{% endif %}
{% call apply_corrections('ZF12', 'zf12_penalty', keep=['_scope', '_run_id']) %}
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system <> 'LP'
    {% if is_incremental() %}and _scope = any({{ scope_cases() }}){% endif %}
),

lg_step_times as (
    select case_id,
           (array_agg(done_at order by done_at) filter (where sets_field = 'legal_review_at' and done_at is not null))[1] as legal_review_at,
           (array_agg(done_date_only order by done_at) filter (where sets_field = 'legal_review_at' and done_at is not null))[1] as legal_review_date_only,
           (array_agg(done_at order by done_at) filter (where sets_field = 'notified_at' and done_at is not null))[1] as notified_at,
           (array_agg(done_date_only order by done_at) filter (where sets_field = 'notified_at' and done_at is not null))[1] as notified_date_only,
           max(record_version) as record_version
    from {{ ref('int_lg__case_step') }}
    {% if is_incremental() %}where _scope = any({{ scope_cases() }}){% endif %}
    group by case_id
),

lg as (
    select c.case_id, c.decision_no, c.decision_at, c.penalty_kinds, c.fine_amount, c.confiscation_amount,
           s.legal_review_at,
           null::timestamptz as collective_discussion_at,
           s.notified_at,
           null::boolean as hearing_requested,
           null::timestamptz as hearing_notice_at,
           null::timestamptz as hearing_at,
           c.served_at,
           null::timestamptz as paid_at,
           null::text as execution_status,
           c.case_id as record_key,
           greatest(c.resolved_record_version, s.record_version) as record_version,
           'LG' as source_system,
           {{ fields_where([['decision_at', 'c.decision_date_only'], ['legal_review_at', 's.legal_review_date_only'],
                            ['notified_at', 's.notified_date_only'], ['served_at', 'c.served_date_only']]) }} as date_only_fields,
           '{}'::text[] as presumed_fields,
           c.source_ref, c._scope
    from {{ ref('int_lg__case') }} c
    join kept k on k.case_id = c.case_id
    left join lg_step_times s on s.case_id = c.case_id
    where c.case_type = '2'{% if is_incremental() %} and c._scope = any({{ scope_cases() }}){% endif %}
),

ex as (
    select c.case_id, c.decision_no, c.decision_at, c.penalty_kinds, c.fine_amount,
           null::numeric as confiscation_amount,
           null::timestamptz as legal_review_at,
           null::timestamptz as collective_discussion_at,
           null::timestamptz as notified_at,
           null::boolean as hearing_requested,
           null::timestamptz as hearing_notice_at,
           null::timestamptz as hearing_at,
           null::timestamptz as served_at,
           null::timestamptz as paid_at,
           null::text as execution_status,
           c.case_id as record_key,
           c.resolved_record_version as record_version,
           'EX' as source_system,
           {{ fields_where([['decision_at', 'c.decision_date_only']]) }} as date_only_fields,
           '{}'::text[] as presumed_fields,
           c.source_ref, c._scope
    from {{ ref('int_ex__case') }} c
    join kept k on k.case_id = c.case_id
    where c.case_type = '2'{% if is_incremental() %} and c._scope = any({{ scope_cases() }}){% endif %}
)

select case_id, decision_no, decision_at, penalty_kinds, fine_amount, confiscation_amount, legal_review_at,
       collective_discussion_at, notified_at, hearing_requested, hearing_notice_at, hearing_at, served_at,
       paid_at, execution_status, record_key, record_version, source_system, date_only_fields,
       presumed_fields, source_ref, source_ref as _scope, {{ int_run_id() }} as _run_id
from {% if is_incremental() %}({{ stg_lp__penalty_sql(keys=scope_cases_lp('penalty')) }}) lp_rows{% else %}{{ ref('stg_lp__penalty') }}{% endif %}
union all
select *, {{ int_run_id() }} from lg
union all
select *, {{ int_run_id() }} from ex
{% endcall %}
