{#- The bodies of the staging views that scale with the number of cases. Each view is its macro
    called without keys; an intermediate model's incremental run calls it with `keys` (a SQL
    text[] of raw _source_key values) so that only those records' raw versions are read and
    parsed: the index on (_source_key, _raw_id) finds them, whatever the table's size. -#}

{% macro stg_lg__case_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lg', 'lg_t_ajxx'), keys=keys) }}),

cleaned as (
    select
        btrim(ajbh) as ajbh,
        _source_key,
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
{% endmacro %}

{% macro stg_lg__case_step_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lg', 'lg_t_ajlc'), keys=keys) }}),

cleaned as (
    select
        {{ clean_text('lcid') }} as lcid,
        case when btrim(lcid) ~ '^[0-9]{1,18}$' then btrim(lcid)::bigint end as lcid_number,
        btrim(ajbh) as ajbh,
        {{ case_no_key('ajbh') }} as case_no_key,
        {{ clean_text('hjmc') }} as step_name_text,
        {{ clean_text('kssj') }} as entered_text,
        {{ local_datetime('kssj') }} as entered_at,
        {{ clean_text('jssj') }} as completed_text,
        {{ local_datetime('jssj') }} as completed_at,
        {{ trim_text('blr') }} as handler_name,
        {{ map_key('blr') }} as handler_name_key,
        {{ trim_text('yj') }} as opinion,
        {{ version_time('_record_version') }} as record_version,
        'LG:t_ajlc:' || _source_key as source_ref
    from current_rows
    offset 0
)

select
    c.*,
    {{ date_only('c.entered_text', parsed='c.entered_at') }} as entered_date_only,
    {{ date_only('c.completed_text', parsed='c.completed_at') }} as completed_date_only
from cleaned c
{% endmacro %}

{% macro stg_lg__coercion_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lg', 'lg_t_qzcs'), keys=keys) }}),

cleaned as (
    select
        {{ clean_text('qzid') }} as qzid,
        case when btrim(qzid) ~ '^[0-9]{1,18}$' then btrim(qzid)::bigint end as qzid_number,
        btrim(ajbh) as ajbh,
        {{ case_no_key('ajbh') }} as case_no_key,
        {{ clean_text('csfs') }} as measure_text,
        {{ clean_text('ksrq') }} as started_text,
        {{ local_datetime('ksrq') }} as started_at,
        {{ clean_text('qx') }} as term_text,
        {{ parse_term_days('qx') }} as term_days,
        {{ clean_text('yqts') }} as extended_text,
        {{ parse_term_days('yqts') }} as extended_days,
        {{ clean_text('jcrq') }} as lifted_text,
        {{ local_datetime('jcrq') }} as lifted_at,
        {{ version_time('_record_version') }} as record_version,
        'LG:t_qzcs:' || _source_key as source_ref
    from current_rows
    offset 0
)

select
    c.*,
    m.measure_code,
    m.coercion_kind,
    {{ date_only('c.started_text', parsed='c.started_at') }} as started_date_only,
    {{ date_only('c.lifted_text', parsed='c.lifted_at') }} as lifted_date_only
from cleaned c
left join {{ ref('map_coercion_measure') }} m on {{ map_key('m.source_value') }} = {{ map_key('c.measure_text') }}
{% endmacro %}

{% macro stg_ex__case_row_sql(keys=none) %}
with file_rows as (
    select r.*, f.file_name, f.arrived_at, f.subject_code as file_subject_code,
           coalesce({{ clean_text('f.report_month') }}, {{ clean_text('r._report_month') }}) as report_month
    from {{ source('ex', 'ex_case_row') }} r
    join {{ ref('stg_ex__file') }} f on f.file_id = r._file_id
    where f.counts
    {%- if keys %} and r._source_key = any({{ keys }}){% endif %}
),

cleaned as (
    select
        _raw_id,
        _op,
        _source_key,
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
{% endmacro %}

{% macro stg_lp__case_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_case'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('case_no') }} as case_no,
    {{ lp_text('case_type') }} as case_type,
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_text('item_code') }} as item_code,
    {{ lp_text('party_id') }} as party_id,
    {{ lp_text('source_channel') }} as source_channel,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('procedure') }} as procedure,
    {{ lp_list('officer_cert_nos') }} as officer_cert_nos,
    {{ lp_datetime('violation_at') }} as violation_at,
    {{ lp_datetime('found_at') }} as found_at,
    {{ lp_datetime('registered_at') }} as registered_at,
    {{ lp_datetime('closed_at') }} as closed_at,
    {{ lp_datetime('archived_at') }} as archived_at,
    {{ lp_text('status') }} as status,
    {{ lp_bool('time_limit_extended') }} as time_limit_extended,
    coalesce({{ lp_text('source_system') }}, 'LP') as source_system,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:case:' || _source_key as source_ref,
    {{ case_no_key(lp_text('case_no')) }} as case_no_key
from current_rows
where {{ lp_text('case_id') }} is not null
{% endmacro %}

{% macro stg_lp__case_step_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_case_step'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_int('seq') }} as seq,
    {{ lp_text('stage_code') }} as stage_code,
    {{ lp_datetime('entered_at') }} as entered_at,
    {{ lp_datetime('completed_at') }} as completed_at,
    {{ lp_text('handler_cert_no') }} as handler_cert_no,
    {{ lp_text('approver_name') }} as approver_name,
    {{ lp_text('opinion') }} as opinion,
    {{ lp_text('case_id') }} || '|' || {{ lp_int('seq') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:case_step:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null and {{ lp_int('seq') }} is not null
{% endmacro %}

{% macro stg_lp__coercion_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_coercion'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_int('measure_seq') }} as measure_seq,
    {{ lp_text('coercion_kind') }} as coercion_kind,
    {{ lp_text('measure_code') }} as measure_code,
    {{ lp_datetime('started_at') }} as started_at,
    {{ lp_int('term_days') }} as term_days,
    {{ lp_int('extended_days') }} as extended_days,
    {{ lp_datetime('lifted_at') }} as lifted_at,
    {{ lp_datetime('demand_notice_at') }} as demand_notice_at,
    {{ lp_datetime('court_applied_at') }} as court_applied_at,
    {{ lp_bool('emergency') }} as emergency,
    {{ lp_datetime('approved_at') }} as approved_at,
    {{ lp_text('case_id') }} || '|' || {{ lp_int('measure_seq') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:coercion:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null and {{ lp_int('measure_seq') }} is not null
{% endmacro %}

{% macro stg_lp__inspection_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_inspection'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('inspection_kind') }} as inspection_kind,
    {{ lp_datetime('inspected_at') }} as inspected_at,
    {{ lp_text('result') }} as result,
    {{ lp_date('rectify_deadline') }} as rectify_deadline,
    {{ lp_datetime('rectified_at') }} as rectified_at,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:inspection:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
{% endmacro %}

{% macro stg_lp__penalty_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_penalty'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_text('decision_no') }} as decision_no,
    {{ lp_datetime('decision_at') }} as decision_at,
    {{ lp_list('penalty_kinds') }} as penalty_kinds,
    {{ lp_decimal('fine_amount') }} as fine_amount,
    {{ lp_decimal('confiscation_amount') }} as confiscation_amount,
    {{ lp_datetime('legal_review_at') }} as legal_review_at,
    {{ lp_datetime('collective_discussion_at') }} as collective_discussion_at,
    {{ lp_datetime('notified_at') }} as notified_at,
    {{ lp_bool('hearing_requested') }} as hearing_requested,
    {{ lp_datetime('hearing_notice_at') }} as hearing_notice_at,
    {{ lp_datetime('hearing_at') }} as hearing_at,
    {{ lp_datetime('served_at') }} as served_at,
    {{ lp_datetime('paid_at') }} as paid_at,
    {{ lp_text('execution_status') }} as execution_status,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:penalty:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
{% endmacro %}

{% macro stg_lp__party_sql(keys=none) %}
with current_rows as ({{ current_rows(source('lp', 'lp_party'), keys=keys) }})

select
    {{ lp_text('party_id') }} as party_id,
    {{ lp_text('party_type') }} as party_type,
    {{ lp_text('party_name') }} as party_name,
    {{ lp_text('credential_type') }} as credential_type,
    {{ normalise_credential(lp_text('credential_no')) }} as credential_no,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('party_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:party:' || _source_key as source_ref
from current_rows
where {{ lp_text('party_id') }} is not null
{% endmacro %}
