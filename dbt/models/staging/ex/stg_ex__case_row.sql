-- EX data rows of the files that still count (status loaded), cleaned and mapped. One row per
-- file row: the choice among the months that report the same case (newest month wins) is a
-- precedence rule and lives in int_ex__case. Dates may be Excel serial numbers; a credential
-- number that Excel turned into a float ('4.40103E+17') is unrecoverable and stays empty.
with file_rows as (
    select r.*, f.file_name, f.arrived_at, f.subject_code as file_subject_code,
           coalesce({{ clean_text('f.report_month') }}, {{ clean_text('r._report_month') }}) as report_month
    from {{ source('ex', 'ex_case_row') }} r
    join {{ ref('stg_ex__file') }} f on f.file_id = r._file_id
    where f.counts
),

cleaned as (
    select
        _raw_id,
        _op,
        _file_id as file_id,
        _row_no as row_no,
        file_name,
        report_month,
        arrived_at,
        -- a deletion may carry its key only: the case is then read from _source_key (EX:<unit>:<no>)
        coalesce({{ normalise_credential('subject_code') }},
                 {{ normalise_credential("substring(_source_key from '^EX:([^:]*):')") }},
                 file_subject_code) as subject_code,
        {{ trim_text('subject_name') }} as subject_name,
        -- rules.case_id: the unit's case number, trimmed (and nothing else)
        coalesce({{ trim_text('case_no') }}, {{ trim_text("substring(_source_key from '^EX:[^:]*:(.*)$')") }}) as case_no,
        {{ case_no_key("coalesce(" ~ clean_text('case_no') ~ ", substring(_source_key from '^EX:[^:]*:(.*)$'))") }} as case_no_key,
        {{ clean_text('case_type') }} as case_type_text,
        {{ clean_text('item_code') }} as item_code,
        {{ trim_text('party_name') }} as party_name,
        {{ clean_text('party_type') }} as party_type_text,
        {{ clean_text('credential_type') }} as credential_type_text,
        {{ clean_text('credential_no') }} as credential_text,
        {{ normalise_credential('credential_no') }} ~ '^[0-9]+(\.[0-9]+)?E\+?[0-9]+$' as credential_no_lost,
        case when not coalesce({{ normalise_credential('credential_no') }} ~ '^[0-9]+(\.[0-9]+)?E\+?[0-9]+$', false)
             then {{ normalise_credential('credential_no') }} end as credential_no,
        {{ clean_text('source_channel') }} as source_channel_text,
        {{ clean_text('registered_date') }} as registered_text,
        {{ local_datetime('registered_date', excel_serial=true) }} as registered_at,
        {{ clean_text('decision_no') }} as decision_no,
        {{ clean_text('decision_date') }} as decision_text,
        {{ local_datetime('decision_date', excel_serial=true) }} as decision_at,
        {{ split_list('penalty_kinds') }} as penalty_kind_texts,
        {{ clean_text('fine_amount') }} as fine_text,
        {{ parse_amount('fine_amount') }} as fine_amount,
        {{ clean_text('coercion_measure') }} as measure_text,
        {{ clean_text('coercion_term') }} as term_text,
        {{ parse_term_days('coercion_term') }} as term_days,
        {{ clean_text('inspection_result') }} as inspection_result_text,
        {{ clean_text('closed_date') }} as closed_text,
        {{ local_datetime('closed_date', excel_serial=true) }} as closed_at,
        {{ clean_text('case_status') }} as status_text,
        (select array_agg({{ normalise_credential('u.item') }} order by u.pos)
           from unnest({{ split_list('officer_cert_nos') }}) with ordinality as u(item, pos)) as officer_cert_nos,
        coalesce({{ version_time('_record_version') }}, date_trunc('second', arrived_at)) as record_version,
        'EX:' || file_name || '#' || _row_no as source_ref
    from file_rows
    offset 0
),

penalty_map as materialized (
    select {{ map_key('source_value') }} as key, penalty_kind from {{ ref('map_penalty_kind') }}
)

select
    c.*,
    {{ date_only('c.registered_text', excel_serial=true, parsed='c.registered_at') }} as registered_date_only,
    {{ date_only('c.decision_text', excel_serial=true, parsed='c.decision_at') }} as decision_date_only,
    {{ date_only('c.closed_text', excel_serial=true, parsed='c.closed_at') }} as closed_date_only,
    'EX:' || c.subject_code || ':' || c.case_no as case_id,
    m_type.case_type,
    m_party.party_type,
    m_cred.credential_type,
    {{ party_id('m_cred.credential_type', 'c.credential_no') }} as party_id,
    m_channel.source_channel,
    m_result.inspection_result,
    m_measure.measure_code,
    m_measure.coercion_kind,
    m_status.status,
    kinds.penalty_kinds,
    kinds.penalty_kind_texts_unmapped
from cleaned c
left join {{ ref('map_ex_case_type') }} m_type on {{ map_key('m_type.source_value') }} = {{ map_key('c.case_type_text') }}
left join {{ ref('map_ex_party_type') }} m_party on {{ map_key('m_party.source_value') }} = {{ map_key('c.party_type_text') }}
left join {{ ref('map_ex_credential_type') }} m_cred on {{ map_key('m_cred.source_value') }} = {{ map_key('c.credential_type_text') }}
left join {{ ref('map_lg_ajly') }} m_channel on {{ map_key('m_channel.source_value') }} = {{ map_key('c.source_channel_text') }}
left join {{ ref('map_ex_inspection_result') }} m_result on {{ map_key('m_result.source_value') }} = {{ map_key('c.inspection_result_text') }}
left join {{ ref('map_coercion_measure') }} m_measure on {{ map_key('m_measure.source_value') }} = {{ map_key('c.measure_text') }}
left join {{ ref('map_ex_case_status') }} m_status on {{ map_key('m_status.source_value') }} = {{ map_key('c.status_text') }}
left join lateral (
    select array_agg(m.penalty_kind order by u.pos) filter (where m.penalty_kind is not null) as penalty_kinds,
           array_agg(u.item order by u.pos) filter (where m.penalty_kind is null) as penalty_kind_texts_unmapped
    from unnest(c.penalty_kind_texts) with ordinality as u(item, pos)
    left join penalty_map m on m.key = {{ map_key('u.item') }}
) kinds on true
