-- Legal review (法制审核) coverage of decided penalties per decision month, division and subject:
-- how many decisions had their legal review completed before the decision, overall and among
-- those whose item requires one (ZF03.legal_review_required). Reviews recorded after the
-- decision do not count: the law asks for the review before deciding. Same population as
-- stat_penalty_monthly.
with params as (
    select {{ as_of_date() }} as as_of_date
),

decided as (
    select date_trunc('month', (p.decision_at at time zone 'Asia/Shanghai'))::date as stat_month,
           c.region_code, c.subject_code,
           coalesce(i.legal_review_required, false) as review_required,
           (p.legal_review_at is not null and p.legal_review_at <= p.decision_at) as reviewed
      from {{ ref('zf12_penalty') }} p
      join {{ ref('zf10_case') }} c on c.case_id = p.case_id
      left join {{ ref('zf03_item') }} i on i.item_code = c.item_code
      cross join params a
     where p.decision_at is not null
       and (p.decision_at at time zone 'Asia/Shanghai')::date <= a.as_of_date
       and c.status not in ('90', '91')
),

counted as (
    select stat_month, region_code, subject_code,
           count(*) as decided_count,
           count(*) filter (where reviewed) as reviewed_count,
           count(*) filter (where review_required) as required_count,
           count(*) filter (where review_required and reviewed) as required_reviewed_count
      from decided
     group by stat_month, region_code, subject_code
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.decided_count::integer as decided_count,
       k.reviewed_count::integer as reviewed_count,
       round(k.reviewed_count::numeric / nullif(k.decided_count, 0), 4)::numeric(7,4) as coverage_rate,
       k.required_count::integer as required_count,
       k.required_reviewed_count::integer as required_reviewed_count,
       round(k.required_reviewed_count::numeric / nullif(k.required_count, 0), 4)::numeric(7,4) as required_coverage_rate,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
