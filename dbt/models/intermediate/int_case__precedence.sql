-- Which source's record stands for a real case. A unit that moved from LG (or from monthly EX
-- reports) to LP keeps one case: the same subject with the same case number (compared as LG's
-- MariaDB compares keys: case-insensitive, surrounding spaces ignored) is the same real case, and
-- LP wins over LG, LG over EX. The losing record is left out of every standard dataset (ZF04 too,
-- unless another case names the party), with the case_id that superseded it kept here for
-- stewards. A case without subject or case number cannot be matched and stands on its own.
-- Incremental runs judge again every real case (identity) that a changed record holds now or
-- held before this run (int_run__scope, kind I), with all its records: the loser of a new
-- winner is rewritten here (kept = false), and the case-level models recompute it from here.
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='case_id', scope='pending',
          post_hook=["{{ int_indexes(['case_id'], extra=['_identity']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{%- if not execute or is_incremental() %}{% set filtered_lp = stg_lp__case_sql(keys=scope_keys('LP:case:')) %}{% endif %}
with changed as materialized (
    select case_id, 'LP' as source_system, 1 as source_rank, subject_code, case_no_key, source_ref as _scope
    from {% if is_incremental() %}({{ filtered_lp }}) c{% else %}{{ ref('stg_lp__case') }}{% endif %}
    union all
    select case_id, 'LG', 2, subject_code, case_no_key, _scope
    from {{ ref('int_lg__case') }}
    {%- if is_incremental() %} where _scope = any({{ scope_keys('') }}){% endif %}
    union all
    select case_id, 'EX', 3, subject_code, case_no_key, _scope
    from {{ ref('int_ex__case') }}
    {%- if is_incremental() %} where _scope = any({{ scope_keys('') }}){% endif %}
),

candidates as materialized (
    select *, subject_code || '|' || case_no_key as _identity from changed
{%- if is_incremental() %}
    union all
    -- the unchanged records of the same real cases
    select t.case_id, t.source_system, case t.source_system when 'LP' then 1 when 'LG' then 2 else 3 end,
           t.subject_code, t.case_no_key, t._scope, t._identity
    from {{ this }} t
    where t._identity = any(array(select subject_code || '|' || case_no_key from changed
                                  union select key from {{ ref('int_run__scope') }} where kind = 'I'))
      and not t._scope = any({{ scope_keys('') }})
{%- endif %}
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
       best_rank = source_rank as kept,
       _identity, _scope, {{ int_run_id() }} as _run_id
from matchable
union all
select case_id, source_system, subject_code, case_no_key, null, true, _identity, _scope, {{ int_run_id() }}
from candidates
where subject_code is null or case_no_key is null
