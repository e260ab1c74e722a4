-- The running timers of the time-limit rules (T01, T02, T04, T05, T06, T07, T09, T10), one row per
-- (case, rule, item): what starts the period, what ends it, the limit and its unit. Levels are
-- computed in int_rule_timer. A rule whose input the case's source cannot carry yields a row with
-- missing_field set (不可判定) instead of a timer. Revocation (90) and non-filing (91) stop every
-- timer of the case (supervision-rules.md, "Counting"), so such cases yield no timer rows here.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with cases as (
    select case_id, case_type, procedure, source_system, time_limit_extended, presumed_fields, registered_at,
           date_only_fields
      from {{ ref('zf10_case') }}
     where status not in ('90', '91')
),

penalty as (
    select c.case_id, c.procedure, c.source_system, p.decision_at, p.served_at, p.paid_at, p.penalty_kinds,
           p.fine_amount
      from cases c
      join {{ ref('zf12_penalty') }} p on p.case_id = c.case_id
     where c.case_type = '2'
),

t01 as (
    select c.case_id, 'T01'::text as rule_id, ''::text as item_ref,
           {{ local_day('c.registered_at') }} as trigger_date, c.registered_at as trigger_ts,
           {{ local_day('p.decision_at') }} as done_date, p.decision_at as done_ts,
           {{ rule_param('t01_limit_days') }}
             + case when c.time_limit_extended then {{ rule_param('t01_extension_days') }} else 0 end as limit_value,
           'calendar_day'::text as limit_unit, null::date as fixed_due_date,
           case when c.procedure is null then coalesce({{ source_gap('T01', 'c.source_system') }}, 'procedure') end
               as missing_field,
           '立案（registered_at）之日起' || ({{ rule_param('t01_limit_days') }}
               + case when c.time_limit_extended then {{ rule_param('t01_extension_days') }} else 0 end)::int
             || '日内应作出处罚决定（decision_at）'
             || case when c.time_limit_extended then '（已批准延长办案期限）' else '' end
             || case when 'time_limit_extended' = any(c.presumed_fields)
                     then '；来源系统不记录是否延长，按未延长推定' else '' end as detail
      from cases c
      left join {{ ref('zf12_penalty') }} p on p.case_id = c.case_id
     where c.case_type = '2' and (c.procedure = '2' or c.procedure is null)
),

t02 as (
    select case_id, 'T02', '', {{ local_day('decision_at') }}, decision_at,
           {{ local_day('served_at') }}, served_at,
           {{ rule_param('t02_limit_working_days') }}, 'working_day', null::date,
           {{ source_gap('T02', 'source_system') }},
           '处罚决定（decision_at）后' || {{ rule_param('t02_limit_working_days') }}::int
             || '个工作日内应送达决定书（served_at）'
      from penalty
     where decision_at is not null
),

t04 as (
    select case_id, 'T04', '', {{ local_day('served_at') }}, served_at,
           {{ local_day('paid_at') }}, paid_at,
           {{ rule_param('t04_limit_days') }}, 'calendar_day', null::date,
           {{ source_gap('T04', 'source_system') }},
           '决定书送达（served_at）之日起' || {{ rule_param('t04_limit_days') }}::int
             || '日内应缴纳罚款（paid_at），逾期每日加处3%罚款'
      from penalty
     where decision_at is not null
       and ('03' = any(penalty_kinds) or fine_amount > 0)
       and (served_at is not null or {{ source_gap('T04', 'source_system') }} is not null)
),

published as (
    select case_id, min(published_at) as published_at
      from {{ ref('zf30_publicity') }}
     group by case_id
),

t05 as (
    select p.case_id, 'T05', '', {{ local_day('p.decision_at') }}, p.decision_at,
           {{ local_day('pub.published_at') }}, pub.published_at,
           {{ rule_param('t05_limit_working_days') }}, 'working_day', null::date,
           case when pub.case_id is null then {{ source_gap('T05', 'p.source_system') }} end,
           '处罚决定（decision_at）后' || {{ rule_param('t05_limit_working_days') }}::int
             || '个工作日内应公示（ZF30.published_at）'
      from penalty p
      left join published pub on pub.case_id = p.case_id
     where p.decision_at is not null
       and not {{ publicity_exempt('p.procedure', 'p.penalty_kinds') }}
),

