-- Process rules P01–P06 (流程监察): each breach is red outright, one row per case (P04: per step),
-- dated by the act that broke the rule. Cases whose source cannot carry a rule's input are
-- reported 不可判定 with the missing field instead. Only what happened up to D counts.
{{ config(contract={'enforced': false}, post_hook=["analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of
),

cases as (
    select c.case_id, c.case_type, c.procedure, c.status, c.source_system, c.officer_cert_nos,
           c.registered_at, c.closed_at, c.archived_at, c.party_id, c.item_code,
           {{ local_day('c.registered_at') }} as registered_day
      from {{ ref('zf10_case') }} c
     cross join params p
     where {{ local_day('c.registered_at') }} <= p.as_of
),

penalty as (
    select c.*, pn.decision_no, pn.decision_at, pn.penalty_kinds, pn.fine_amount, pn.legal_review_at,
           pn.notified_at, pn.hearing_requested, pn.hearing_at, pn.served_at,
           pn.case_id is not null as has_penalty_record,
           {{ is_date_only('pn', 'decision_at') }} as decision_date_only,
           {{ is_date_only('pn', 'notified_at') }} as notified_date_only,
           {{ is_date_only('pn', 'legal_review_at') }} as review_date_only,
           pt.party_type
      from cases c
      left join {{ ref('zf12_penalty') }} pn on pn.case_id = c.case_id
      left join {{ ref('zf04_party') }} pt on pt.party_id = c.party_id
     where c.case_type = '2'
),

steps as (
    select s.case_id, s.seq, s.stage_code, s.entered_at, s.completed_at, s.handler_cert_no,
           {{ is_date_only('s', 'entered_at') }} as entered_date_only,
           {{ local_day('s.entered_at') }} as entered_day,
           case when {{ local_day('s.completed_at') }} <= p.as_of then {{ local_day('s.completed_at') }} end as completed_day
      from {{ ref('zf20_case_step') }} s
     cross join params p
     where {{ local_day('s.entered_at') }} <= p.as_of
),

-- P01 ----------------------------------------------------------------------------------------
penalty_steps as (
    select s.*, substr(s.stage_code, 2)::int as stage_no,
           max(substr(s.stage_code, 2)::int) over (partition by s.case_id order by s.seq
                                                     rows between unbounded preceding and 1 preceding) as higher_before
      from steps s
     where s.stage_code ~ '^C[1-8]$'
),

p01_case as (
    select s.case_id,
           min(s.entered_day) filter (where s.stage_no < s.higher_before) as order_breach_day,
           (array_agg('环节' || s.stage_code || '（第' || s.seq || '条）记录在C' || s.higher_before || '之后' order by s.seq)
               filter (where s.stage_no < s.higher_before))[1] as order_breach,
           min(s.entered_at) filter (where s.stage_code = 'C5') as c5_at,
           bool_or(s.entered_date_only) filter (where s.stage_code = 'C5') as c5_date_only,
           min(s.entered_at) filter (where s.stage_code = 'C4') as c4_at,
           bool_or(s.entered_date_only) filter (where s.stage_code = 'C4') as c4_date_only
      from penalty_steps s
     group by s.case_id
),

p01_input as (
    select p.*, ps.order_breach_day, ps.order_breach,
           coalesce(p.decision_at, ps.c5_at) as decided_at,
           case when p.decision_at is not null then p.decision_date_only else ps.c5_date_only end as decided_date_only,
           case when p.notified_at is null or ps.c4_at < p.notified_at then ps.c4_at else p.notified_at end as told_at,
           case when p.notified_at is null or ps.c4_at < p.notified_at then ps.c4_date_only else p.notified_date_only end
               as told_date_only
      from penalty p
      left join p01_case ps on ps.case_id = p.case_id
     where p.procedure = '2'
),

p01_checked as (
    select i.*,
           i.decided_at is not null and {{ local_day('i.decided_at') }} <= (select as_of from params)
               and (i.told_at is null
                    or not {{ happened_before('i.told_at', 'coalesce(i.told_date_only, false)', 'i.decided_at', 'coalesce(i.decided_date_only, false)') }})
               as untold,
           i.decided_at is not null and {{ local_day('i.decided_at') }} <= (select as_of from params)
               and coalesce(i.hearing_requested, false)
               and (i.hearing_at is null or i.hearing_at >= i.decided_at) as unheard
      from p01_input i
),

p01 as (
    select case_id, 'P01'::text as rule_id, ''::text as item_ref, 'red'::text as level,
           least(order_breach_day, case when untold or unheard then {{ local_day('decided_at') }} end) as trigger_date,
           null::text as missing_field,
           concat_ws('；', order_breach,
                     case when untold then '作出决定前未告知（无 notified_at 或 C4 环节早于决定）' end,
                     case when unheard then '当事人申请听证（hearing_requested）但决定前未举行听证（hearing_at）' end)
             || case when source_system = 'LG' then '（来源系统不记录听证申请，未检查听证）' else '' end as detail
      from p01_checked
     where source_system is distinct from 'EX'
       and (order_breach is not null or untold or unheard)
    union all
    select case_id, 'P01', '', 'not_judgeable', registered_day, {{ source_gap('P01', 'source_system') }},
           '普通程序处罚环节顺序、告知与听证；不可判定：缺少 ' || {{ source_gap('P01', 'source_system') }}
      from penalty
     where {{ source_gap('P01', 'source_system') }} is not null
       and (decision_at is not null or status in ('20', '30', '40', '50'))
       and procedure is distinct from '1'
),

-- P02 ----------------------------------------------------------------------------------------
p02_input as (
    select p.*, i.legal_review_required,
           case p.party_type when '2' then {{ rule_param('p02_review_fine_party_2') }}
                             when '3' then {{ rule_param('p02_review_fine_party_3') }}
                             when '4' then {{ rule_param('p02_review_fine_party_4') }}
                             else {{ rule_param('p02_review_fine_party_1') }} end as review_threshold
      from penalty p
      left join {{ ref('zf03_item') }} i on i.item_code = p.item_code
     where p.decision_at is not null
       and {{ local_day('p.decision_at') }} <= (select as_of from params)
),

p02 as (
    select case_id, 'P02', '',
           case when {{ source_gap('P02', 'source_system') }} is not null then 'not_judgeable' else 'red' end,
           {{ local_day('decision_at') }},
           {{ source_gap('P02', 'source_system') }},
           case when coalesce(legal_review_required, false) then '执法事项须经法制审核'
                else '罚款' || fine_amount || '元超过法制审核标准' || review_threshold || '元' end
             || case when {{ source_gap('P02', 'source_system') }} is not null
                     then '；不可判定：缺少 ' || {{ source_gap('P02', 'source_system') }}
                     when legal_review_at is null then '，未记录法制审核（legal_review_at）即作出决定'
                     else '，法制审核（' || to_char(legal_review_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')
                          || '）晚于决定（' || to_char(decision_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') || '）' end
      from p02_input
     where (coalesce(legal_review_required, false) or fine_amount > review_threshold)
       and ({{ source_gap('P02', 'source_system') }} is not null
            or legal_review_at is null
            or not {{ happened_before('legal_review_at', 'review_date_only', 'decision_at', 'decision_date_only') }})
),

-- P03 / P04: a certificate is valid on a day when the day lies in its term and it is neither
-- suspended (02) nor cancelled (03); 04 (expired) is judged by the dates alone.
officer as (
    select cert_no, cert_valid_from, cert_valid_to, cert_status from {{ ref('zf02_officer') }}
),

p03_certs as (
    select c.case_id, count(distinct o.cert_no) filter (
               where c.registered_day between o.cert_valid_from and o.cert_valid_to
                 and o.cert_status not in ('02', '03')) as valid_certs,
           count(distinct u.cert_no) as listed_certs,
           count(distinct u.cert_no) filter (where o.cert_no is null) as unregistered_certs
      from cases c
     cross join lateral unnest(c.officer_cert_nos) as u(cert_no)
      left join officer o on o.cert_no = u.cert_no
     group by c.case_id
),

p03 as (
    select c.case_id, 'P03', '', 'red', c.registered_day, null::text,
           '立案（registered_at）当日持有效执法证的承办人员' || coalesce(pc.valid_certs, 0) || '人，少于'
             || need.n::int || '人'
             || case when coalesce(pc.unregistered_certs, 0) > 0
                     then '（其中' || pc.unregistered_certs || '个执法证号未在执法人员库登记）' else '' end
      from cases c
      left join p03_certs pc on pc.case_id = c.case_id
     cross join lateral (select case when c.case_type = '2' and c.procedure = '1'
                                      then {{ rule_param('p03_min_officers_summary') }}
                                      else {{ rule_param('p03_min_officers') }} end as n) need
     where coalesce(pc.valid_certs, 0) < need.n
),

p04 as (
    select s.case_id, 'P04', s.seq::text,
           case when o.cert_no is null then 'not_judgeable' else 'red' end,
           case when o.cert_no is null or o.cert_status in ('02', '03') or s.entered_day < o.cert_valid_from
                then s.entered_day else o.cert_valid_to + 1 end,
           case when o.cert_no is null then 'ZF02.cert_no' end,
           '环节' || s.stage_code || '（第' || s.seq || '条）经办人执法证' || s.handler_cert_no
             || case when o.cert_no is null then '未在执法人员库登记；不可判定：缺少 ZF02.cert_no'
                     when o.cert_status = '02' then '已暂扣'
                     when o.cert_status = '03' then '已注销'
                     when s.entered_day < o.cert_valid_from then '在环节开始时尚未生效（有效期起' || to_char(o.cert_valid_from, 'YYYY-MM-DD') || '）'
                     else '在环节办理期间已过有效期（有效期止' || to_char(o.cert_valid_to, 'YYYY-MM-DD') || '）' end
      from steps s
     cross join params p
      left join officer o on o.cert_no = s.handler_cert_no
     where s.handler_cert_no is not null
       and (o.cert_no is null
            or o.cert_status in ('02', '03')
            or s.entered_day < o.cert_valid_from
            or coalesce(s.completed_day, p.as_of) > o.cert_valid_to)
    union all
    select c.case_id, 'P04', '', 'not_judgeable', c.registered_day, {{ source_gap('P04', 'c.source_system') }},
           '经办人执法证有效性；不可判定：缺少 ' || {{ source_gap('P04', 'c.source_system') }}
      from cases c
     where {{ source_gap('P04', 'c.source_system') }} is not null
),

-- P05: only fields the case's source can carry are demanded (a missing field the source has no
-- place for is not the unit's breach).
open_measures as (
    select m.case_id, string_agg('lifted_at（第' || m.measure_seq || '项）', ',' order by m.measure_seq) as missing
      from {{ ref('zf13_coercion') }} m
     where m.measure_code in ('02', '03') and m.lifted_at is null
     group by m.case_id
),

p05_input as (
    select c.case_id, c.registered_day,
           concat_ws(',',
               case when c.case_type = '2' and c.status in ('20', '30', '40', '50') then
                   nullif(concat_ws(',', case when pn.decision_no is null then 'decision_no' end,
                                  case when pn.decision_at is null then 'decision_at' end,
                                  case when coalesce(cardinality(pn.penalty_kinds), 0) = 0 then 'penalty_kinds' end), '') end,
               case when c.status in ('40', '50') and c.closed_at is null then 'closed_at' end,
               case when c.status in ('40', '50') and c.case_type = '2' and pn.served_at is null
                         and c.source_system is distinct from 'EX' then 'served_at' end,
               case when c.status in ('40', '50') and c.case_type = '3' and c.source_system is distinct from 'EX'
                    then om.missing end,
               case when c.status = '50' and c.archived_at is null and c.source_system is distinct from 'EX'
                    then 'archived_at' end,
               case when c.case_type = '1' and i.result = '02' and i.rectify_deadline is null
                         and c.source_system = 'LP' then 'rectify_deadline' end) as missing
      from cases c
      left join {{ ref('zf12_penalty') }} pn on pn.case_id = c.case_id
      left join {{ ref('zf11_inspection') }} i on i.case_id = c.case_id
      left join open_measures om on om.case_id = c.case_id
),

p05 as (
    select i.case_id, 'P05', '', 'red', i.registered_day, null::text,
           '案件状态为“' || coalesce(cs.label, c.status) || '”，但缺少：' || i.missing
      from p05_input i
      join cases c on c.case_id = i.case_id
      left join {{ ref('code_set') }} cs on cs.code_set = 'case_status' and cs.code = c.status
     where i.missing <> ''
),

-- P06 ----------------------------------------------------------------------------------------
p06_input as (
    select p.*,
           case p.party_type when '2' then {{ rule_param('p06_summary_fine_party_2') }}
                             when '3' then {{ rule_param('p06_summary_fine_party_3') }}
                             when '4' then {{ rule_param('p06_summary_fine_party_4') }}
                             else {{ rule_param('p06_summary_fine_party_1') }} end as ceiling
      from penalty p
     where p.fine_amount > 0
),

p06 as (
    select case_id, 'P06', '', 'red', coalesce({{ local_day('decision_at') }}, registered_day), null::text,
           '简易程序罚款' || fine_amount || '元，超过该类当事人的简易程序上限' || ceiling || '元'
      from p06_input
     where procedure = '1' and fine_amount > ceiling
    union all
    select case_id, 'P06', '', 'not_judgeable', coalesce({{ local_day('decision_at') }}, registered_day),
           {{ source_gap('P06', 'source_system') }},
           '简易程序适用范围；不可判定：缺少 ' || {{ source_gap('P06', 'source_system') }}
      from p06_input
     where procedure is null and {{ source_gap('P06', 'source_system') }} is not null and fine_amount > ceiling
),

all_rows as (
    select * from p01
    union all select * from p02
    union all select * from p03
    union all select * from p04
    union all select * from p05
    union all select * from p06
)

select r.case_id, r.rule_id, r.item_ref, r.level, r.trigger_date,
       null::date as due_date, null::timestamptz as due_ts, null::numeric as limit_value, null::text as limit_unit,
       null::int as days_left, null::date as done_date, null::date as yellow_from,
       case when r.level = 'red' then r.trigger_date end as red_from,
       null::boolean as cleared_late, r.missing_field, r.detail, p.as_of
  from all_rows r
 cross join params p
