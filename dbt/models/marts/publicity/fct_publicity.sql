-- Publication of penalty decisions (执法公示) as of D: every decided penalty that must be published
-- (every decision except, by default, a warning alone under the summary procedure), by when (the
-- T05 limit in working days after the decision), whether and when it was published, and the text
-- to publish with personal data masked (standard `masking`).
--  * public_text is the published text when it is there and safe; it is regenerated from the
--    standard layer when missing, or when it shows a natural person's full name or credential
--    number; resident-ID numbers are masked in any text whatever the party (resident_id_anywhere).
--  * LG and EX have no publication record (ZF30 comes from LP only): without a ZF30 row their
--    status is 不可判定, never 逾期未公示.
--  * revoked (90) and non-filed (91) cases are not published.
{{ config(post_hook=[
    "create unique index if not exists fct_publicity_case on {{ this }} (case_id)",
    "analyze {{ this }}"]) }}

with params as (
    select {{ as_of_date() }} as as_of, {{ rule_param('t05_limit_working_days') }}::int as limit_days
),

cal as materialized (
    {{ working_calendar() }}
),

decided as (
    select c.case_id, c.case_no, c.subject_code, c.region_code, c.source_system, c.procedure, c.item_code,
           c.party_id, p.decision_no, p.decision_at, {{ local_day('p.decision_at') }} as decision_date,
           p.penalty_kinds, p.fine_amount, p.confiscation_amount
      from {{ ref('zf10_case') }} c
      join {{ ref('zf12_penalty') }} p on p.case_id = c.case_id
     cross join params pr
     where c.case_type = '2'
       and c.status not in ('90', '91')
       and p.decision_at is not null
       and {{ local_day('p.decision_at') }} <= pr.as_of
       and not {{ publicity_exempt('c.procedure', 'p.penalty_kinds') }}
),

published as (
    select case_id, published_at, withdrawn_at, public_text
      from (select z.*, row_number() over (partition by z.case_id order by z.published_at) as n
              from {{ ref('zf30_publicity') }} z) z
     where n = 1
),

kinds as (
    select d.case_id, string_agg(coalesce(cs.label, k.code), '、' order by k.code) as kind_labels
      from decided d
     cross join lateral unnest(d.penalty_kinds) as k(code)
      left join {{ ref('code_set') }} cs on cs.code_set = 'penalty_kind' and cs.code = k.code
     group by d.case_id
),

dated as (
    select d.*, pb.published_at, pb.withdrawn_at, pb.public_text as source_text,
           case when {{ local_day('pb.published_at') }} <= pr.as_of then {{ local_day('pb.published_at') }} end
               as published_on,
           w.cal_date as publish_due_date,
           pr.as_of,
           pb.case_id is null and d.source_system <> 'LP' as unknowable
      from decided d
     cross join params pr
      left join published pb on pb.case_id = d.case_id
      left join cal ct on ct.cal_date = d.decision_date
      left join cal w on w.wd_seq = ct.wd_seq + pr.limit_days and w.is_workday
),

texts as (
    select x.*,
           s.subject_name, i.item_name, pt.party_type, pt.party_name, pt.credential_type, pt.credential_no,
           k.kind_labels,
           coalesce(ct.label, '证件') as credential_label
      from dated x
      left join {{ ref('zf01_subject') }} s on s.subject_code = x.subject_code
      left join {{ ref('zf03_item') }} i on i.item_code = x.item_code
      left join {{ ref('zf04_party') }} pt on pt.party_id = x.party_id
      left join kinds k on k.case_id = x.case_id
      left join {{ ref('code_set') }} ct on ct.code_set = 'credential_type' and ct.code = pt.credential_type
),

checked as (
    select t.*,
           t.source_text is null or btrim(t.source_text) = ''
             or (t.party_type = '1' and char_length(t.party_name) >= 2 and strpos(t.source_text, t.party_name) > 0)
             or (t.party_type = '1' and t.credential_no is not null and strpos(t.source_text, t.credential_no) > 0)
             as regenerate
      from texts t
)

select
    case_id::text as case_id,
    case_no::text as case_no,
    decision_no::text as decision_no,
    subject_code::text as subject_code,
    subject_name::text as subject_name,
    region_code::text as region_code,
    decision_date::date as decision_date,
    true as must_publish,
    publish_due_date::date as publish_due_date,
    (case when published_on is not null then published_at end)::timestamptz as published_at,
    withdrawn_at::timestamptz as withdrawn_at,
    (case when published_on is not null and publish_due_date is not null then published_on <= publish_due_date end)::boolean
        as published_on_time,
    (case when publish_due_date is null or unknowable then null
          when published_on is not null then greatest(published_on - publish_due_date, 0)
          else greatest(as_of - publish_due_date, 0) end)::integer as days_late,
    (case when unknowable or publish_due_date is null then '不可判定'
          when published_on is not null and published_on <= publish_due_date then '已按时公示'
          when published_on is not null then '逾期公示'
          when as_of <= publish_due_date then '未公示未到期'
          else '逾期未公示' end)::text as status,
    {{ mask_resident_ids_in_text(
        "case when regenerate then
            coalesce(subject_name, subject_code) || '行政处罚决定信息公示：'
            || coalesce('决定书文号' || decision_no || '；', '')
            || '当事人' || coalesce(" ~ mask_party_name('party_type', 'party_name') ~ ", '（未登记）')
            || coalesce('（' || credential_label || '：' || " ~ mask_party_credential('party_type', 'credential_type', 'credential_no') ~ " || '）', '')
            || '；违法事项：' || coalesce(item_name, item_code, '（未登记）')
            || '；处罚种类：' || coalesce(kind_labels, '（未记录）')
            || coalesce('；罚款' || fine_amount::text || '元', '')
            || coalesce('；没收' || confiscation_amount::text || '元', '')
            || '；决定日期：' || to_char(decision_date, 'YYYY\"年\"MM\"月\"DD\"日\"') || '。'
         else source_text end") }}::text as public_text,
    (case when regenerate then '系统生成' else '来源公示内容' end)::text as text_origin,
    not unknowable as publicity_judgeable,
    as_of::date as as_of_date
from checked
