-- 执法事项（ZF03）: the LP registry's current enforcement items.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{% call apply_corrections('ZF03', 'zf03_item') %}
with current_rows as ({{ current_rows(source('lp', 'lp_item')) }})

select
    {{ lp_text('item_code') }} as item_code,
    {{ lp_text('item_name') }} as item_name,
    {{ lp_text('item_category') }} as item_category,
    {{ lp_text('domain_code') }} as domain_code,
    {{ lp_text('legal_basis') }} as legal_basis,
    {{ lp_decimal('fine_min') }} as fine_min,
    {{ lp_decimal('fine_max') }} as fine_max,
    {{ lp_bool('legal_review_required') }} as legal_review_required,
    {{ lp_int('limitation_years') }} as limitation_years,
    {{ lp_date('valid_from') }} as valid_from,
    {{ lp_date('valid_to') }} as valid_to,
    {{ lp_text('item_code') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:item:' || _source_key as source_ref
from current_rows
where {{ lp_text('item_code') }} is not null
{% endcall %}
