-- 执法主体（ZF01）: the LP registry's current subjects, typed as the standard names them.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{% call apply_corrections('ZF01', 'zf01_subject') %}
with current_rows as ({{ current_rows(source('lp', 'lp_subject')) }})

select
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_text('subject_name') }} as subject_name,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('subject_level') }} as subject_level,
    {{ lp_text('subject_type') }} as subject_type,
    {{ lp_text('domain_code') }} as domain_code,
    {{ lp_text('parent_subject_code') }} as parent_subject_code,
    {{ lp_bool('is_active') }} as is_active,
    {{ lp_text('subject_code') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:subject:' || _source_key as source_ref
from current_rows
where {{ lp_text('subject_code') }} is not null
{% endcall %}
