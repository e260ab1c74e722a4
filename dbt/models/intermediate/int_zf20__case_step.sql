-- 办案环节记录（ZF20）: LP's steps and the t_ajlc steps of kept LG cases. EX reports carry no
-- steps (the rules that need them are 不可判定 for EX cases). LG knows only the handler's name:
-- handler_cert_no is the certificate it resolves to within the case's unit, else empty; LG has
-- no approver.
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system = 'LG'
)

select case_id, seq, stage_code, entered_at, completed_at, handler_cert_no, approver_name, opinion,
       record_key, record_version, source_system, date_only_fields, presumed_fields, source_ref
from {{ ref('stg_lp__case_step') }}
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
       s.source_ref
from {{ ref('int_lg__case_step') }} s
join kept k on k.case_id = s.case_id
