-- Officers of each LG case, parsed out of t_ajxx.zfry. A certificate written in brackets is taken
-- as written; a bare name is looked up in t_ry within the case's own unit (jgid): exactly one
-- certificate found resolves it, none is 'unresolved', several 'ambiguous'. Unresolved and
-- ambiguous officers are a quality problem: they stay here, visible to the staging tests and to
-- stewards, and are left out of ZF10.officer_cert_nos (never guessed).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key=['case_id', 'pos'], scope='pending',
          post_hook=["{{ int_indexes(['case_id', 'pos']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{%- if not execute or is_incremental() %}{% set filtered_cases = stg_lg__case_sql(keys=scope_keys('LGK#')) %}{% endif %}
with cases as materialized (
    select case_id, case_no_key, jgid, officers_text
    from {% if is_incremental() %}({{ filtered_cases }}) c{% else %}{{ ref('stg_lg__case') }}{% endif %}
    where officers_text is not null
),

registry as materialized (
    select jgid, name_key, cert_no, record_version
    from {{ ref('stg_lg__ry') }}
    where cert_no is not null
),

entries as (
    select c.case_id, c.case_no_key, c.jgid, e.pos, e.item, e.officer_name, {{ map_key('e.officer_name') }} as name_key,
           e.cert_no as cert_no_given
    from cases c
    cross join lateral {{ officer_entries('c.officers_text') }} e
),

by_name as (
    select e.case_id, e.pos,
           count(distinct r.cert_no) as candidates,
           min(r.cert_no) as cert_no,
           max(r.record_version) as record_version
    from entries e
    join registry r on r.jgid = e.jgid and r.name_key = e.name_key
    where e.cert_no_given is null
    group by e.case_id, e.pos
)

select
    e.case_id,
    e.pos,
    e.item,
    e.officer_name,
    e.cert_no_given,
    case when e.cert_no_given is not null then e.cert_no_given
         when b.candidates = 1 then b.cert_no end as cert_no,
    case when e.cert_no_given is not null then 'given'
         when e.name_key is null then 'unreadable'
         when b.candidates = 1 then 'resolved'
         when b.candidates > 1 then 'ambiguous'
         else 'unresolved' end as resolution,
    coalesce(b.candidates, 0) as candidates,
    b.record_version as resolved_from_version,
    'LG#' || e.case_no_key as _scope,
    {{ int_run_id() }} as _run_id
from entries e
left join by_name b on b.case_id = e.case_id and b.pos = e.pos
