-- The working-day calendar as the rules use it: wd_seq numbers the working days in order (a
-- non-working day carries the number of the last working day before it), so "working days after
-- day A up to and including day B" is wd_seq(B) - wd_seq(A) and "the N-th working day after A" is
-- the working day numbered wd_seq(A) + N: joins on a 4,000-row table, never a loop per case.
{{ config(post_hook=[
    "create unique index if not exists dim_work_calendar_day on {{ this }} (cal_date)",
    "create index if not exists dim_work_calendar_workday_seq on {{ this }} (wd_seq) where is_workday",
    "analyze {{ this }}"]) }}

select c.cal_date, c.is_workday, c.wd_seq, w.note::text as note
  from ({{ working_calendar() }}) c
  join {{ ref('work_calendar') }} w on w.date = c.cal_date
