-- Cases by registration month, division, subject, type and current status: one row per
-- combination that has at least one case. Only cases registered on or before D count, so a
-- build for a past D does not show cases that did not exist yet; the status is the one the
-- standard layer holds now (the sources keep no status history).
with params as (
    select {{ as_of_date() }} as as_of_date
),

cases as (
    select c.case_id,
           date_trunc('month', (c.registered_at at time zone 'Asia/Shanghai'))::date as stat_month,
           c.region_code, c.subject_code, c.case_type, c.status
      from {{ ref('zf10_case') }} c
      cross join params p
     where (c.registered_at at time zone 'Asia/Shanghai')::date <= p.as_of_date
),

counted as (
    select stat_month, region_code, subject_code, case_type, status, count(*) as case_count
      from cases
     group by stat_month, region_code, subject_code, case_type, status
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.case_type::varchar(2) as case_type,
       ct.label::text as case_type_label,
       k.status::varchar(2) as status,
       st.label::text as status_label,
       k.case_count::integer as case_count,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
  left join {{ ref('code_set') }} ct on ct.code_set = 'case_type' and ct.code = k.case_type
  left join {{ ref('code_set') }} st on st.code_set = 'case_status' and st.code = k.status
