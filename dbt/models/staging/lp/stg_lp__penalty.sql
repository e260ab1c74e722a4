-- 行政处罚（ZF12）recorded in LP.
with current_rows as ({{ current_rows(source('lp', 'lp_penalty')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('decision_no') }} as decision_no,
    {{ lp_datetime('decision_at') }} as decision_at,
    {{ lp_list('penalty_kinds') }} as penalty_kinds,
    {{ lp_decimal('fine_amount') }} as fine_amount,
    {{ lp_decimal('confiscation_amount') }} as confiscation_amount,
    {{ lp_datetime('legal_review_at') }} as legal_review_at,
    {{ lp_datetime('collective_discussion_at') }} as collective_discussion_at,
    {{ lp_datetime('notified_at') }} as notified_at,
    {{ lp_bool('hearing_requested') }} as hearing_requested,
    {{ lp_datetime('hearing_notice_at') }} as hearing_notice_at,
    {{ lp_datetime('hearing_at') }} as hearing_at,
    {{ lp_datetime('served_at') }} as served_at,
    {{ lp_datetime('paid_at') }} as paid_at,
    {{ lp_text('execution_status') }} as execution_status,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:penalty:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
