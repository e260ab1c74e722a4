-- LG cases with everything the standard needs from LG's other tables: the unit's credit code
-- (t_jg), the officers' certificates (int_lg__case_officer), the archive time (归档 step) and the
-- division, presumed from the subject when the case has none (legacy/README.md, "What each
-- source can give"). record_version is the latest change among all rows the record is built
-- from, so a change of any of them moves it (standard, rules.record_version).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='case_id', scope='pending',
          post_hook=["{{ int_indexes(['case_id'], extra=['case_no_key', 'party_id', 'jgid', 'subject_code']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{%- if not execute or is_incremental() %}{% set filtered_cases = stg_lg__case_sql(keys=scope_keys('LGK#')) %}{% endif %}
with cases as materialized (
    select * from {% if is_incremental() %}({{ filtered_cases }}) c{% else %}{{ ref('stg_lg__case') }}{% endif %}
),

units as materialized (
    select jgid, subject_code, region_code as unit_region_code, record_version
    from {{ ref('stg_lg__jg') }}
),

registered_subjects as materialized (
    select subject_code, region_code, record_version
    from {{ ref('stg_lp__subject') }}
),

officers as (
    select case_id,
           array_agg(cert_no order by first_pos) as officer_cert_nos,
           max(version) as record_version
    from (select case_id, cert_no, min(pos) as first_pos, max(resolved_from_version) as version
            from {{ ref('int_lg__case_officer') }}
           where cert_no is not null
           {%- if is_incremental() %} and _scope = any({{ scope_keys('') }}){% endif %}
           group by case_id, cert_no) distinct_certs
    group by case_id
),

step_facts as (
    select case_id,
           (array_agg(done_at order by done_at) filter (where sets_field = 'archived_at' and done_at is not null))[1] as archived_at,
           (array_agg(done_date_only order by done_at) filter (where sets_field = 'archived_at' and done_at is not null))[1] as archived_date_only,
           max(record_version) as record_version
    from {{ ref('int_lg__case_step') }}
    {%- if is_incremental() %}
    where _scope = any({{ scope_keys('') }})
    {%- endif %}
    group by case_id
)

select
    c.*,
    u.subject_code,
    o.officer_cert_nos,
    s.archived_at,
    s.archived_date_only,
    coalesce(c.region_code, rs.region_code, u.unit_region_code) as resolved_region_code,
    c.region_code is null and coalesce(rs.region_code, u.unit_region_code) is not null as region_presumed,
    greatest(c.record_version, u.record_version, o.record_version, s.record_version,
             case when c.region_code is null then rs.record_version end) as resolved_record_version,
    'LG#' || c.case_no_key as _scope,
    {{ int_run_id() }} as _run_id
from cases c
left join units u on u.jgid = c.jgid
left join registered_subjects rs on rs.subject_code = u.subject_code
left join officers o on o.case_id = c.case_id
left join step_facts s on s.case_id = c.case_id
