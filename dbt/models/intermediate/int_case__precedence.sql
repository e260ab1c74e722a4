-- Which source's record stands for a real case. A unit that moved from LG (or from monthly EX
-- reports) to LP keeps one case: the same subject with the same case number (compared as LG's
-- MariaDB compares keys: case-insensitive, surrounding spaces ignored) is the same real case, and
-- LP wins over LG, LG over EX. The losing record is left out of every standard dataset (ZF04 too,
-- unless another case names the party), with the case_id that superseded it kept here for
-- stewards. A case without subject or case number cannot be matched and stands on its own.
with candidates as materialized (
    select case_id, 'LP' as source_system, 1 as source_rank, subject_code, case_no_key
    from {{ ref('stg_lp__case') }}
    union all
    select case_id, 'LG', 2, subject_code, case_no_key
    from {{ ref('int_lg__case') }}
    union all
    select case_id, 'EX', 3, subject_code, case_no_key
    from {{ ref('int_ex__case') }}
),

matchable as (
    select c.*,
           min(source_rank) over same_case as best_rank,
           first_value(case_id) over (same_case order by source_rank, case_id) as best_case_id
    from candidates c
    where subject_code is not null and case_no_key is not null
    window same_case as (partition by subject_code, case_no_key)
)

select case_id, source_system, subject_code, case_no_key,
       case when best_rank < source_rank then best_case_id end as superseded_by,
       best_rank = source_rank as kept
from matchable
union all
select case_id, source_system, subject_code, case_no_key, null, true
from candidates
where subject_code is null or case_no_key is null
