-- LG 强制措施 (t_qzcs): one row per measure; terms as '30', '30日', '三十日'.
with current_rows as ({{ current_rows(source('lg', 'lg_t_qzcs')) }}),

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
