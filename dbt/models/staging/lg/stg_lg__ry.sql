-- LG 人员 (t_ry): only to translate officers' names into certificate numbers, within their unit
-- (ZF02 itself comes from LP). zjyxq holds both validity dates: '2019.01.01-2024.12.31',
-- '2019-01-01至2024-12-31'.
with current_rows as ({{ current_rows(source('lg', 'lg_t_ry')) }}),

validity as (
    select c.*, regexp_match({{ clean_text('c.zjyxq') }}, '^(.+?)\s*(?:至|到|~|—|-)\s*([0-9]{4}.*)$') as period
    from current_rows c
)

select
    {{ clean_text('ryid') }} as ryid,
    {{ trim_text('xm') }} as officer_name,
    {{ map_key('xm') }} as name_key,
    {{ normalise_credential('sfzh') }} as id_no,
    {{ normalise_credential('zfzh') }} as cert_no,
    {{ clean_text('jgid') }} as jgid,
    {{ clean_text('zjyxq') }} as validity_text,
    {{ local_date('period[1]') }} as cert_valid_from,
    {{ local_date('period[2]') }} as cert_valid_to,
    {{ version_time('_record_version') }} as record_version,
    'LG:t_ry:' || _source_key as source_ref
from validity
