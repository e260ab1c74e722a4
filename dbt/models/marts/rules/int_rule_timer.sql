-- Levels of the running timers (int_rule_timer_input) as of D, by supervision-rules.md:
--  * a period starts the day after its trigger; calendar-day deadlines = trigger + N, moved to the
--    next working day when that is not one; working-day deadlines = the N-th working day after the
--    trigger; hour limits (T07) = trigger + N hours, never moved; a fixed date (T09's rectification
--    deadline, set in the order itself, not counted in days) is not moved;
--  * yellow from the first day half the nominal limit is used (ceil: exactly half is yellow) or at
--    most yellow_days_left working days are left (day-counted limits only), whichever comes first;
--  * red from the day after the deadline as moved (hours: the day the deadline instant passes);
--  * done on or before D: cleared (late when done after the deadline).
-- Levels follow from the dates yellow_from / red_from, so the level as of D and the dates the
-- levels began can never disagree. A deadline (or trigger) outside the calendar is flagged
-- 不可判定 with missing_field 'work_calendar', never computed.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of,
           {{ rule_param('yellow_ratio') }} as yellow_ratio,
           {{ rule_param('yellow_days_left') }}::int as yellow_days_left
),

cal as materialized (
    {{ working_calendar() }}
),

workday as (
    select wd_seq, cal_date from cal where is_workday
),

coverage as (
    select min(cal_date) as first_day, max(cal_date) as last_day from cal
),

inputs as (
    select i.*, p.as_of, p.yellow_ratio, p.yellow_days_left,
           case when i.done_date <= p.as_of then i.done_date end as done_on,
           case when i.done_date <= p.as_of then i.done_ts end as done_on_ts
      from {{ ref('int_rule_timer_input') }} i
     cross join params p
     where i.trigger_date <= p.as_of
        -- a rule not judgeable for want of the very field that would start it still shows
        or (i.trigger_date is null and i.missing_field is not null)
),

judged as (
    select * from inputs where missing_field is null and limit_value is not null
),

nominal as (
    select j.*,
           ct.wd_seq as trigger_seq,
           case when j.limit_unit = 'calendar_day'
                then coalesce(j.fixed_due_date, j.trigger_date + j.limit_value::int) end as nominal_due,
           ceil(j.yellow_ratio * j.limit_value)::int as half_units
      from judged j
      left join cal ct on ct.cal_date = j.trigger_date
),

moved as (
    select n.*,
           case
               when n.limit_unit = 'calendar_day' and (n.fixed_due_date is not null or cn.is_workday) then cn.cal_date
               when n.limit_unit = 'calendar_day' then wn.cal_date
               when n.limit_unit = 'working_day' then ww.cal_date
           end as due_date,
           case when n.limit_unit = 'hour'
                then n.trigger_ts + make_interval(hours => n.limit_value::int) end as due_ts
      from nominal n
      left join cal cn on cn.cal_date = n.nominal_due
      left join workday wn on wn.wd_seq = cn.wd_seq + 1 and n.limit_unit = 'calendar_day'
                          and n.fixed_due_date is null and not cn.is_workday
      left join workday ww on ww.wd_seq = n.trigger_seq + n.limit_value::int and n.limit_unit = 'working_day'
),

dated as (
    select m.*,
           cd.wd_seq as due_seq,
           case m.limit_unit
               when 'calendar_day' then m.trigger_date + m.half_units
               when 'working_day' then wh.cal_date
               when 'hour' then {{ local_day("m.trigger_ts + make_interval(hours => 0, secs => m.yellow_ratio * m.limit_value * 3600) - interval '1 microsecond'") }}
           end as half_date,
           wl.cal_date as days_left_date,
           case when m.limit_unit = 'hour' then {{ local_day('m.due_ts') }} else m.due_date + 1 end as red_day
      from moved m
      left join cal cd on cd.cal_date = m.due_date
      left join workday wh on wh.wd_seq = m.trigger_seq + m.half_units and m.limit_unit = 'working_day'
      left join workday wl on wl.wd_seq = cd.wd_seq - m.yellow_days_left and m.limit_unit <> 'hour'
),

