-- Publication on time (执法公示) of penalty decisions, from fct_publicity as of D. One row per
-- decision month, division and subject. The rate counts the decisions whose outcome is settled:
-- published on time, published late, or past the deadline and still unpublished; decisions
-- still within their limit are pending, and those whose source keeps no publication record
-- (LG, EX) are not judgeable: both stay out of the rate.
with params as (
    select {{ as_of_date() }} as as_of_date
),

decisions as (
    select f.subject_code, f.region_code,
           date_trunc('month', f.decision_date)::date as stat_month,
           f.must_publish, f.publish_due_date, f.published_on_time,
           (f.published_at is not null and (f.published_at at time zone 'Asia/Shanghai')::date <= p.as_of_date) as published,
           coalesce(f.publicity_judgeable, true) as judgeable,
           p.as_of_date
      from {{ ref('fct_publicity') }} f
      cross join params p
     where f.decision_date <= p.as_of_date
),

counted as (
    select stat_month, region_code, subject_code,
           count(*) as decided_count,
           count(*) filter (where must_publish) as must_publish_count,
           count(*) filter (where must_publish and judgeable and published and published_on_time) as on_time_count,
           count(*) filter (where must_publish and judgeable and published and not coalesce(published_on_time, false))
               as late_count,
           count(*) filter (where must_publish and judgeable and not published and publish_due_date < as_of_date)
               as overdue_unpublished_count,
           count(*) filter (where must_publish and judgeable and not published
                              and (publish_due_date >= as_of_date or publish_due_date is null)) as pending_count,
           count(*) filter (where must_publish and not judgeable) as not_judgeable_count
      from decisions
     group by stat_month, region_code, subject_code
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.decided_count::integer as decided_count,
       k.must_publish_count::integer as must_publish_count,
       k.on_time_count::integer as on_time_count,
       k.late_count::integer as late_count,
       k.overdue_unpublished_count::integer as overdue_unpublished_count,
       k.pending_count::integer as pending_count,
       k.not_judgeable_count::integer as not_judgeable_count,
       round(k.on_time_count::numeric / nullif(k.on_time_count + k.late_count + k.overdue_unpublished_count, 0), 4)::numeric(7,4)
           as on_time_rate,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
