-- The data stewards' fix-and-replay workflow (expectations/README.md, "Stewards").
--
-- A steward never edits a source. A fix is a correction (record, field, new value, reason, who)
-- that dbt lays over the source's value on its next run, before the standard layer, but only
-- while the source still holds the value the steward saw (old_value): once the source changes
-- the field, the correction is flagged 'needs_review' instead of overwriting newer data. Nothing
-- is ever deleted: withdrawn and superseded corrections stay as history.

-- Full values (a corrected name or ID number is personal data): a schema no reader role is
-- granted. Dashboards read the masked view quality.correction_log.
create schema if not exists steward;

create table if not exists steward.correction (
    correction_id   bigserial primary key,
    dataset         text not null,                 -- ZF01 .. ZF30
    record_key      text not null,
    field           text not null,
    old_value       text,                          -- the source's value it replaces (quality.field_text form)
    new_value       text,                          -- null clears an optional field
    reason          text not null,
    entered_by      text not null,
    entered_at      timestamptz not null default now(),
    issue_id        bigint references quality.issue (issue_id),
    status          text not null default 'active'
                    check (status in ('active', 'needs_review', 'resolved_at_source', 'superseded', 'withdrawn')),
    applied_at      timestamptz,                   -- the first run that laid it over the source
    checked_at      timestamptz,                   -- the last run that judged it
    review_note     text,                          -- why it needs review (Chinese, masked)
    closed_at       timestamptz,                   -- withdrawn or superseded
    closed_by       text,
    closed_reason   text,
    check (old_value is distinct from new_value)
);
-- One live correction per field: a new one supersedes the old (kept, status 'superseded').
create unique index if not exists correction_one_live on steward.correction (dataset, record_key, field)
    where status in ('active', 'needs_review');
create index if not exists correction_record on steward.correction (dataset, record_key);

-- Waivers: who accepted an issue as it is, and why (the issue keeps status 'waived').
alter table quality.issue add column if not exists waived_by    text;
alter table quality.issue add column if not exists waive_reason text;
alter table quality.issue add column if not exists waived_at    timestamptz;
alter table quality.issue add column if not exists source_system text;
create index if not exists issue_record on quality.issue (dataset, record_key);

-- The rule catalogue: each rule's severity and meaning, written by the gate from
-- expectations/rules.py (the one place severities are set) on every run.
create table if not exists quality.rule (
    rule          text primary key,
    severity      text not null check (severity in ('blocking', 'warning')),
    title         text not null,
    description   text not null,
    applies_to    text not null
);

-- Masks a correction's value by the field it corrects (the standard's pii fields; ZF04's name
-- and number are masked whatever the party type, which a log cannot always know), and any
-- resident-ID shape in any value (resident_id_anywhere).
create or replace function quality.mask_field(dataset text, field text, v text) returns text
language sql immutable parallel safe as $$
  select quality.mask_ids_in_text(case
    when (dataset, field) in (('ZF02', 'officer_name'), ('ZF04', 'party_name'), ('ZF20', 'approver_name'))
      then quality.mask_person_name(v)
    when (dataset, field) = ('ZF02', 'id_no') then quality.mask_resident_id(v)
    when (dataset, field) = ('ZF04', 'credential_no') then quality.mask_other_credential(v)
    else v end)
$$;

-- What the stewards' dashboard reads. Every value here is masked.
create or replace view quality.correction_log as
select c.correction_id, c.dataset, c.record_key, c.field,
       quality.mask_field(c.dataset, c.field, c.old_value) as old_value_masked,
       quality.mask_field(c.dataset, c.field, c.new_value) as new_value_masked,
       c.reason, c.entered_by, c.entered_at, c.issue_id, c.status,
       case c.status when 'active' then case when c.applied_at is null then '待下次运行应用' else '已应用' end
                     when 'needs_review' then '来源已变更，待复核'
                     when 'resolved_at_source' then '来源已改为同一值'
                     when 'superseded' then '已被新的更正取代'
                     when 'withdrawn' then '已撤回' end as status_text,
       c.applied_at, c.checked_at, c.review_note, c.closed_at, c.closed_by, c.closed_reason
from steward.correction c;
comment on view quality.correction_log is '数据管理员的更正记录（值已按标准脱敏）：状态 active 已应用或待应用，needs_review 来源已变更待复核';

create or replace view quality.steward_queue as
select i.issue_id, i.dataset, i.record_key, i.rule, split_part(i.rule, ':', 1) as rule_id, i.severity,
       i.field, i.value_masked, i.message, i.source_ref, i.source_system, i.status,
       i.first_seen, i.last_seen, i.closed_at, i.waived_by, i.waive_reason, i.waived_at,
       r.title as rule_title,
       (i.status = 'open' and i.severity = 'blocking') as holds_push,
       c.correction_id, c.status as correction_status, c.new_value_masked as correction_value_masked,
       date_part('day', now() - i.first_seen)::int as open_days
from quality.issue i
left join quality.rule r on r.rule = split_part(i.rule, ':', 1)
left join lateral (
    select l.correction_id, l.status, l.new_value_masked from quality.correction_log l
    where l.dataset = i.dataset and l.record_key = i.record_key and l.field = i.field
    order by l.correction_id desc limit 1
) c on true
where i.status in ('open', 'waived');
comment on view quality.steward_queue is '数据管理员待处理队列：未关闭（open）与已豁免（waived）的质量问题，含规则说明、是否阻止推送、最近一次更正';

create or replace view quality.issue_summary as
select i.dataset, split_part(i.rule, ':', 1) as rule_id, i.severity, i.status, count(*) as issues,
       min(i.first_seen) as oldest_first_seen, max(i.last_seen) as latest_seen
from quality.issue i
group by 1, 2, 3, 4;
comment on view quality.issue_summary is '质量问题按数据集、规则、严重程度、状态汇总';
