-- Anomaly rules A01–A03 (异常监察), as of D.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of,
           {{ rule_param('a01_stale_days') }}::int as stale_days,
           ({{ rule_param('a01_stale_days') }} * {{ rule_param('a01_red_factor') }})::int as red_days
),

cases as (
    select c.*, {{ local_day('c.registered_at') }} as registered_day
      from {{ ref('zf10_case') }} c
     cross join params p
     where {{ local_day('c.registered_at') }} <= p.as_of
),

-- A01: the last day a step was entered or completed (up to D); a case with no step counts from
-- its filing.
activity as (
    select s.case_id,
           max(greatest({{ local_day('s.entered_at') }},
                        case when {{ local_day('s.completed_at') }} <= p.as_of then {{ local_day('s.completed_at') }} end))
               as last_day
      from {{ ref('zf20_case_step') }} s
     cross join params p
     where {{ local_day('s.entered_at') }} <= p.as_of
     group by s.case_id
),

a01 as (
    select c.case_id, 'A01'::text as rule_id, ''::text as item_ref,
           case when {{ source_gap('A01', 'c.source_system') }} is not null then 'not_judgeable'
                when p.as_of - coalesce(a.last_day, c.registered_day) >= p.red_days then 'red'
                else 'yellow' end as level,
           coalesce(a.last_day, c.registered_day) as trigger_date,
           case when {{ source_gap('A01', 'c.source_system') }} is null
                then coalesce(a.last_day, c.registered_day) + p.stale_days end as yellow_from,
           case when {{ source_gap('A01', 'c.source_system') }} is null
                 and p.as_of - coalesce(a.last_day, c.registered_day) >= p.red_days
                then coalesce(a.last_day, c.registered_day) + p.red_days end as red_from,
           {{ source_gap('A01', 'c.source_system') }} as missing_field,
           case when {{ source_gap('A01', 'c.source_system') }} is not null
                then '未结案件无进展监测；不可判定：缺少 ' || {{ source_gap('A01', 'c.source_system') }}
                else '未结案件自' || to_char(coalesce(a.last_day, c.registered_day), 'YYYY-MM-DD')
                     || case when a.last_day is null then '立案后无任何环节记录，' else '最后一次环节进入或完成后，' end
                     || '已' || (p.as_of - coalesce(a.last_day, c.registered_day)) || '日无进展' end as detail
      from cases c
     cross join params p
      left join activity a on a.case_id = c.case_id
     where c.status in ('10', '20', '30')
       and ({{ source_gap('A01', 'c.source_system') }} is not null
            or p.as_of - coalesce(a.last_day, c.registered_day) >= p.stale_days)
),

a02 as (
    select c.case_id, 'A02', '', 'yellow', {{ local_day('pn.decision_at') }},
           {{ local_day('pn.decision_at') }}, null::date, null::text,
           '案件已于' || to_char(pn.decision_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')
             || '作出处罚决定后被撤销，请复核'
      from cases c
      join {{ ref('zf12_penalty') }} pn on pn.case_id = c.case_id
     where c.status = '90' and pn.decision_at is not null
),

-- A03: a record changed after the case was archived. record_version is when a record last
-- changed; the change that archives a case is itself recorded at or after archived_at (LP stamps
-- the case and its C8 step with the time of that change; LG's versions are when the pipeline
-- first saw the archive step), so comparing with archived_at would flag every archived case.
-- The archiving change is dated by the case's C8 (归档) step: the earliest version among its C8
-- steps; a case archived without a C8 step is dated by its own version (only later changes of
-- its other records can then be seen). A record whose version is later than that change was
-- changed after archiving.
archiving as (
    select c.case_id, c.case_no, coalesce(min(s.record_version), c.record_version) as archived_change_at
      from cases c
      left join {{ ref('zf20_case_step') }} s on s.case_id = c.case_id and s.stage_code = 'C8'
     where c.archived_at is not null
     group by c.case_id, c.case_no, c.record_version
),

case_records as (
    select case_id, 'ZF10' as dataset, record_version from {{ ref('zf10_case') }}
    union all select case_id, 'ZF11', record_version from {{ ref('zf11_inspection') }}
    union all select case_id, 'ZF12', record_version from {{ ref('zf12_penalty') }}
    union all select case_id, 'ZF13', record_version from {{ ref('zf13_coercion') }}
    union all select case_id, 'ZF20', record_version from {{ ref('zf20_case_step') }}
),

a03_changes as (
    select a.case_id, r.dataset, max(r.record_version) as changed_at
      from archiving a
      join case_records r on r.case_id = a.case_id
     cross join params p
     where r.record_version > a.archived_change_at
       and {{ local_day('r.record_version') }} <= p.as_of
     group by a.case_id, r.dataset
),

a03 as (
    select x.case_id, 'A03', '', 'red', min({{ local_day('x.changed_at') }}), null::date,
           min({{ local_day('x.changed_at') }}), null::text,
           '案件归档后记录仍被修改：'
             || string_agg(x.dataset || '（' || to_char(x.changed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') || '）',
                           '，' order by x.dataset)
      from a03_changes x
     group by x.case_id
),

all_rows as (
    select case_id, rule_id, item_ref, level, trigger_date, yellow_from, red_from, missing_field, detail from a01
    union all select * from a02
    union all select * from a03
)

select r.case_id, r.rule_id, r.item_ref, r.level, r.trigger_date,
       null::date as due_date, null::timestamptz as due_ts,
       case when r.rule_id = 'A01' then p.stale_days::numeric end as limit_value,
       case when r.rule_id = 'A01' then 'calendar_day' end as limit_unit,
       null::int as days_left, null::date as done_date, r.yellow_from, r.red_from,
       null::boolean as cleared_late, r.missing_field, r.detail, p.as_of
  from all_rows r
 cross join params p
