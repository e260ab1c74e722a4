-- Warning events counted per day, district and event: what the dashboard's trend of warnings
-- raised and cleared reads. fct_warning_history has a row per event (about four per case), so at a
-- million cases the trend summed some four million rows on every view; this holds a row per day,
-- district and event, tens of thousands in all.
--
-- The history only grows (full_refresh: false) and each run appends its events under the run's
-- observed_at, dated by the rule (effective_date), which may lie in the past. So a routine run
-- recounts just the days that received events since the last count (delete+insert on
-- effective_date), from the history's index on effective_date; --full-refresh recounts every day,
-- with the same result.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='effective_date',
    on_schema_change='fail',
    post_hook=["create index if not exists agg_warning_event_daily_date on {{ this }} (effective_date)"]) }}

with counted_days as (
{% if is_incremental() %}
    select distinct h.effective_date
      from {{ ref('fct_warning_history') }} h
     where h.observed_at > (select coalesce(max(last_observed_at), '-infinity') from {{ this }})
{% else %}
    select distinct h.effective_date from {{ ref('fct_warning_history') }} h
{% endif %}
)

select
    h.effective_date::date as effective_date,
    h.region_code::text as region_code,
    h.event::text as event,
    count(*)::bigint as event_count,
    (count(*) filter (where h.late))::bigint as late_count,
    max(h.observed_at)::timestamptz as last_observed_at
from {{ ref('fct_warning_history') }} h
where h.effective_date in (select effective_date from counted_days)
group by 1, 2, 3
