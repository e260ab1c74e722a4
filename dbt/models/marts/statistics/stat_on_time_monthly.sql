-- On-time rates of the time-limit rules (T01–T10) from the rule evaluation as of D. One row per
-- month in which the deadline falls (as moved to a working day), division, subject, case type
-- and rule. A timer counts once its outcome is settled: done on time, done late, or overdue and
-- still not done; timers still running are shown but stay out of the rate, and cases the
-- source system cannot judge (不可判定) are counted apart, never as on time.
-- Done on time: done, not red, not cleared late. "No earlier than" rules (T03, T08) are red when
-- the act came too soon, so the level, not a date comparison, decides.
with params as (
    select {{ as_of_date() }} as as_of_date
),

timers as (
    select e.subject_code, e.region_code, e.case_type, e.rule_id, e.rule_name,
           date_trunc('month', coalesce(e.due_date, e.trigger_date, p.as_of_date))::date as stat_month,
           e.level, e.done_date, coalesce(e.cleared_late, false) as cleared_late
      from {{ ref('fct_rule_evaluation') }} e
      cross join params p
     where e.rule_id like 'T%'
),

counted as (
    select stat_month, region_code, subject_code, case_type, rule_id,
           max(rule_name) as rule_name,
           count(*) filter (where level <> 'not_judgeable' and done_date is not null and level <> 'red' and not cleared_late)
               as on_time_count,
           count(*) filter (where level <> 'not_judgeable' and done_date is not null and (level = 'red' or cleared_late))
               as late_done_count,
           count(*) filter (where level = 'red' and done_date is null) as overdue_open_count,
           count(*) filter (where level in ('green', 'yellow') and done_date is null) as running_count,
           count(*) filter (where level = 'not_judgeable') as not_judgeable_count
      from timers
     group by stat_month, region_code, subject_code, case_type, rule_id
)

select k.stat_month,
       k.region_code::varchar(6) as region_code,
       r.name::text as region_name,
       k.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       k.case_type::varchar(2) as case_type,
       k.rule_id::text as rule_id,
       k.rule_name::text as rule_name,
       (k.on_time_count + k.late_done_count + k.overdue_open_count)::integer as settled_count,
       k.on_time_count::integer as on_time_count,
       k.late_done_count::integer as late_done_count,
       k.overdue_open_count::integer as overdue_open_count,
       k.running_count::integer as running_count,
       k.not_judgeable_count::integer as not_judgeable_count,
       round(k.on_time_count::numeric / nullif(k.on_time_count + k.late_done_count + k.overdue_open_count, 0), 4)::numeric(7,4)
           as on_time_rate,
       p.as_of_date
  from counted k
  cross join params p
  left join {{ ref('region') }} r on r.code = k.region_code
  left join {{ ref('zf01_subject') }} s on s.subject_code = k.subject_code
