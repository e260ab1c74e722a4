-- LG 案件流程 (t_ajlc): append-only steps, keyed by lcid. The stage code depends on the case's
-- type, so it is mapped in int_lg__case_step.
with current_rows as ({{ current_rows(source('lg', 'lg_t_ajlc')) }}),

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
