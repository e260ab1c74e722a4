-- LG 案件信息 (t_ajxx), cleaned: dates to +08:00 instants with their date-only flag, amounts to
-- numbers, text variants to standard codes through the map_* seeds, credentials normalised and
-- typed (legacy/README.md). Every source text that feeds a parsed or mapped column is kept next
-- to it (*_text), so the staging tests can name a value that was not understood.
-- OFFSET 0 keeps each CTE a subquery of its own: a text is parsed once however often its
-- column is used below, and not at all when no reader asks for the column.
with current_rows as ({{ current_rows(source('lg', 'lg_t_ajxx')) }}),

cleaned as (
    select
        btrim(ajbh) as ajbh,
        'LG:' || btrim(ajbh) as case_id,
        {{ case_no_key('ajbh') }} as case_no_key,
        {{ clean_text('ajlx') }} as case_type_text,
        {{ clean_text('cxlx') }} as procedure_text,
        {{ trim_text('ay') }} as cause_text,
        {{ clean_text('sxbm') }} as item_code,
        {{ trim_text('dsr') }} as party_name,
        {{ clean_text('dsrlx') }} as party_type_text,
        {{ normalise_credential('zjhm') }} as credential_no,
        {{ clean_text('ajly') }} as source_channel_text,
        {{ region_code('xzqh') }} as region_code,
        {{ clean_text('larq') }} as registered_text,
        {{ local_datetime('larq') }} as registered_at,
        {{ clean_text('cfjdsh') }} as decision_no,
        {{ clean_text('cfjdrq') }} as decision_text,
        {{ local_datetime('cfjdrq') }} as decision_at,
        {{ split_list('cfzl') }} as penalty_kind_texts,
        {{ clean_text('fkje') }} as fine_text,
        {{ parse_amount('fkje') }} as fine_amount,
        {{ clean_text('msje') }} as confiscation_text,
        {{ parse_amount('msje') }} as confiscation_amount,
        {{ clean_text('sdrq') }} as served_text,
        {{ local_datetime('sdrq') }} as served_at,
        {{ clean_text('jarq') }} as closed_text,
        {{ local_datetime('jarq') }} as closed_at,
        {{ clean_text('zt') }} as status_text,
        {{ clean_text('zfry') }} as officers_text,
        {{ clean_text('jgid') }} as jgid,
        {{ version_time('_record_version') }} as record_version,
        'LG:t_ajxx:' || btrim(ajbh) as source_ref
    from current_rows
    offset 0
),

typed as (
    select c.*, {{ infer_credential_type('c.credential_no') }} as credential_type
    from cleaned c
    offset 0
),

penalty_map as materialized (
    select {{ map_key('source_value') }} as key, penalty_kind from {{ ref('map_penalty_kind') }}
)

select
    c.*,
    {{ date_only('c.registered_text', parsed='c.registered_at') }} as registered_date_only,
    {{ date_only('c.decision_text', parsed='c.decision_at') }} as decision_date_only,
    {{ date_only('c.served_text', parsed='c.served_at') }} as served_date_only,
    {{ date_only('c.closed_text', parsed='c.closed_at') }} as closed_date_only,
    {{ party_id('c.credential_type', 'c.credential_no') }} as party_id,
    m_ajlx.case_type,
    m_ajlx.inspection_kind,
    m_cxlx.procedure,
    m_dsrlx.party_type,
    m_ajly.source_channel,
    m_zt.status,
    kinds.penalty_kinds,
    kinds.penalty_kind_texts_unmapped
from typed c
left join {{ ref('map_lg_ajlx') }} m_ajlx on {{ map_key('m_ajlx.source_value') }} = {{ map_key('c.case_type_text') }}
left join {{ ref('map_lg_cxlx') }} m_cxlx on {{ map_key('m_cxlx.source_value') }} = {{ map_key('c.procedure_text') }}
left join {{ ref('map_lg_dsrlx') }} m_dsrlx on {{ map_key('m_dsrlx.source_value') }} = {{ map_key('c.party_type_text') }}
left join {{ ref('map_lg_ajly') }} m_ajly on {{ map_key('m_ajly.source_value') }} = {{ map_key('c.source_channel_text') }}
left join {{ ref('map_lg_zt') }} m_zt on {{ map_key('m_zt.source_value') }} = {{ map_key('c.status_text') }}
left join lateral (
    select array_agg(m.penalty_kind order by u.pos) filter (where m.penalty_kind is not null) as penalty_kinds,
           array_agg(u.item order by u.pos) filter (where m.penalty_kind is null) as penalty_kind_texts_unmapped
    from unnest(c.penalty_kind_texts) with ordinality as u(item, pos)
    left join penalty_map m on m.key = {{ map_key('u.item') }}
) kinds on true
