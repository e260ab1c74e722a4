-- 执法案件（ZF10）entered in LP. case_no_key is how the same real case is recognised in LG and EX
-- (see int_case__precedence).
with current_rows as ({{ current_rows(source('lp', 'lp_case')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('case_no') }} as case_no,
    {{ lp_text('case_type') }} as case_type,
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_text('item_code') }} as item_code,
    {{ lp_text('party_id') }} as party_id,
    {{ lp_text('source_channel') }} as source_channel,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('procedure') }} as procedure,
    {{ lp_list('officer_cert_nos') }} as officer_cert_nos,
    {{ lp_datetime('violation_at') }} as violation_at,
    {{ lp_datetime('found_at') }} as found_at,
    {{ lp_datetime('registered_at') }} as registered_at,
    {{ lp_datetime('closed_at') }} as closed_at,
    {{ lp_datetime('archived_at') }} as archived_at,
    {{ lp_text('status') }} as status,
    {{ lp_bool('time_limit_extended') }} as time_limit_extended,
    coalesce({{ lp_text('source_system') }}, 'LP') as source_system,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:case:' || _source_key as source_ref,
    {{ case_no_key(lp_text('case_no')) }} as case_no_key
from current_rows
where {{ lp_text('case_id') }} is not null
