-- 行政相对人（已脱敏）: ZF04 with natural persons' names and every resident ID masked.
select
    p.party_id::text        as party_id,
    p.party_type::text      as party_type,
    pt.label                as party_type_label,
    {{ mask_party_name('p.party_type', 'p.party_name') }}::text as party_name,
    p.credential_type::text as credential_type,
    {{ mask_party_credential('p.party_type', 'p.credential_type', 'p.credential_no') }}::text as credential_no,
    p.region_code::text     as region_code
from {{ ref('zf04_party') }} p
left join {{ ref('code_set') }} pt on pt.code_set = 'party_type' and pt.code = p.party_type
