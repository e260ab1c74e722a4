-- 执法公示（ZF30）published through LP (the only source that publishes).
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{% call apply_corrections('ZF30', 'zf30_publicity') %}
with current_rows as ({{ current_rows(source('lp', 'lp_publicity')) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_datetime('published_at') }} as published_at,
    {{ lp_datetime('withdrawn_at') }} as withdrawn_at,
    {{ lp_text('public_text') }} as public_text,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:publicity:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
{% endcall %}
