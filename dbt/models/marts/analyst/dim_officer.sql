-- 执法人员（已脱敏）: ZF02 with names and ID numbers masked (officer_name and id_no are pii).
-- region_code is the officer's subject's, so a district's dashboards can be scoped to it.
select
    o.cert_no::text                                 as cert_no,
    {{ mask_person_name('o.officer_name') }}::text  as officer_name,
    {{ mask_resident_id('o.id_no') }}::text         as id_no,
    o.subject_code::text                            as subject_code,
    s.subject_name::text                            as subject_name,
    s.region_code::text                             as region_code,
    o.cert_valid_from                               as cert_valid_from,
    o.cert_valid_to                                 as cert_valid_to,
    o.cert_status::text                             as cert_status,
    cs.label                                        as cert_status_label
from {{ ref('zf02_officer') }} o
left join {{ ref('zf01_subject') }} s on s.subject_code = o.subject_code
left join {{ ref('code_set') }} cs on cs.code_set = 'cert_status' and cs.code = o.cert_status
