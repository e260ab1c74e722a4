-- 办案环节记录（ZF20）recorded in LP, one row per (case_id, seq).
with current_rows as ({{ current_rows(source('lp', 'lp_case_step')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_int('seq') }} as seq,
    {{ lp_text('stage_code') }} as stage_code,
    {{ lp_datetime('entered_at') }} as entered_at,
    {{ lp_datetime('completed_at') }} as completed_at,
    {{ lp_text('handler_cert_no') }} as handler_cert_no,
    {{ lp_text('approver_name') }} as approver_name,
    {{ lp_text('opinion') }} as opinion,
    {{ lp_text('case_id') }} || '|' || {{ lp_int('seq') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:case_step:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null and {{ lp_int('seq') }} is not null
