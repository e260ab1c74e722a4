-- 案件明细: one row per case (ZF10) with its penalty (ZF12), inspection (ZF11) and coercion
-- measures (ZF13), for analysts' SQL Lab and the dashboards' drill-down. Natural persons' names
-- and ID numbers are masked here, in the database, because analysts' SQL never passes through
-- Superset's row-level security; they cannot read the standard schema at all.
with code_label as (
    select code_set, code, label from {{ ref('code_set') }}
),
officers as (
    select c.case_id,
           string_agg(coalesce({{ mask_person_name('o.officer_name') }}, '（未登记）'), '、' order by u.ord) as officer_names
    from {{ ref('zf10_case') }} c
    cross join lateral unnest(c.officer_cert_nos) with ordinality as u(cert_no, ord)
    left join {{ ref('zf02_officer') }} o on o.cert_no = u.cert_no
    group by c.case_id
),
coercion as (
    select case_id,
           count(*) as coercion_measures,
           min(started_at) as coercion_started_at,
           array_agg(distinct measure_code order by measure_code)::text[] as coercion_measure_codes
    from {{ ref('zf13_coercion') }}
    group by case_id
)
select
    c.case_id::text                                  as case_id,
    c.case_no::text                                  as case_no,
    c.case_type::text                                as case_type,
    ct.label                                         as case_type_label,
    c.status::text                                   as status,
    st.label                                         as status_label,
    c.subject_code::text                             as subject_code,
    s.subject_name::text                             as subject_name,
    c.region_code::text                              as region_code,
    r.name::text                                     as region_name,
    c.item_code::text                                as item_code,
    i.item_name::text                                as item_name,
    i.domain_code::text                              as domain_code,
    c.source_channel::text                           as source_channel,
    sc.label                                         as source_channel_label,
    c.procedure::text                                as procedure,
    c.party_id::text                                 as party_id,
    p.party_type::text                               as party_type,
    pt.label                                         as party_type_label,
    {{ mask_party_name('p.party_type', 'p.party_name') }}::text as party_name,
    p.credential_type::text                          as credential_type,
    {{ mask_party_credential('p.party_type', 'p.credential_type', 'p.credential_no') }}::text as credential_no,
    c.officer_cert_nos::text[]                       as officer_cert_nos,
    off.officer_names                                as officer_names,
    c.registered_at                                  as registered_at,
    (c.registered_at at time zone 'Asia/Shanghai')::date as registered_on,
    date_trunc('month', c.registered_at at time zone 'Asia/Shanghai')::date as registered_month,
    c.closed_at                                      as closed_at,
    c.archived_at                                    as archived_at,
    c.time_limit_extended                            as time_limit_extended,
    -- natural days from registration to closing (or to now for open cases), as the bureau counts them
    (coalesce(c.closed_at, now()) at time zone 'Asia/Shanghai')::date
        - (c.registered_at at time zone 'Asia/Shanghai')::date as duration_days,
    c.closed_at is not null                          as is_closed,
    pen.decision_no::text                            as decision_no,
    pen.decision_at                                  as decision_at,
    pen.penalty_kinds::text[]                        as penalty_kinds,
    pen.fine_amount                                  as fine_amount,
    pen.confiscation_amount                          as confiscation_amount,
    pen.legal_review_at                              as legal_review_at,
    pen.served_at                                    as served_at,
    pen.paid_at                                      as paid_at,
    pen.execution_status::text                       as execution_status,
    ins.inspection_kind::text                        as inspection_kind,
    ins.inspected_at                                 as inspected_at,
    ins.result::text                                 as inspection_result,
    coalesce(co.coercion_measures, 0)::integer       as coercion_measures,
    co.coercion_started_at                           as coercion_started_at,
    co.coercion_measure_codes                        as coercion_measure_codes,
    c.source_system::text                            as source_system
from {{ ref('zf10_case') }} c
left join {{ ref('zf01_subject') }} s on s.subject_code = c.subject_code
left join {{ ref('zf03_item') }} i on i.item_code = c.item_code
left join {{ ref('zf04_party') }} p on p.party_id = c.party_id
left join {{ ref('region') }} r on r.code::text = c.region_code
left join code_label ct on ct.code_set = 'case_type' and ct.code = c.case_type
left join code_label st on st.code_set = 'case_status' and st.code = c.status
left join code_label sc on sc.code_set = 'source_channel' and sc.code = c.source_channel
left join code_label pt on pt.code_set = 'party_type' and pt.code = p.party_type
left join {{ ref('zf12_penalty') }} pen on pen.case_id = c.case_id
left join {{ ref('zf11_inspection') }} ins on ins.case_id = c.case_id
left join coercion co on co.case_id = c.case_id
left join officers off on off.case_id = c.case_id
