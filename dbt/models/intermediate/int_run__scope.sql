-- What this run must recompute (macros/incremental/scoped.sql). Rows by kind:
--   H  <raw table>  the highest _raw_id (file_id for ex_file) this run sees: its horizon;
--   W  <raw table>  the horizon of the last complete run (every row up to it is modelled);
--   S  <scope key>  a group of intermediate rows to recompute, pending until a run completes;
--   I  <subject|case_no_key>  a real-case identity some changed case held before this run;
--   CP / CW  <correction_id:status>  the stewards' corrections now / at the last complete run.
-- Scopes come from the raw rows between W and H (every version of a changed key, so a deletion
-- that carries only its key still finds the case its earlier versions named), from corrections
-- entered or withdrawn since, and from what the intermediate tables held before this run (the
-- case a changed unit, officer or subject feeds; the party and identity a changed case had).
-- A run stopped half-way leaves them pending: the next run recomputes them again, with its own.
{{ config(materialized='incremental', incremental_strategy='merge', unique_key=['kind', 'key'],
          pre_hook=["create table if not exists {{ this.schema }}.int_change_log (model text not null, run_id text not null, record_key text)",
                    "{{ int_scope_marker() }}"],
          post_hook=["create unique index if not exists int_run__scope__key on {{ this }} (kind, key)"]) }}
{%- set lg = ['lg_t_jg', 'lg_t_ry', 'lg_t_ajxx', 'lg_t_ajlc', 'lg_t_qzcs'] -%}
{%- set lp = ['lp_subject', 'lp_officer', 'lp_item', 'lp_party', 'lp_case', 'lp_inspection', 'lp_penalty', 'lp_coercion',
             'lp_case_step', 'lp_publicity'] -%}
{%- set sources = {} -%}
{%- for t in lg %}{% do sources.update({t: source('lg', t)}) %}{% endfor -%}
{%- for t in lp %}{% do sources.update({t: source('lp', t)}) %}{% endfor -%}
{%- do sources.update({'ex_case_row': source('ex', 'ex_case_row')}) -%}
{%- set ex_file = source('ex', 'ex_file') -%}
{%- set corrections = source('steward', 'correction') -%}

with horizon as (
{%- for t, rel in sources.items() %}
    select 'H'::text as kind, '{{ t }}'::text as key, (select coalesce(max(_raw_id), 0) from {{ rel }})::bigint as value
    union all
{%- endfor %}
    select 'H', 'ex_file', (select coalesce(max(file_id), 0) from {{ ex_file }})::bigint
),

corrections_now as (
    select 'CP'::text as kind, correction_id || ':' || status as key, null::bigint as value
    from {{ corrections }}
)
{%- if is_incremental() %}
{%- set prior = {} -%}
{%- for name in ['int_lg__case', 'int_ex__case', 'int_case__precedence', 'int_zf10__case', 'int_zf11__inspection',
                 'int_zf12__penalty', 'int_zf13__coercion', 'int_zf20__case_step'] -%}
  {%- do prior.update({name: adapter.get_relation(database=this.database, schema=this.schema, identifier=name)}) -%}
{%- endfor %},

bounds as (
    select h.key, coalesce(w.value, 0) as low, h.value as high
    from horizon h left join {{ this }} w on w.kind = 'W' and w.key = h.key
),