t06 as (
    select m.case_id, 'T06', m.measure_seq::text, {{ local_day('m.started_at') }}, m.started_at,
           {{ local_day('m.lifted_at') }}, m.lifted_at,
           least(coalesce(m.term_days, {{ rule_param('t06_max_term_days') }}), {{ rule_param('t06_max_term_days') }})
             + case when coalesce(m.extended_days, 0) > 0
                    then least(m.extended_days, {{ rule_param('t06_max_extended_days') }}) else 0 end,
           'calendar_day', null::date,
           {{ source_gap('T06', 'c.source_system') }},
           '第' || m.measure_seq || '项查封、扣押措施自实施（started_at）之日起期限届满应解除（lifted_at）'
             || case when m.term_days is null then '；未记录期限（term_days），按法定上限计'
                     when m.term_days > {{ rule_param('t06_max_term_days') }} then '；记录期限超过法定上限，按上限计'
                     else '' end
             || case when coalesce(m.extended_days, 0) > 0 then '；已延长' || m.extended_days || '日' else '' end
      from cases c
      join {{ ref('zf13_coercion') }} m on m.case_id = c.case_id
     where m.measure_code in ('02', '03')
),

t07 as (
    select m.case_id, 'T07', m.measure_seq::text, {{ local_day('m.started_at') }}, m.started_at,
           {{ local_day('m.approved_at') }}, m.approved_at,
           {{ rule_param('t07_limit_hours') }}, 'hour', null::date,
           coalesce({{ source_gap('T07', 'c.source_system') }},
                    -- a date-only value has no hour: the rules counted in hours do not judge it
                    nullif(concat_ws(',',
                        case when {{ is_date_only('m', 'started_at') }} then 'started_at（仅有日期）' end,
                        case when m.approved_at is not null and {{ is_date_only('m', 'approved_at') }}
                             then 'approved_at（仅有日期）' end), '')),
           '当场实施强制措施（started_at）后' || {{ rule_param('t07_limit_hours') }}::int
             || '小时内应补办负责人批准（approved_at）'
      from cases c
      join {{ ref('zf13_coercion') }} m on m.case_id = c.case_id
     where m.coercion_kind = '1'
       and (m.emergency or {{ source_gap('T07', 'c.source_system') }} is not null)
),

t09 as (
    select i.case_id, 'T09', '', {{ local_day('i.inspected_at') }}, i.inspected_at,
           {{ local_day('i.rectified_at') }}, i.rectified_at,
           (i.rectify_deadline - {{ local_day('i.inspected_at') }})::numeric, 'calendar_day', i.rectify_deadline,
           coalesce({{ source_gap('T09', 'c.source_system') }},
                    case when i.rectify_deadline is null then 'rectify_deadline' end),
           '责令整改期限（rectify_deadline）届满前应完成整改复查（rectified_at）'
      from cases c
      join {{ ref('zf11_inspection') }} i on i.case_id = c.case_id
     where i.result = '02' or {{ source_gap('T09', 'c.source_system') }} like 'result%'
),

stage_limit as (
    select case_type::text as case_type, stage_code::text as stage_code, limit_value::numeric as limit_value,
           day_type::text as day_type
      from {{ ref('stage_limit') }}
),

t10 as (
    select s.case_id, 'T10', s.seq::text, {{ local_day('s.entered_at') }}, s.entered_at,
           {{ local_day('s.completed_at') }}, s.completed_at,
           l.limit_value, l.day_type, null::date,
           null::text,
           '环节' || s.stage_code || '应在' || l.limit_value::int
             || case l.day_type when 'working_day' then '个工作日' else '日' end || '内完成（本局环节时限）'
      from cases c
      join {{ ref('zf20_case_step') }} s on s.case_id = c.case_id
      join stage_limit l on l.case_type = c.case_type and l.stage_code = s.stage_code
),

t10_not_judgeable as (
    -- a case whose source has no step records, of a type the bureau has set stage limits for
    select c.case_id, 'T10', '', {{ local_day('c.registered_at') }}, c.registered_at, null::date, null::timestamptz,
           null::numeric, null::text, null::date, {{ source_gap('T10', 'c.source_system') }},
           '本局环节时限'
      from cases c
     where {{ source_gap('T10', 'c.source_system') }} is not null
       and exists (select 1 from stage_limit l where l.case_type = c.case_type)
)

select * from t01
union all select * from t02
union all select * from t04
union all select * from t05
union all select * from t06
union all select * from t07
union all select * from t09
union all select * from t10
union all select * from t10_not_judgeable
