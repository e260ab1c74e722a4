-- The years the working-day calendar lacks for deadlines the rule marts could not judge
-- (fct_rule_evaluation: not_judgeable, missing_field 'work_calendar'): one row per year to append
-- to seeds/work_calendar.csv, from the first uncovered year up to the latest such trigger date.
-- Empty while every deadline falls inside the calendar. Its test warns naming each year, so the
-- build log, the operators' Airflow run and the stewards' dbt test results all show it.
{{ config(materialized='table') }}
with coverage as (
    select last_covered_day, extract(year from last_covered_day)::int as last_year
    from {{ ref('work_calendar_coverage') }}
),

blocked as (
    select count(*) as deadlines, count(distinct case_id) as cases, max(trigger_date) as latest_trigger
    from {{ ref('fct_rule_evaluation') }}
    where missing_field = 'work_calendar'
)

select y as missing_year,
       b.deadlines as deadlines_not_judged,
       b.cases as cases_affected,
       c.last_covered_day
from coverage c
cross join blocked b
cross join lateral generate_series(c.last_year + 1,
                                   greatest(c.last_year + 1, extract(year from b.latest_trigger)::int)) as y
where b.deadlines > 0
