-- Decided penalties by kind (警告, 罚款, 没收…): one row per decision month, division, subject and
-- penalty kind. A decision with several kinds counts once under each of them, so the rows of a
-- month must not be added up across kinds (stat_penalty_monthly has the number of decisions and
-- the amounts). Same population as stat_penalty_monthly.
with params as (
    select {{ as_of_date() }} as as_of_date
),

kinds as (
    select date_trunc('month', (p.decision_at at time zone 'Asia/Shanghai'))::date as stat_month,
           c.region_code, c.subject_code, k.penalty_kind, p.case_id
      from {{ ref('zf12_penalty') }} p
      join {{ ref('zf10_case') }} c on c.case_id = p.case_id
      cross join params a
      -- distinct: a list's items are counted distinct (the standard)
      cross join lateral (select distinct u.kind as penalty_kind from unnest(p.penalty_kinds) as u(kind)) k
     where p.decision_at is not null
       and (p.decision_at at time zone 'Asia/Shanghai')::date <= a.as_of_date
       and c.status not in ('90', '91')
       and k.penalty_kind is not null
),

counted as (
    select stat_month, region_code, subject_code, penalty_kind, count(distinct case_id) as case_count
      from kinds
     group by stat_month, region_code, subject_code, penalty_kind
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.penalty_kind::varchar(2) as penalty_kind,
       pk.label::text as penalty_kind_label,
       k.case_count::integer as case_count,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
  left join {{ ref('code_set') }} pk on pk.code_set = 'penalty_kind' and pk.code = k.penalty_kind
