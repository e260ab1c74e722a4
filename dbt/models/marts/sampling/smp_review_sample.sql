-- Every recorded review sample with its reviewer's record: what the bureau works from. A view,
-- so a score entered in review.case_review shows at once; the reviewer's name is masked as the
-- standard's person_name (analysts and dashboards read this, never the review schema).
{{ config(materialized='view') }}

select c.sample_month,
       c.subject_code::varchar(18) as subject_code,
       z.subject_name::text as subject_name,
       c.case_id::varchar(64) as case_id,
       c.case_no::varchar(100) as case_no,
       c.case_type::varchar(2) as case_type,
       c.closed_on,
       c.draw_rank,
       c.eligible_count,
       c.sample_size,
       d.seed::text as seed,
       d.drawn_at,
       {{ mask_person_name('r.reviewer') }}::text as reviewer_masked,
       r.score,
       r.grade,
       {{ mask_resident_ids_in_text('r.findings') }}::text as findings,
       r.reviewed_at,
       (r.score is not null) as reviewed
  from {{ source('review', 'sample_case') }} c
  join {{ source('review', 'sample_draw') }} d on d.sample_month = c.sample_month
  left join {{ source('review', 'case_review') }} r on r.sample_month = c.sample_month and r.case_id = c.case_id
  left join {{ ref('zf01_subject') }} z on z.subject_code = c.subject_code