{#- the keys with a new raw version since the last complete run -#}
{%- for t, rel in sources.items() %}
changed_{{ t }} as materialized (
    select distinct _source_key from {{ rel }}
    where _raw_id > (select low from bounds where key = '{{ t }}') and _raw_id <= (select high from bounds where key = '{{ t }}')
),
{%- endfor %}

{#- EX: rows of new files, and of files a new file superseded (their rows no longer count) -#}
changed_files as materialized (
    select file_id from {{ ex_file }}
    where file_id > (select low from bounds where key = 'ex_file') and file_id <= (select high from bounds where key = 'ex_file')
    union
    select file_id from {{ ex_file }}
    where superseded_by > (select low from bounds where key = 'ex_file') and superseded_by <= (select high from bounds where key = 'ex_file')
),

ex_keys as (
    select _source_key from changed_ex_case_row
    union
    select _source_key from {{ sources['ex_case_row'] }} where _file_id = any(array(select file_id from changed_files))
),

{#- corrections entered, withdrawn or closed since the last complete run -#}
corrections_changed as (
    select split_part(key, ':', 1)::bigint as correction_id
    from (select key from corrections_now
          except select key from {{ this }} where kind = 'CW') a
    union
    select split_part(key, ':', 1)::bigint
    from (select key from {{ this }} where kind = 'CW'
          except select key from corrections_now) b
),

corrected_records as (
    select c.dataset, c.record_key
    from {{ corrections }} c
    where c.correction_id = any(array(select correction_id from corrections_changed))
),

{#- LG cases: of changed case rows, steps and measures (every version: a deleted step's earlier
    versions name its case), and of units whose t_jg or t_ry rows changed -#}
changed_units as (
    select {{ clean_text('jgid') }} as jgid from {{ sources['lg_t_jg'] }} where _source_key = any(array(select _source_key from changed_lg_t_jg))
    union
    select {{ clean_text('jgid') }} from {{ sources['lg_t_ry'] }} where _source_key = any(array(select _source_key from changed_lg_t_ry))
),

changed_subjects as (
    select coalesce({{ lp_text('subject_code') }}, _source_key) as subject_code
    from {{ sources['lp_subject'] }} where _source_key = any(array(select _source_key from changed_lp_subject))
    union
    -- a corrected subject feeds the cases it presumes a division for, as a new version would
    select record_key from corrected_records where dataset = 'ZF01'
),

lg_cases as materialized (
    select {{ case_no_key('coalesce(ajbh, _source_key)') }} as case_no_key
    from {{ sources['lg_t_ajxx'] }} where _source_key = any(array(select _source_key from changed_lg_t_ajxx))
    union
    select {{ case_no_key('ajbh') }} from {{ sources['lg_t_ajlc'] }} where _source_key = any(array(select _source_key from changed_lg_t_ajlc))
    union
    select {{ case_no_key('ajbh') }} from {{ sources['lg_t_qzcs'] }} where _source_key = any(array(select _source_key from changed_lg_t_qzcs))
{%- if prior['int_lg__case'] %}
    union
    select case_no_key from {{ prior['int_lg__case'] }}
    where jgid = any(array(select jgid from changed_units)) or subject_code = any(array(select subject_code from changed_subjects))
{%- endif %}
),

ex_cases as materialized (
    select _source_key from ex_keys
{%- if prior['int_ex__case'] %}
    union
    select _source_key from {{ prior['int_ex__case'] }} where subject_code = any(array(select subject_code from changed_subjects))
{%- endif %}
),

scopes as (
    select 'LG#' || case_no_key as key from lg_cases where case_no_key is not null
    union select 'EX#' || _source_key from ex_cases
    union select 'LGS#' || _source_key from changed_lg_t_ajlc
    union select 'LGQ#' || _source_key from changed_lg_t_qzcs
    union select 'LGK#' || _source_key from changed_lg_t_ajxx
{%- for t in ['lp_party', 'lp_case', 'lp_inspection', 'lp_penalty', 'lp_coercion', 'lp_case_step',
              'lp_subject', 'lp_officer', 'lp_item', 'lp_publicity'] %}
    union select 'LP:{{ t[3:] }}:' || _source_key from changed_{{ t }}
{%- endfor %}
    -- ZF01/02/03/30 are read straight from LP (standard_select): a corrected record is its LP key
{%- for dataset, entity in [('ZF01', 'subject'), ('ZF02', 'officer'), ('ZF03', 'item'), ('ZF30', 'publicity')] %}
    union select 'LP:{{ entity }}:' || record_key from corrected_records where dataset = '{{ dataset }}'
{%- endfor %}
    union select 'P#' || _source_key from changed_lp_party
    union select 'P#' || record_key from corrected_records where dataset = 'ZF04'
{%- if prior['int_lg__case'] %}
    -- the source key of every LG case recomputed, and the party each named before this run
    union select 'LGK#' || _source_key from {{ prior['int_lg__case'] }} where case_no_key = any(array(select case_no_key from lg_cases))
    union select 'P#' || party_id from {{ prior['int_lg__case'] }}
          where case_no_key = any(array(select case_no_key from lg_cases)) and party_id is not null
{%- endif %}
{%- if prior['int_ex__case'] %}
    union select 'P#' || party_id from {{ prior['int_ex__case'] }}
          where _source_key = any(array(select _source_key from ex_cases)) and party_id is not null
{%- endif %}
{%- for dataset, name in [('ZF10', 'int_zf10__case'), ('ZF11', 'int_zf11__inspection'), ('ZF12', 'int_zf12__penalty'),
                          ('ZF13', 'int_zf13__coercion'), ('ZF20', 'int_zf20__case_step')] if prior[name] %}
    union select _scope from {{ prior[name] }}
          where record_key = any(array(select record_key from corrected_records where dataset = '{{ dataset }}'))
{%- endfor %}
)

select kind, key, value from horizon
union all
select kind, key, value from corrections_now
union all
select 'S', key, null from scopes
{%- if prior['int_case__precedence'] %}
union
-- the real-case identity each changed case held before this run: its other records are judged again
select 'I', _identity, null from {{ prior['int_case__precedence'] }}
where _scope = any(array(select key from scopes)) and _identity is not null
{%- endif %}
{%- else %}

select kind, key, value from horizon
union all
select kind, key, value from corrections_now
{%- endif %}
