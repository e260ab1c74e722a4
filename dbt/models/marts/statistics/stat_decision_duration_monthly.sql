-- Filing-to-decision durations summed up per decision month, division, subject and procedure
-- (from stat_decision_duration). Median and 90th percentile, because a few very long cases make
-- the mean alone misleading.
select d.stat_month,
       d.region_code,
       max(d.subject_name) as subject_name,
       d.subject_code,
       d.procedure,
       count(*)::integer as decided_count,
       count(d.days_to_decision)::integer as measured_count,
       count(*) filter (where d.dates_inconsistent)::integer as inconsistent_count,
       round(avg(d.days_to_decision), 1)::numeric(10,1) as avg_days,
       (percentile_cont(0.5) within group (order by d.days_to_decision))::numeric(10,1) as median_days,
       (percentile_cont(0.9) within group (order by d.days_to_decision))::numeric(10,1) as p90_days,
       max(d.days_to_decision)::integer as max_days,
       max(d.as_of_date) as as_of_date
  from {{ ref('stat_decision_duration') }} d
 group by d.stat_month, d.region_code, d.subject_code, d.procedure
