-- 行政相对人（ZF04）: LP's registered parties, and the parties named by kept LG and EX cases,
-- identified by party_id (rules.party_id). When several records name the same party, LP's wins;
-- otherwise the most recently changed case's (its name is the freshest), LG before EX on a tie.
-- A case whose credential number is missing or unrecoverable has no party_id and adds no party.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='parties',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['party_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
-- depends_on: {{ ref('int_lg__case') }}
-- depends_on: {{ ref('int_ex__case') }}
{%- if not execute or is_incremental() %}{% set filtered_parties = stg_lp__party_sql(keys=scope_parties()) %}{% endif %}
{% call apply_corrections('ZF04', 'zf04_party', keep=['_scope', '_run_id']) %}
with parties as materialized (
    select {{ scope_parties() }} as ids
),

kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system <> 'LP'
),

candidates as (
    select party_id, party_type, party_name, credential_type, credential_no, region_code,
           record_version, source_system, date_only_fields, presumed_fields, source_ref,
           1 as source_rank
    from {% if is_incremental() %}({{ filtered_parties }}) p{% else %}{{ ref('stg_lp__party') }}{% endif %}
    union all
    select c.party_id, c.party_type, c.party_name, c.credential_type, c.credential_no, null::text,
           c.resolved_record_version, 'LG', '{}'::text[], '{}'::text[], c.source_ref, 2
    from {{ ref('int_lg__case') }} c
    join kept k on k.case_id = c.case_id
    where c.party_id is not null{% if is_incremental() %} and c.party_id = any((select ids from parties)::text[]){% endif %}
    union all
    select c.party_id, c.party_type, c.party_name, c.credential_type, c.credential_no, null::text,
           c.resolved_record_version, 'EX', '{}'::text[], '{}'::text[], c.source_ref, 3
    from {{ ref('int_ex__case') }} c
    join kept k on k.case_id = c.case_id
    where c.party_id is not null{% if is_incremental() %} and c.party_id = any((select ids from parties)::text[]){% endif %}
),

ranked as (
    select c.*,
           row_number() over (partition by party_id
                              order by (source_rank = 1) desc, record_version desc nulls last, source_rank, source_ref) as pick,
           max(record_version) over (partition by party_id) as latest_version
    from candidates c
)

select party_id, party_type, party_name, credential_type, credential_no, region_code,
       party_id as record_key,
       latest_version as record_version,
       source_system, date_only_fields, presumed_fields, source_ref,
       'P#' || party_id as _scope, {{ int_run_id() }} as _run_id
from ranked
where pick = 1
{% endcall %}
