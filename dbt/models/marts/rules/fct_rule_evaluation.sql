-- Every rule evaluated per case as of D (supervision-rules.md): one row per (case, rule, item).
-- Timers show green while running, yellow and red as they age, cleared once done (late or not);
-- outright breaches are red (B02, A02 yellow); a rule the case's source cannot judge is
-- not_judgeable with the missing field, never green and never a warning.
{{ config(post_hook=[
    "create unique index if not exists fct_rule_evaluation_key on {{ this }} (evaluation_key)",
    "create index if not exists fct_rule_evaluation_subject on {{ this }} (subject_code, rule_id, level)",
    "analyze {{ this }}"]) }}

with evaluated as (
    select case_id, rule_id, item_ref, level, trigger_date, due_date, limit_value, limit_unit, days_left, done_date,
           yellow_from, red_from, cleared_late, missing_field, detail, as_of
      from {{ ref('int_rule_timer') }}
    union all
    select case_id, rule_id, item_ref, level, trigger_date, due_date, limit_value, limit_unit, days_left, done_date,
           yellow_from, red_from, cleared_late, missing_field, detail, as_of
      from {{ ref('int_rule_breach_time') }}
    union all
    select case_id, rule_id, item_ref, level, trigger_date, due_date, limit_value, limit_unit, days_left, done_date,
           yellow_from, red_from, cleared_late, missing_field, detail, as_of
      from {{ ref('int_rule_process') }}
    union all
    select case_id, rule_id, item_ref, level, trigger_date, due_date, limit_value, limit_unit, days_left, done_date,
           yellow_from, red_from, cleared_late, missing_field, detail, as_of
      from {{ ref('int_rule_behaviour') }}
    union all
    select case_id, rule_id, item_ref, level, trigger_date, due_date, limit_value, limit_unit, days_left, done_date,
           yellow_from, red_from, cleared_late, missing_field, detail, as_of
      from {{ ref('int_rule_anomaly') }}
)

select
    (e.case_id || '|' || e.rule_id || '|' || e.item_ref)::text as evaluation_key,
    e.case_id::text as case_id,
    c.case_no::text as case_no,
    e.rule_id::text as rule_id,
    {{ rule_name_sql('e.rule_id') }}::text as rule_name,
    e.item_ref::text as item_ref,
    c.case_type::text as case_type,
    c.subject_code::text as subject_code,
    c.region_code::text as region_code,
    c.source_system::text as source_system,
    e.level::text as level,
    e.trigger_date::date as trigger_date,
    e.due_date::date as due_date,
    e.limit_value::numeric as limit_value,
    e.limit_unit::text as limit_unit,
    e.days_left::integer as days_left,
    e.done_date::date as done_date,
    e.yellow_from::date as yellow_from,
    e.red_from::date as red_from,
    e.cleared_late::boolean as cleared_late,
    e.missing_field::text as missing_field,
    (e.detail || case when e.level = 'not_judgeable'
                           and e.missing_field = {{ source_gap_any('e.rule_id', 'c.source_system') }}
                      then '（来源系统' || c.source_system || '不提供该字段）'
                      when e.level = 'not_judgeable' and e.missing_field <> 'work_calendar'
                           and e.missing_field not like 'ZF02%' and e.missing_field not like '%（%'
                      then '（记录未填写该字段）' else '' end)::text as detail,
    e.as_of::date as as_of_date
from evaluated e
join {{ ref('zf10_case') }} c on c.case_id = e.case_id
