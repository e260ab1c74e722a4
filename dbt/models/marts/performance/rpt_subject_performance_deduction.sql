-- Every point deducted from a subject's monthly score (绩效评估倒查), one row per deduction,
-- each naming the warning (warning_key, history_key) and the case that cost it.
--  * red_warning: a warning's first red (raised red, or turned red) costs red_points in the
--    month it turned red by the rule (effective_date). Once per warning: a yellow that turned red
--    costs nothing more, and a warning re-raised after an extension or a withdrawn completion
--    does not pay twice.
--  * yellow_cleared: a warning that never went red and was cleared by completing the step
--    (reason 已完成) after being yellow costs yellow_points, in the month it cleared. Clearing
--    because the case was revoked, deleted or its deadline changed costs nothing.
--  * late_publication: a decision published after its publication deadline costs
--    late_publication_points in the month it was published, linked to the case's T05 warning.
-- Points come from the performance_config row in force for the month. Only what happened on or
-- before D counts.
with params as (
    select {{ as_of_date() }} as as_of_date
),

history as (
    select h.*
      from {{ ref('fct_warning_history') }} h
      cross join params p
     where h.effective_date <= p.as_of_date
),

-- each warning's costly event in one pass: its first red if it ever went red, else its first yellow
-- cleared by completion (an anti-join of the two sets, planned as a nested loop over CTE scans
-- whose row counts the planner cannot see, was quadratic: minutes at 100,000 cases)
costly as (
    select distinct on (h.warning_key) h.*, (h.level_to = 'red' and h.event in ('raised', 'turned_red')) as went_red
      from history h
     where (h.level_to = 'red' and h.event in ('raised', 'turned_red'))
        or (h.event = 'cleared' and h.level_from = 'yellow' and h.reason = '已完成')
     order by h.warning_key, (h.level_to = 'red' and h.event in ('raised', 'turned_red')) desc,
              h.effective_date, h.observed_at, h.event_seq
),

warning_events as (
    select case when went_red then 'red_warning' else 'yellow_cleared' end as reason, warning_key, history_key,
           case_id, null::text as case_no, rule_id, subject_code, effective_date
      from costly
),

-- the T05 warning of each case, when the history holds one (its first red, else its first event);
-- picked once per case here, since a lateral lookup into the CTE per publication is quadratic
t05_warning as (
    select distinct on (h.case_id) h.case_id, h.warning_key, h.history_key
      from history h
     where h.rule_id = 'T05'
     order by h.case_id, (h.level_to = 'red') desc, h.effective_date, h.observed_at, h.event_seq
),

late_publication as (
    select 'late_publication' as reason, w.warning_key, w.history_key, f.case_id, f.case_no, 'T05' as rule_id,
           f.subject_code,
           (f.published_at at time zone 'Asia/Shanghai')::date as effective_date
      from {{ ref('fct_publicity') }} f
      cross join params p
      left join t05_warning w on w.case_id = f.case_id
     where f.published_at is not null
       and f.published_on_time = false
       and (f.published_at at time zone 'Asia/Shanghai')::date <= p.as_of_date
),

deductions as (
    -- a case whose enforcement subject is unknown cannot cost a subject points: the quality gate
    -- holds it (ZF10 subject_code is required) until a steward names its subject
    select * from (
        select * from warning_events
        union all
        select * from late_publication) d
     where d.subject_code is not null
),

configured as (
    select d.*,
           date_trunc('month', d.effective_date)::date as stat_month,
           case d.reason when 'red_warning' then c.red_points
                         when 'yellow_cleared' then c.yellow_points
                         else c.late_publication_points end as points
      from deductions d
      -- no row in force: the deduction stays, without points, and a test names it
      left join lateral (
            select * from {{ ref('performance_config') }} pc
             where pc.valid_from <= date_trunc('month', d.effective_date)::date
             order by pc.valid_from desc
             limit 1) c on true
)

select md5(d.reason || '|' || coalesce(d.history_key, '') || '|' || d.case_id)::text as deduction_key,
       d.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       d.stat_month,
       d.reason::text as reason,
       (case d.reason when 'red_warning' then '红牌'
                      when 'yellow_cleared' then '黄牌（已消除）'
                      else '逾期公示' end)::text as reason_label,
       d.points::numeric(6,2) as points,
       d.warning_key::text as warning_key,
       d.history_key::text as history_key,
       d.case_id::varchar(64) as case_id,
       coalesce(d.case_no, e.case_no)::varchar(100) as case_no,
       d.rule_id::text as rule_id,
       r.rule_name::text as rule_name,
       d.effective_date,
       p.as_of_date
  from configured d
  cross join params p
  -- the case number as the evaluation knows it (a case gone from the sources keeps its deduction)
  left join {{ ref('fct_rule_evaluation') }} e on e.evaluation_key = d.warning_key
  left join {{ ref('dim_rule') }} r on r.rule_id = d.rule_id
  left join {{ ref('zf01_subject') }} s on s.subject_code = d.subject_code
