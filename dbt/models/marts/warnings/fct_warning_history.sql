-- Every change of level of every warning, kept across runs: raised, turned_yellow, turned_red,
-- cleared. Incremental and never rebuilt (full_refresh: false), so the history outlives the cases
-- and the evaluations it was read from.
--
-- Each run compares the current evaluation (fct_rule_evaluation) with the last level this history
-- holds per warning and appends only the difference, so a second run for the same D adds nothing
-- and a later D adds only what changed. Events are dated by the rule (turned yellow on
-- yellow_from, red on red_from, cleared on done_date), not by the run: levels passed between two
-- runs are filled in with their own dates, and a first run over old cases writes their past too
-- (a timer done on time that was never yellow has nothing worth recording and writes nothing).
--  * a level that went down (an extension was approved, a date was corrected): 'cleared', then
--    'raised' at the new level, both on D, reason 期限变更;
--  * a cleared warning that runs again (its completion was withdrawn): 'raised' on D;
--  * a warning no longer evaluated (the case was revoked or not filed, deleted at its source, or
--    the rule became not judgeable): 'cleared' on D with the reason, so it stops counting as open.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
    post_hook=[
        "create unique index if not exists fct_warning_history_key on {{ this }} (history_key)",
        "create index if not exists fct_warning_history_last on {{ this }} (warning_key, observed_at desc, event_seq desc)",
        "create index if not exists fct_warning_history_effective on {{ this }} (effective_date)",
        "analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of, '{{ run_started_at.isoformat() }}'::timestamptz as observed_at
),

current_level as (
    select evaluation_key as warning_key, case_id, rule_id, item_ref, subject_code, region_code, level,
           trigger_date, yellow_from, red_from, done_date, cleared_late,
           rule_id in ('T01', 'T02', 'T04', 'T05', 'T06', 'T07', 'T09', 'T10') as is_timer
      from {{ ref('fct_rule_evaluation') }}
     where level in ('green', 'yellow', 'red', 'cleared')
),

previous as (
{% if is_incremental() %}
    select distinct on (h.warning_key)
           h.warning_key, h.level_to as level, h.case_id, h.rule_id, h.item_ref, h.subject_code, h.region_code
      from {{ this }} h
     order by h.warning_key, h.observed_at desc, h.event_seq desc
{% else %}
    select null::text as warning_key, null::text as level, null::text as case_id, null::text as rule_id,
           null::text as item_ref, null::text as subject_code, null::text as region_code
     where false
{% endif %}
),

paired as (
    select coalesce(c.warning_key, p.warning_key) as warning_key,
           coalesce(c.case_id, p.case_id) as case_id,
           coalesce(c.rule_id, p.rule_id) as rule_id,
           coalesce(c.item_ref, p.item_ref) as item_ref,
           coalesce(c.subject_code, p.subject_code) as subject_code,
           coalesce(c.region_code, p.region_code) as region_code,
           p.level as prev_level, c.level as cur_level,
           c.trigger_date, c.yellow_from, c.red_from, c.done_date, c.cleared_late, c.is_timer
      from current_level c
      full join previous p on p.warning_key = c.warning_key
     where c.level is distinct from p.level
       and not (c.level is null and p.level = 'cleared')
       and not (p.level is null and c.level = 'cleared' and c.yellow_from is null and c.red_from is null)
),

-- the levels a current evaluation went through, each with the day it began
path as (
    select q.*, s.level, s.effective_date, s.rank
      from paired q
     cross join lateral (values
        ('green', q.trigger_date, 1),
        ('yellow', q.yellow_from, 2),
        ('red', q.red_from, 3),
        ('cleared', q.done_date, 4)) as s(level, effective_date, rank)
     where q.cur_level is not null
       and s.effective_date is not null
       and (s.level <> 'green' or (q.is_timer and q.trigger_date < coalesce(q.yellow_from, q.red_from, q.done_date + 1, date 'infinity')))
       and (s.level <> 'cleared' or q.cur_level = 'cleared')
),

prev_rank as (
    select 'green' as level, 1 as rank union all select 'yellow', 2 union all select 'red', 3
    union all select 'cleared', 4
),

forward as (
    -- new warnings (their whole path) and warnings that went up (the levels after the last one)
    select p.warning_key, p.case_id, p.rule_id, p.item_ref, p.subject_code, p.region_code,
           p.level, p.effective_date, p.rank, p.prev_level, p.cleared_late
      from path p
      left join prev_rank pr on pr.level = p.prev_level
     where p.prev_level is null
        or (p.prev_level <> 'cleared' and pr.rank < (select rank from prev_rank where level = p.cur_level)
            and p.rank > pr.rank)
),

forward_events as (
    select f.*,
           lag(f.level) over (partition by f.warning_key order by f.rank) as step_from,
           row_number() over (partition by f.warning_key order by f.rank) as step_no
      from forward f
),

events as (
    select warning_key, case_id, rule_id, item_ref, subject_code, region_code,
           case when step_from is null and prev_level is null then 'raised'
                when level = 'yellow' then 'turned_yellow'
                when level = 'red' then 'turned_red'
                else 'cleared' end as event,
           coalesce(step_from, prev_level) as level_from,
           level as level_to,
           effective_date,
           step_no::int as event_seq,
           case when level = 'cleared' then coalesce(cleared_late, false) or prev_level = 'red' else false end as late,
           case when level = 'cleared' then '已完成' end as reason
      from forward_events
    union all
    -- went down, reopened, or no longer evaluated
    select q.warning_key, q.case_id, q.rule_id, q.item_ref, q.subject_code, q.region_code,
           x.event, x.level_from, x.level_to, (select as_of from params), x.event_seq, x.late, x.reason
      from paired q
      left join prev_rank pr on pr.level = q.prev_level
      left join prev_rank cr on cr.level = q.cur_level
     cross join lateral (values
        ('cleared', q.prev_level, 'cleared', 1, q.prev_level = 'red',
         case when q.cur_level is null then '不再评估（案件撤销、不予立案、来源记录删除或变为不可判定），计时停止'
              else '期限变更（延长或更正），重新评定' end),
        ('raised', 'cleared', q.cur_level, 2, false, case when q.prev_level = 'cleared' then '完成记录撤回，重新计时'
                                                        else '期限变更（延长或更正），重新评定' end)
     ) as x(event, level_from, level_to, event_seq, late, reason)
     where q.prev_level is not null
       and (q.cur_level is null or q.prev_level = 'cleared' or cr.rank < pr.rank)
       and (x.event_seq = 1 and q.prev_level <> 'cleared'
            or x.event_seq = 2 and q.cur_level is not null)
)

select
    md5(e.warning_key || '|' || e.event_seq || '|' || e.event || '|' || e.level_to || '|'
        || e.effective_date || '|' || p.observed_at)::text as history_key,
    e.warning_key::text as warning_key,
    e.case_id::text as case_id,
    e.rule_id::text as rule_id,
    e.item_ref::text as item_ref,
    e.subject_code::text as subject_code,
    e.region_code::text as region_code,
    e.event::text as event,
    e.level_from::text as level_from,
    e.level_to::text as level_to,
    e.effective_date::date as effective_date,
    p.observed_at::timestamptz as observed_at,
    p.as_of::date as as_of_date,
    e.late::boolean as late,
    e.event_seq::integer as event_seq,
    e.reason::text as reason
from events e
cross join params p
