-- EX cases: the same case (EX:<subject_code>:<case number>) can be reported again in a later
-- month's file, usually with a later status. Precedence: the newest report month wins; within
-- a month the later arrival (a corrected file supersedes the earlier one already, in
-- stg_ex__file), then the later row. A case whose winning row is a deletion is gone.
-- EX carries no division: the subject's (from the LP registry) is presumed.
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='case_id', scope='pending',
          post_hook=["{{ int_indexes(['case_id'], extra=['party_id', 'subject_code', '_source_key']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{%- if not execute or is_incremental() %}{% set filtered_rows = stg_ex__case_row_sql(keys=scope_keys('EX#')) %}{% endif %}
with file_rows as materialized (
    select * from {% if is_incremental() %}({{ filtered_rows }}) r{% else %}{{ ref('stg_ex__case_row') }}{% endif %}
    where case_id is not null
),

ranked as (
    select r.*,
           row_number() over (partition by r.case_id
                              order by r.report_month desc nulls last, r.arrived_at desc, r._raw_id desc) as month_rank
    from file_rows r
),

registered_subjects as materialized (
    select subject_code, region_code, record_version
    from {{ ref('stg_lp__subject') }}
)

select
    r.*,
    rs.region_code as resolved_region_code,
    rs.region_code is not null as region_presumed,
    greatest(r.record_version, rs.record_version) as resolved_record_version,
    'EX#' || r._source_key as _scope,
    {{ int_run_id() }} as _run_id
from ranked r
left join registered_subjects rs on rs.subject_code = r.subject_code
where r.month_rank = 1 and r._op = 'upsert'
