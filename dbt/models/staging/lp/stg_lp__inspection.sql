-- 行政检查（ZF11）recorded in LP.
with current_rows as ({{ current_rows(source('lp', 'lp_inspection')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('inspection_kind') }} as inspection_kind,
    {{ lp_datetime('inspected_at') }} as inspected_at,
    {{ lp_text('result') }} as result,
    {{ lp_date('rectify_deadline') }} as rectify_deadline,
    {{ lp_datetime('rectified_at') }} as rectified_at,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:inspection:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
