-- 行政强制（ZF13）measures recorded in LP, one row per (case_id, measure_seq).
with current_rows as ({{ current_rows(source('lp', 'lp_coercion')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_int('measure_seq') }} as measure_seq,
    {{ lp_text('coercion_kind') }} as coercion_kind,
    {{ lp_text('measure_code') }} as measure_code,
    {{ lp_datetime('started_at') }} as started_at,
    {{ lp_int('term_days') }} as term_days,
    {{ lp_int('extended_days') }} as extended_days,
    {{ lp_datetime('lifted_at') }} as lifted_at,
    {{ lp_datetime('demand_notice_at') }} as demand_notice_at,
    {{ lp_datetime('court_applied_at') }} as court_applied_at,
    {{ lp_bool('emergency') }} as emergency,
    {{ lp_datetime('approved_at') }} as approved_at,
    {{ lp_text('case_id') }} || '|' || {{ lp_int('measure_seq') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:coercion:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null and {{ lp_int('measure_seq') }} is not null
