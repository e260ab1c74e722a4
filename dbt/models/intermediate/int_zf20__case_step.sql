-- 办案环节记录（ZF20）: LP's steps and the t_ajlc steps of kept LG cases. EX reports carry no
-- steps (the rules that need them are 不可判定 for EX cases). LG knows only the handler's name:
-- handler_cert_no is the certificate it resolves to within the case's unit, else empty; LG has
-- no approver.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='cases',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['case_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
{%- if not execute or is_incremental() %}{% set _parsed = stg_lp__case_step_sql(keys=scope_cases_lp('case_step')) %}{% endif %}
{% call apply_corrections('ZF20', 'zf20_case_step', keep=['_scope', '_run_id']) %}
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system = 'LG'
    {% if is_incremental() %}and _scope = any({{ scope_cases() }}){% endif %}
)

select case_id, seq, stage_code, entered_at, completed_at, handler_cert_no, approver_name, opinion,
       record_key, record_version, source_system, date_only_fields, presumed_fields, source_ref,
       source_ref as _scope, {{ int_run_id() }} as _run_id
from {% if is_incremental() %}({{ stg_lp__case_step_sql(keys=scope_cases_lp('case_step')) }}) lp_rows{% else %}{{ ref('stg_lp__case_step') }}{% endif %}
union all
select s.case_id,
       s.seq::int,
       s.stage_code,
       s.entered_at,
       s.completed_at,
       s.handler_cert_no,
       null::text as approver_name,
       s.opinion,
       s.case_id || '|' || s.seq,
       s.record_version,
       'LG',
       {{ fields_where([['entered_at', 's.entered_date_only'], ['completed_at', 's.completed_date_only']]) }},
       '{}'::text[],
       s.source_ref,
       s._scope,
       {{ int_run_id() }}
from {{ ref('int_lg__case_step') }} s
join kept k on k.case_id = s.case_id
{% if is_incremental() %}where s._scope = any({{ scope_cases() }}){% endif %}
{% endcall %}
