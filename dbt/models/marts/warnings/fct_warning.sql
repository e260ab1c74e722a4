-- The warnings as of D: every running timer (green) and every yellow or red card, with the
-- deadline, what is left or overdue, and since when (by the rule's own dates). Cleared and
-- not-judgeable evaluations are not warnings (see fct_rule_evaluation for them).
{{ config(post_hook=[
    "create unique index if not exists fct_warning_key on {{ this }} (warning_key)",
    "create index if not exists fct_warning_subject on {{ this }} (subject_code, level)",
    "analyze {{ this }}"]) }}

with raised as (
    select warning_key, min(effective_date) as first_raised_on
      from {{ ref('fct_warning_history') }}
     where event = 'raised'
     group by warning_key
)

select
    e.evaluation_key::text as warning_key,
    e.case_id::text as case_id,
    e.case_no::text as case_no,
    e.rule_id::text as rule_id,
    e.rule_name::text as rule_name,
    e.item_ref::text as item_ref,
    e.level::text as level,
    (case e.level when 'green' then '绿牌' when 'yellow' then '黄牌' else '红牌' end)::text as level_label,
    e.due_date::date as due_date,
    e.days_left::integer as days_left,
    (case when e.level = 'red' and e.due_date is not null then greatest(e.as_of_date - e.due_date, 0) else 0 end)::integer
        as days_overdue,
    e.limit_unit::text as limit_unit,
    e.subject_code::text as subject_code,
    s.subject_name::text as subject_name,
    e.region_code::text as region_code,
    e.case_type::text as case_type,
    (case e.level when 'green' then e.trigger_date when 'yellow' then e.yellow_from else e.red_from end)::date
        as level_since,
    coalesce(r.first_raised_on, e.trigger_date)::date as first_raised_on,
    e.trigger_date::date as trigger_date,
    e.detail::text as detail,
    e.as_of_date::date as as_of_date
from {{ ref('fct_rule_evaluation') }} e
left join {{ ref('zf01_subject') }} s on s.subject_code = e.subject_code
left join raised r on r.warning_key = e.evaluation_key
where e.level in ('green', 'yellow', 'red')
