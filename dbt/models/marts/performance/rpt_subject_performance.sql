-- The monthly performance score of each enforcement subject (绩效评估): base_score (100) minus
-- the points of rpt_subject_performance_deduction for the month, never below zero, with the
-- indicators the rules show beside it. One row per subject and month, from the subject's first
-- month with a case or a deduction up to the month of D (that month is provisional until it
-- ends). Rates are 0–1 and empty when there is nothing to measure, never shown as 100%.
with params as (
    select {{ as_of_date() }} as as_of_date,
           date_trunc('month', {{ as_of_date() }})::date as as_of_month
),

cases as (
    select c.case_id, c.subject_code,
           (c.registered_at at time zone 'Asia/Shanghai')::date as registered_on,
           (c.closed_at at time zone 'Asia/Shanghai')::date as closed_on
      from {{ ref('zf10_case') }} c
      cross join params p
     where (c.registered_at at time zone 'Asia/Shanghai')::date <= p.as_of_date
       and c.subject_code is not null   -- scored per subject: a case without one is held by the gate
),

deductions as (
    select subject_code, stat_month,
           count(*) filter (where reason = 'red_warning') as red_count,
           coalesce(sum(points) filter (where reason = 'red_warning'), 0) as red_points,
           count(*) filter (where reason = 'yellow_cleared') as yellow_cleared_count,
           coalesce(sum(points) filter (where reason = 'yellow_cleared'), 0) as yellow_points,
           count(*) filter (where reason = 'late_publication') as late_publication_count,
           coalesce(sum(points) filter (where reason = 'late_publication'), 0) as late_publication_points,
           sum(points) as deduction_total
      from {{ ref('rpt_subject_performance_deduction') }}
     group by subject_code, stat_month
),

first_month as (
    select subject_code, min(m) as first_month
      from (select subject_code, date_trunc('month', registered_on)::date as m from cases
            union all
            select subject_code, stat_month from deductions) x
     where subject_code is not null
     group by subject_code
),

spine as (
    select f.subject_code, gs::date as stat_month
      from first_month f
      cross join params p
      cross join lateral generate_series(f.first_month, p.as_of_month, interval '1 month') as gs
),

-- cases in hand during the month: filed by its end (and by D), not closed before it began;
-- one row per case and month it was open, generated from the case (not cases x months)
handled as (
    select c.subject_code, gs::date as stat_month, c.case_id
      from cases c
      cross join params p
      cross join lateral generate_series(date_trunc('month', c.registered_on),
                                         date_trunc('month', least(coalesce(c.closed_on, p.as_of_date), p.as_of_date)),
                                         interval '1 month') as gs
),

warned as (
    select distinct h.subject_code, date_trunc('month', h.effective_date)::date as stat_month, h.case_id
      from {{ ref('fct_warning_history') }} h
      cross join params p
     where h.level_to in ('yellow', 'red') and h.event in ('raised', 'turned_yellow', 'turned_red')
       and h.effective_date <= p.as_of_date
),

warning_share as (
    select hd.subject_code, hd.stat_month,
           count(*) as handled_count,
           count(w.case_id) as warned_count
      from handled hd
      left join warned w on w.subject_code = hd.subject_code and w.stat_month = hd.stat_month and w.case_id = hd.case_id
     group by hd.subject_code, hd.stat_month
),

decision_on_time as (
    select subject_code, stat_month, sum(on_time_count) as on_time, sum(settled_count) as settled
      from {{ ref('stat_on_time_monthly') }}
     where rule_id = 'T01'
     group by subject_code, stat_month
),

publication as (
    select subject_code, stat_month, sum(on_time_count) as on_time,
           sum(on_time_count + late_count + overdue_unpublished_count) as settled
      from {{ ref('stat_publicity_monthly') }}
     group by subject_code, stat_month
),

legal_review as (
    select subject_code, stat_month, sum(reviewed_count) as reviewed, sum(decided_count) as decided
      from {{ ref('stat_legal_review_monthly') }}
     group by subject_code, stat_month
),

duration as (
    select subject_code, stat_month, avg(days_to_decision) as avg_days
      from {{ ref('stat_decision_duration') }}
     group by subject_code, stat_month
)

select s.subject_code::varchar(18) as subject_code,
       z.subject_name::text as subject_name,
       z.region_code::varchar(6) as region_code,
       s.stat_month,
       c.base_score::numeric(6,2) as base_score,
       coalesce(d.red_count, 0)::integer as red_count,
       coalesce(d.red_points, 0)::numeric(6,2) as red_points,
       coalesce(d.yellow_cleared_count, 0)::integer as yellow_cleared_count,
       coalesce(d.yellow_points, 0)::numeric(6,2) as yellow_points,
       coalesce(d.late_publication_count, 0)::integer as late_publication_count,
       coalesce(d.late_publication_points, 0)::numeric(6,2) as late_publication_points,
       coalesce(d.deduction_total, 0)::numeric(8,2) as deduction_total,
       greatest(c.base_score - coalesce(d.deduction_total, 0), 0)::numeric(6,2) as score,
       round(t.on_time::numeric / nullif(t.settled, 0), 4)::numeric(7,4) as on_time_decision_rate,
       round(pb.on_time::numeric / nullif(pb.settled, 0), 4)::numeric(7,4) as on_time_publication_rate,
       round(lr.reviewed::numeric / nullif(lr.decided, 0), 4)::numeric(7,4) as legal_review_coverage,
       round(du.avg_days, 1)::numeric(10,1) as avg_days_to_decision,
       coalesce(ws.handled_count, 0)::integer as handled_case_count,
       coalesce(ws.warned_count, 0)::integer as warned_case_count,
       round(ws.warned_count::numeric / nullif(ws.handled_count, 0), 4)::numeric(7,4) as warning_case_share,
       (s.stat_month = p.as_of_month) as provisional,
       p.as_of_date
  from spine s
  cross join params p
  -- a month before the first valid_from has no score (shown empty, and named by a test)
  left join lateral (
        select * from {{ ref('performance_config') }} pc
         where pc.valid_from <= s.stat_month
         order by pc.valid_from desc
         limit 1) c on true
  left join deductions d on d.subject_code = s.subject_code and d.stat_month = s.stat_month
  left join warning_share ws on ws.subject_code = s.subject_code and ws.stat_month = s.stat_month
  left join decision_on_time t on t.subject_code = s.subject_code and t.stat_month = s.stat_month
  left join publication pb on pb.subject_code = s.subject_code and pb.stat_month = s.stat_month
  left join legal_review lr on lr.subject_code = s.subject_code and lr.stat_month = s.stat_month
  left join duration du on du.subject_code = s.subject_code and du.stat_month = s.stat_month
  left join {{ ref('zf01_subject') }} z on z.subject_code = s.subject_code
