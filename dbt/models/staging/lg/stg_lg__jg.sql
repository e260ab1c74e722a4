-- LG 机构 (t_jg): only to translate LG's unit ids into credit codes (ZF01 itself comes from LP).
with current_rows as ({{ current_rows(source('lg', 'lg_t_jg')) }})

select
    {{ clean_text('c.jgid') }} as jgid,
    {{ trim_text('c.jgmc') }} as subject_name,
    {{ normalise_credential('c.tyshxydm') }} as subject_code,
    {{ uscc_valid(normalise_credential('c.tyshxydm')) }} as subject_code_valid,
    {{ region_code('c.xzqh') }} as region_code,
    {{ clean_text('c.jb') }} as level_text,
    m.subject_level,
    {{ version_time('c._record_version') }} as record_version,
    'LG:t_jg:' || c._source_key as source_ref
from current_rows c
left join {{ ref('map_lg_jb') }} m on {{ map_key('m.source_value') }} = {{ map_key('c.jb') }}
