-- The monthly case-file review draw (案卷评查): for the month of D, per subject, the closed cases
-- the recorded seed selects. Every case is ordered by md5(seed || case_id) within its subject and
-- the first n are drawn, so anyone holding the seed and the population reproduces the sample.
--
-- Population of month M: cases closed (status 40 or 50) on or before the last day of M-1, minus
-- cases drawn in the `exclude_months` months before M. n = the subject's rate x its eligible
-- cases, rounded half up, at least min_cases and at most max_cases, never more than it has.
--
-- The hooks run in this model's transaction, so a draw is recorded whole or not at all:
-- * before: the month's seed is written to review.sample_draw unless it exists (a bureau may
--   enter a seed of its own beforehand, e.g. from a public lottery) or a later month was
--   already drawn (a build for a past D never adds a draw behind the recorded ones);
-- * after: the first run that finds the month unrecorded writes the drawn cases to
--   review.sample_case, and an empty review record for each to review.case_review.
-- Later runs of the same month recompute the draw from the same seed: `recorded` says whether
-- each case is in the recorded sample (one that is not reached the population after the draw:
-- the recorded sample stands, review.sample_case is what the bureau works from).
{{ config(
    pre_hook=[
        "insert into {{ source('review', 'sample_draw') }} (sample_month, seed, as_of_date, population_until)
         select date_trunc('month', {{ as_of_date() }})::date,
                replace(gen_random_uuid()::text, '-', ''),
                {{ as_of_date() }},
                (date_trunc('month', {{ as_of_date() }}) - interval '1 day')::date
          where not exists (select 1 from {{ source('review', 'sample_draw') }} d
                             where d.sample_month > date_trunc('month', {{ as_of_date() }})::date)
         on conflict (sample_month) do nothing"
    ],
    post_hook=[
        "insert into {{ source('review', 'sample_case') }}
                (sample_month, case_id, subject_code, case_no, case_type, closed_on, draw_rank, eligible_count, sample_size)
         select t.sample_month, t.case_id, t.subject_code, t.case_no, t.case_type, t.closed_on, t.draw_rank,
                t.eligible_count, t.sample_size
           from {{ this }} t
           join {{ source('review', 'sample_draw') }} d on d.sample_month = t.sample_month
          where d.recorded_at is null
         on conflict (sample_month, case_id) do nothing",
        "update {{ source('review', 'sample_draw') }} d
            set recorded_at = now(),
                case_count = (select count(*) from {{ source('review', 'sample_case') }} c where c.sample_month = d.sample_month),
                config = (select coalesce(jsonb_agg(to_jsonb(s) order by s.subject_code nulls first), '[]'::jsonb)
                            from {{ ref('sampling_config') }} s)
          where d.sample_month = date_trunc('month', {{ as_of_date() }})::date
            and d.recorded_at is null",
        "insert into {{ source('review', 'case_review') }} (sample_month, case_id)
         select c.sample_month, c.case_id
           from {{ source('review', 'sample_case') }} c
          where c.sample_month = date_trunc('month', {{ as_of_date() }})::date
         on conflict (sample_month, case_id) do nothing"
    ]
) }}

with params as (
    select {{ as_of_date() }} as as_of_date,
           date_trunc('month', {{ as_of_date() }})::date as sample_month
),

draw as (
    select d.sample_month, d.seed, d.population_until, d.recorded_at
      from {{ source('review', 'sample_draw') }} d
      join params p on p.sample_month = d.sample_month
),

default_config as (
    select * from {{ ref('sampling_config') }} where subject_code is null
),

closed as (
    select c.case_id, c.subject_code, c.case_no, c.case_type,
           (coalesce(c.closed_at, c.archived_at) at time zone 'Asia/Shanghai')::date as closed_on
      from {{ ref('zf10_case') }} c
     where c.status in ('40', '50')
       -- A case whose enforcement subject is unknown cannot be drawn for a subject: the quality
       -- gate holds it (ZF10 subject_code is required) until a steward names its subject.
       and c.subject_code is not null
),

eligible as (
    select k.*, dr.sample_month, dr.seed, dr.recorded_at,
           coalesce(sc.sample_rate, dc.sample_rate) as sample_rate,
           coalesce(sc.min_cases, dc.min_cases) as min_cases,
           coalesce(sc.max_cases, dc.max_cases) as max_cases
      from closed k
      cross join draw dr
      cross join default_config dc
      left join {{ ref('sampling_config') }} sc on sc.subject_code = k.subject_code
     where k.closed_on <= dr.population_until
       and not exists (
            select 1 from {{ source('review', 'sample_case') }} prev
             where prev.case_id = k.case_id
               and prev.sample_month < dr.sample_month
               and prev.sample_month >= (dr.sample_month - make_interval(months => coalesce(sc.exclude_months, dc.exclude_months)))::date)
),

ranked as (
    select e.*,
           row_number() over (partition by e.subject_code order by md5(e.seed || e.case_id), e.case_id) as draw_rank,
           count(*) over (partition by e.subject_code) as eligible_count
      from eligible e
),

sized as (
    select r.*,
           least(r.eligible_count,
                 greatest(r.min_cases, least(r.max_cases, round(r.sample_rate * r.eligible_count)::integer))) as sample_size
      from ranked r
)

select s.sample_month,
       s.subject_code::varchar(18) as subject_code,
       z.subject_name::text as subject_name,
       s.case_id::varchar(64) as case_id,
       s.case_no::varchar(100) as case_no,
       s.case_type::varchar(2) as case_type,
       s.closed_on,
       s.draw_rank::integer as draw_rank,
       s.eligible_count::integer as eligible_count,
       s.sample_size::integer as sample_size,
       s.seed::text as seed,
       -- an unrecorded month is recorded by this very run's hook
       (s.recorded_at is null
        or exists (select 1 from {{ source('review', 'sample_case') }} rc
                    where rc.sample_month = s.sample_month and rc.case_id = s.case_id)) as recorded,
       p.as_of_date
  from sized s
  cross join params p
  left join {{ ref('zf01_subject') }} z on z.subject_code = s.subject_code
 where s.draw_rank <= s.sample_size
