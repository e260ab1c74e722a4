-- Decided penalties by decision month, division, subject and procedure, with fine and
-- confiscation amounts. A decided penalty is one with a decision date on or before D; revoked
-- cases (status 90) and non-filed ones (91) are left out: a revoked decision has no effect and
-- its amounts would overstate what was imposed.
with params as (
    select {{ as_of_date() }} as as_of_date
),

decided as (
    select date_trunc('month', (p.decision_at at time zone 'Asia/Shanghai'))::date as stat_month,
           c.region_code, c.subject_code, c.procedure,
           p.fine_amount, p.confiscation_amount
      from {{ ref('zf12_penalty') }} p
      join {{ ref('zf10_case') }} c on c.case_id = p.case_id
      cross join params a
     where p.decision_at is not null
       and (p.decision_at at time zone 'Asia/Shanghai')::date <= a.as_of_date
       and c.status not in ('90', '91')
),

counted as (
    select stat_month, region_code, subject_code, procedure,
           count(*) as decided_count,
           count(*) filter (where fine_amount > 0) as fine_case_count,
           coalesce(sum(fine_amount), 0) as fine_total,
           max(fine_amount) as fine_max,
           count(*) filter (where confiscation_amount > 0) as confiscation_case_count,
           coalesce(sum(confiscation_amount), 0) as confiscation_total
      from decided
     group by stat_month, region_code, subject_code, procedure
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.procedure::varchar(2) as procedure,
       pr.label::text as procedure_label,
       k.decided_count::integer as decided_count,
       k.fine_case_count::integer as fine_case_count,
       k.fine_total::numeric(18,2) as fine_total,
       k.fine_max::numeric(18,2) as fine_max,
       k.confiscation_case_count::integer as confiscation_case_count,
       k.confiscation_total::numeric(18,2) as confiscation_total,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
  left join {{ ref('code_set') }} pr on pr.code_set = 'procedure' and pr.code = k.procedure
