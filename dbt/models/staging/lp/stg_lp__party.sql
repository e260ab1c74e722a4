-- 行政相对人（ZF04）registered in LP. party_id is the service's; the standard layer's test
-- recomputes it (rules.party_id).
with current_rows as ({{ current_rows(source('lp', 'lp_party')) }})

select
    {{ lp_text('party_id') }} as party_id,
    {{ lp_text('party_type') }} as party_type,
    {{ lp_text('party_name') }} as party_name,
    {{ lp_text('credential_type') }} as credential_type,
    {{ normalise_credential(lp_text('credential_no')) }} as credential_no,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('party_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:party:' || _source_key as source_ref
from current_rows
where {{ lp_text('party_id') }} is not null
