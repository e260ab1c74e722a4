-- Behaviour rules B01–B03 (行为监察), as of D: B01 and B03 red, B02 yellow (a possible 一事二罚
-- for review), each on the decision it concerns.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of
),

penalty as (
    select c.case_id, c.subject_code, c.item_code, c.party_id, c.source_system, c.violation_at, c.found_at,
           c.status, {{ local_day('c.registered_at') }} as registered_day,
           p.decision_at, {{ local_day('p.decision_at') }} as decision_day, p.fine_amount, p.penalty_kinds
      from {{ ref('zf10_case') }} c
      left join {{ ref('zf12_penalty') }} p on p.case_id = c.case_id
     cross join params pr
     where c.case_type = '2'
       and {{ local_day('c.registered_at') }} <= pr.as_of
),

b01 as (
    select p.case_id, 'B01'::text as rule_id, ''::text as item_ref, 'red'::text as level,
           coalesce(p.decision_day, p.registered_day) as trigger_date, null::text as missing_field,
           '罚款' || p.fine_amount || '元，超出执法事项裁量基准'
             || coalesce(i.fine_min::text, '—') || '至' || coalesce(i.fine_max::text, '—') || '元' as detail
      from penalty p
      join {{ ref('zf03_item') }} i on i.item_code = p.item_code
     where p.fine_amount > 0
       and (p.decision_day <= (select as_of from params) or (p.decision_at is null and p.status in ('20', '30', '40', '50')))
       and (p.fine_amount < i.fine_min or p.fine_amount > i.fine_max)
),

fined as (
    select p.*,
           lag(p.decision_day) over w as previous_day,
           lag(p.case_id) over w as previous_case_id
      from penalty p
     where p.decision_day <= (select as_of from params)
       and ('03' = any(p.penalty_kinds) or p.fine_amount > 0)
       and p.party_id is not null and p.item_code is not null
       and p.status not in ('90', '91')
    window w as (partition by p.subject_code, p.party_id, p.item_code order by p.decision_at, p.case_id)
),

b02 as (
    select f.case_id, 'B02', '', 'yellow', f.decision_day, null::text,
           '同一执法主体对同一当事人就同一事项' || (f.decision_day - f.previous_day) || '日内两次罚款（前次案件 '
             || coalesce(pc.case_no, f.previous_case_id) || '），请核查是否一事二罚'
      from fined f
      left join {{ ref('zf10_case') }} pc on pc.case_id = f.previous_case_id
     where f.previous_day is not null
       and f.decision_day - f.previous_day <= {{ rule_param('b02_window_days') }}
),

b03 as (
    select p.case_id, 'B03', '', 'red', {{ local_day('p.found_at') }}, null::text,
           '违法行为发生（violation_at）' || to_char(p.violation_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')
             || '后超过追责时效' || coalesce(i.limitation_years, {{ rule_param('b03_default_limitation_years') }})::int
             || '年才被发现（found_at）' || to_char(p.found_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') || '，不得给予行政处罚'
      from penalty p
      left join {{ ref('zf03_item') }} i on i.item_code = p.item_code
     where p.violation_at is not null and p.found_at is not null
       and {{ local_day('p.found_at') }} <= (select as_of from params)
       and {{ local_day('p.found_at') }}
           > ({{ local_day('p.violation_at') }}
              + make_interval(years => coalesce(i.limitation_years, {{ rule_param('b03_default_limitation_years') }})::int))::date
    union all
    select p.case_id, 'B03', '', 'not_judgeable', p.registered_day, {{ source_gap('B03', 'p.source_system') }},
           '追责时效；不可判定：缺少 ' || {{ source_gap('B03', 'p.source_system') }}
      from penalty p
     where {{ source_gap('B03', 'p.source_system') }} is not null
),

all_rows as (
    select * from b01
    union all select * from b02
    union all select * from b03
)

select r.case_id, r.rule_id, r.item_ref, r.level, r.trigger_date,
       null::date as due_date, null::timestamptz as due_ts, null::numeric as limit_value, null::text as limit_unit,
       null::int as days_left, null::date as done_date,
       case when r.level = 'yellow' then r.trigger_date end as yellow_from,
       case when r.level = 'red' then r.trigger_date end as red_from,
       null::boolean as cleared_late, r.missing_field, r.detail, p.as_of
  from all_rows r
 cross join params p
