-- How far the working-day calendar reaches. Marts must flag, never silently compute, a deadline
-- past last_covered_day (supervision-rules.md): they read it here. A new year's rows appended to
-- seeds/work_calendar.csv move it on with the next `dbt build`, no code change.
select
    min(date) as first_covered_day,
    max(date) as last_covered_day,
    count(*) as days,
    count(*) filter (where is_workday) as working_days
from {{ ref('work_calendar') }}