leveled as (
    select d.*,
           greatest(d.trigger_date, least(d.half_date, d.days_left_date)) as yellow_day,
           case when d.limit_unit = 'hour' then d.done_on_ts > d.due_ts else d.done_on > d.due_date end as late
      from dated d
),

evaluated as (
    select l.case_id, l.rule_id, l.item_ref,
           case when l.done_on is not null then 'cleared'
                when l.as_of >= l.red_day then 'red'
                when l.as_of >= l.yellow_day then 'yellow'
                else 'green' end as level,
           l.trigger_date,
           coalesce(l.due_date, {{ local_day('l.due_ts') }}) as due_date,
           l.due_ts,
           l.limit_value, l.limit_unit,
           case
               when l.limit_unit = 'calendar_day' then coalesce(l.due_date - l.done_on, l.due_date - l.as_of)
               when l.limit_unit = 'working_day' then l.due_seq - coalesce(cdone.wd_seq, cd.wd_seq)
               else floor(extract(epoch from (l.due_ts - coalesce(l.done_on_ts, {{ end_of_day('l.as_of') }}))) / 3600)::int
           end as days_left,
           l.done_on as done_date,
           case when l.limit_unit = 'hour' and l.done_on_ts is not null
                     and l.done_on_ts < l.trigger_ts + make_interval(secs => l.yellow_ratio * l.limit_value * 3600)
                then null
                when l.yellow_day <= coalesce(l.done_on, l.as_of) then l.yellow_day end as yellow_from,
           case when l.done_on is not null then case when l.late then l.red_day end
                when l.red_day <= l.as_of then l.red_day end as red_from,
           case when l.done_on is not null then l.late end as cleared_late,
           null::text as missing_field,
           l.detail
             || '；期限' || case when l.limit_unit = 'hour' then to_char(l.due_ts at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
                              else to_char(l.due_date, 'YYYY-MM-DD') end
             || case when l.limit_unit = 'calendar_day' and l.fixed_due_date is null and l.due_date <> l.nominal_due
                     then '（' || to_char(l.nominal_due, 'YYYY-MM-DD') || '为非工作日，顺延）' else '' end
             || case when l.done_on is not null then '；已于' || to_char(l.done_on, 'YYYY-MM-DD') || '完成'
                     || case when l.late then '（逾期）' else '' end else '' end as detail,
           l.as_of
      from leveled l
      left join cal cd on cd.cal_date = l.as_of
      left join cal cdone on cdone.cal_date = l.done_on
     where coalesce(l.due_date, {{ local_day('l.due_ts') }}) is not null
),

beyond_calendar as (
    select n.case_id, n.rule_id, n.item_ref, 'not_judgeable'::text as level, n.trigger_date,
           null::date as due_date, null::timestamptz as due_ts, n.limit_value, n.limit_unit, null::int as days_left,
           n.done_on as done_date, null::date as yellow_from, null::date as red_from, null::boolean as cleared_late,
           'work_calendar'::text as missing_field,
           n.detail || '；起算日或期限超出工作日历覆盖范围（' || to_char(cv.first_day, 'YYYY-MM-DD') || '至'
             || to_char(cv.last_day, 'YYYY-MM-DD') || '），不予推算，请补充工作日历（work_calendar）' as detail,
           n.as_of
      from moved n
      cross join coverage cv
     where n.due_date is null and n.due_ts is null
),

not_judgeable as (
    select i.case_id, i.rule_id, i.item_ref, 'not_judgeable', i.trigger_date, null::date, null::timestamptz,
           i.limit_value, i.limit_unit, null::int, null::date, null::date, null::date, null::boolean,
           coalesce(i.missing_field, 'limit_value'),
           i.detail || '；不可判定：' || case when i.missing_field is null then '时限未配置'
                                             else '缺少 ' || i.missing_field end,
           i.as_of
      from inputs i
     where i.missing_field is not null or i.limit_value is null
)

select * from evaluated
union all select * from beyond_calendar
union all select * from not_judgeable
