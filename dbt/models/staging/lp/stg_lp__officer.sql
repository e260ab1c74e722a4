-- 执法人员（ZF02）: the LP registry's current officers.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{% call apply_corrections('ZF02', 'zf02_officer') %}
with current_rows as ({{ current_rows(source('lp', 'lp_officer')) }})

select
    {{ lp_text('cert_no') }} as cert_no,
    {{ lp_text('officer_name') }} as officer_name,
    {{ lp_text('id_no') }} as id_no,
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_date('cert_valid_from') }} as cert_valid_from,
    {{ lp_date('cert_valid_to') }} as cert_valid_to,
    {{ lp_text('cert_status') }} as cert_status,
    {{ lp_text('cert_no') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:officer:' || _source_key as source_ref
from current_rows
where {{ lp_text('cert_no') }} is not null
{% endcall %}
