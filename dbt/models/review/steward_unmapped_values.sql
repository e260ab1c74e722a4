-- Every source text that found no row in its mapping seed, with how many records carry it and
-- one of them: the list a data steward works through (add the row to the seed named here; the
-- next run maps the records). The staging tests warn with the same values on every run.
with unmapped as (
    select 'map_lg_ajlx' as mapping_seed, case_type_text as source_value, source_ref
      from {{ ref('stg_lg__case') }} where case_type_text is not null and case_type is null
    union all
    select 'map_lg_cxlx', procedure_text, source_ref
      from {{ ref('stg_lg__case') }} where procedure_text is not null and procedure is null
    union all
    select 'map_lg_dsrlx', party_type_text, source_ref
      from {{ ref('stg_lg__case') }} where party_type_text is not null and party_type is null
    union all
    select 'map_lg_ajly', source_channel_text, source_ref
      from {{ ref('stg_lg__case') }} where source_channel_text is not null and source_channel is null
    union all
    select 'map_lg_zt', status_text, source_ref
      from {{ ref('stg_lg__case') }} where status_text is not null and status is null
    union all
    select 'map_penalty_kind', u.item, c.source_ref
      from {{ ref('stg_lg__case') }} c cross join lateral unnest(c.penalty_kind_texts_unmapped) as u(item)
    union all
    select 'map_lg_jb', level_text, source_ref
      from {{ ref('stg_lg__jg') }} where level_text is not null and subject_level is null
    union all
    select 'map_coercion_measure', measure_text, source_ref
      from {{ ref('stg_lg__coercion') }} where measure_text is not null and measure_code is null
    union all
    -- from the staging views, not int_lg__case_step: a view on a table that dbt rebuilds is
    -- dropped with the old table whenever a run does not rebuild the view too
    select 'map_lg_hjmc', s.step_name_text, s.source_ref
      from {{ ref('stg_lg__case_step') }} s
      join {{ ref('stg_lg__case') }} c on c.case_no_key = s.case_no_key
      left join {{ ref('map_lg_hjmc') }} m
             on m.case_type = c.case_type and {{ map_key('m.source_value') }} = {{ map_key('s.step_name_text') }}
     where s.step_name_text is not null and m.stage_code is null
    union all
    select 'map_ex_case_type', case_type_text, source_ref
      from {{ ref('stg_ex__case_row') }} where case_type_text is not null and case_type is null
    union all
    select 'map_ex_party_type', party_type_text, source_ref
      from {{ ref('stg_ex__case_row') }} where party_type_text is not null and party_type is null
    union all
    select 'map_ex_credential_type', credential_type_text, source_ref
      from {{ ref('stg_ex__case_row') }} where credential_type_text is not null and credential_type is null
    union all
    select 'map_lg_ajly', source_channel_text, source_ref
      from {{ ref('stg_ex__case_row') }} where source_channel_text is not null and source_channel is null
    union all
    select 'map_ex_inspection_result', inspection_result_text, source_ref
      from {{ ref('stg_ex__case_row') }} where inspection_result_text is not null and inspection_result is null
    union all
    select 'map_coercion_measure', measure_text, source_ref
      from {{ ref('stg_ex__case_row') }} where measure_text is not null and measure_code is null
    union all
    select 'map_ex_case_status', status_text, source_ref
      from {{ ref('stg_ex__case_row') }} where status_text is not null and status is null
    union all
    select 'map_penalty_kind', u.item, c.source_ref
      from {{ ref('stg_ex__case_row') }} c cross join lateral unnest(c.penalty_kind_texts_unmapped) as u(item)
)

select mapping_seed, source_value, count(*) as records, min(source_ref) as example_source_ref
from unmapped
group by mapping_seed, source_value
