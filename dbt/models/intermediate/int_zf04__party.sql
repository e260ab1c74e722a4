-- 行政相对人（ZF04）: LP's registered parties, and the parties named by kept LG and EX cases,
-- identified by party_id (rules.party_id). When several records name the same party, LP's wins;
-- otherwise the most recently changed case's (its name is the freshest), LG before EX on a tie.
-- A case whose credential number is missing or unrecoverable has no party_id and adds no party.
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system <> 'LP'
),

candidates as (
    select party_id, party_type, party_name, credential_type, credential_no, region_code,
           record_version, source_system, date_only_fields, presumed_fields, source_ref,
           1 as source_rank
    from {{ ref('stg_lp__party') }}
    union all
    select c.party_id, c.party_type, c.party_name, c.credential_type, c.credential_no, null::text,
           c.resolved_record_version, 'LG', '{}'::text[], '{}'::text[], c.source_ref, 2
    from {{ ref('int_lg__case') }} c
    join kept k on k.case_id = c.case_id
    where c.party_id is not null
    union all
    select c.party_id, c.party_type, c.party_name, c.credential_type, c.credential_no, null::text,
           c.resolved_record_version, 'EX', '{}'::text[], '{}'::text[], c.source_ref, 3
    from {{ ref('int_ex__case') }} c
    join kept k on k.case_id = c.case_id
    where c.party_id is not null
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
       source_system, date_only_fields, presumed_fields, source_ref
from ranked
where pick = 1
