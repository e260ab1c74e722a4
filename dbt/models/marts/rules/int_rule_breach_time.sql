-- T03 and T08: "no earlier than N working days after" — an act done too soon (or, for T08, with
-- no demand notice at all) is red outright, on the day of the act. It holds when the working days
-- after the notice's date up to and including the act's date number at least N. Not a timer: a
-- notice with no act yet raises nothing. Revoked and non-filed cases are left out like every
-- time-limit rule.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of
),

cal as materialized (
    {{ working_calendar() }}
),

cases as (
    select case_id, case_type, procedure, status, source_system
      from {{ ref('zf10_case') }}
     where status not in ('90', '91')
),

acts as (
    select p.case_id, 'T03'::text as rule_id, ''::text as item_ref,
           p.hearing_notice_at as notice_at, p.hearing_at as act_at,
           {{ rule_param('t03_min_working_days') }} as min_days,
           false as notice_required,
           {{ source_gap('T03', 'c.source_system') }} as missing_field,
           '听证（hearing_at）应在听证通知送达（hearing_notice_at）后至少' as what
      from cases c
      join {{ ref('zf12_penalty') }} p on p.case_id = c.case_id
     where c.case_type = '2'
       and (p.hearing_at is not null
            or ({{ source_gap('T03', 'c.source_system') }} is not null and c.procedure is distinct from '1'
                and (p.decision_at is not null or c.status in ('20', '30', '40', '50'))))
    union all
    select m.case_id, 'T08', m.measure_seq::text,
           m.demand_notice_at, m.court_applied_at,
           {{ rule_param('t08_min_working_days') }},
           true,
           {{ source_gap('T08', 'c.source_system') }},
           '第' || m.measure_seq || '项：申请法院强制执行（court_applied_at）应在催告书送达（demand_notice_at）后至少'
      from cases c
      join {{ ref('zf13_coercion') }} m on m.case_id = c.case_id
     where m.court_applied_at is not null
        or ({{ source_gap('T08', 'c.source_system') }} is not null and m.coercion_kind = '2')
),

measured as (
    select a.*, p.as_of,
           {{ local_day('a.notice_at') }} as notice_day,
           {{ local_day('a.act_at') }} as act_day,
           ca.wd_seq - cn.wd_seq as working_days_between,
           ca.wd_seq is null or cn.wd_seq is null as beyond_calendar
      from acts a
     cross join params p
      left join cal cn on cn.cal_date = {{ local_day('a.notice_at') }}
      left join cal ca on ca.cal_date = {{ local_day('a.act_at') }}
     where a.missing_field is not null or {{ local_day('a.act_at') }} <= p.as_of
)

select case_id, rule_id, item_ref,
       case when missing_field is not null then 'not_judgeable'
            when notice_at is null and notice_required then 'red'
            when notice_at is null then 'red'
            when beyond_calendar then 'not_judgeable'
            else 'red' end as level,
       act_day as trigger_date,
       null::date as due_date, null::timestamptz as due_ts,
       min_days as limit_value, 'working_day'::text as limit_unit,
       case when missing_field is null and not beyond_calendar then working_days_between - min_days::int end as days_left,
       null::date as done_date, null::date as yellow_from,
       case when missing_field is null and not (notice_at is not null and beyond_calendar) then act_day end as red_from,
       null::boolean as cleared_late,
       case when missing_field is not null then missing_field
            when notice_at is not null and beyond_calendar then 'work_calendar' end as missing_field,
       what || min_days::int || '个工作日'
         || case when missing_field is not null then '；不可判定：缺少 ' || missing_field
                 when notice_at is null then '；' || to_char(act_day, 'YYYY-MM-DD') || '已实施，但无送达记录'
                 when beyond_calendar then '；日期超出工作日历覆盖范围，不予推算，请补充工作日历（work_calendar）'
                 else '；送达' || to_char(notice_day, 'YYYY-MM-DD') || '，实施' || to_char(act_day, 'YYYY-MM-DD')
                      || '，仅间隔' || working_days_between || '个工作日' end as detail,
       as_of
  from measured
 where missing_field is not null
    or notice_at is null
    or beyond_calendar
    or working_days_between < min_days
