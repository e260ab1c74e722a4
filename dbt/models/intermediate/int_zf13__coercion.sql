-- 行政强制（ZF13）: LP's measures; LG's t_qzcs rows of kept LG cases, numbered per case in the
-- order of their start date, then qzid (legacy/README.md); one measure per kept EX coercion case
-- that names a measure or a term. Presumed: emergency = false (LG, EX); started_at = the filing
-- date where the source has none (EX always).
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='cases',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['case_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
{%- if not execute or is_incremental() %}{% set _parsed = stg_lp__coercion_sql(keys=scope_cases_lp('coercion')) %}{% endif %}
{%- set measure_keys -%}
array(select _source_key from {{ ref('int_lg__child_key') }}
      where case_no_key = any(array(select substr(s, 4) from unnest({{ scope_cases() }}) s where s like 'LG#%'))
        and record_key like 'LGQ#%')
{%- endset -%}
{%- if not execute or is_incremental() %}{% set filtered_measures = stg_lg__coercion_sql(keys=measure_keys) %}{% endif %}
{% call apply_corrections('ZF13', 'zf13_coercion', keep=['_scope', '_run_id']) %}
with kept as (
    select case_id from {{ ref('int_case__precedence') }} where kept and source_system <> 'LP'
    {% if is_incremental() %}and _scope = any({{ scope_cases() }}){% endif %}
),

lg_raw_measures as materialized (
    select * from {% if is_incremental() %}({{ filtered_measures }}) q{% else %}{{ ref('stg_lg__coercion') }}{% endif %}
),

lg_measures as (
    select q.*, c._scope, c.case_id, c.registered_at, c.registered_date_only, c.resolved_record_version as case_version
    from lg_raw_measures q
    join {{ ref('int_lg__case') }} c on c.case_no_key = q.case_no_key
    join kept k on k.case_id = c.case_id
    {% if is_incremental() %}where c._scope = any({{ scope_cases() }}){% endif %}
),

lg as (
    select case_id,
           row_number() over (partition by case_id order by started_at nulls last, qzid_number nulls last, qzid)::int as measure_seq,
           coercion_kind,
           measure_code,
           coalesce(started_at, registered_at) as started_at,
           term_days,
           extended_days,
           lifted_at,
           null::timestamptz as demand_notice_at,
           null::timestamptz as court_applied_at,
           false as emergency,
           null::timestamptz as approved_at,
           greatest(case_version, max(record_version) over (partition by case_id)) as record_version,
           'LG' as source_system,
           {{ fields_where([['started_at', 'case when started_at is not null then started_date_only else registered_date_only end'],
                            ['lifted_at', 'lifted_date_only']]) }} as date_only_fields,
           {{ fields_where([['started_at', 'started_at is null and registered_at is not null'], ['emergency', 'true']]) }} as presumed_fields,
           source_ref, _scope
    from lg_measures
),

ex as (
    select c.case_id,
           1 as measure_seq,
           c.coercion_kind,
           c.measure_code,
           c.registered_at as started_at,
           c.term_days,
           null::int as extended_days,
           null::timestamptz as lifted_at,
           null::timestamptz as demand_notice_at,
           null::timestamptz as court_applied_at,
           false as emergency,
           null::timestamptz as approved_at,
           c.resolved_record_version as record_version,
           'EX' as source_system,
           {{ fields_where([['started_at', 'c.registered_date_only']]) }} as date_only_fields,
           {{ fields_where([['started_at', 'c.registered_at is not null'], ['emergency', 'true']]) }} as presumed_fields,
           c.source_ref, c._scope
    from {{ ref('int_ex__case') }} c
    join kept k on k.case_id = c.case_id
    where c.case_type = '3' and (c.measure_text is not null or c.term_text is not null){% if is_incremental() %} and c._scope = any({{ scope_cases() }}){% endif %}
)

select case_id, measure_seq, coercion_kind, measure_code, started_at, term_days, extended_days, lifted_at,
       demand_notice_at, court_applied_at, emergency, approved_at, record_key, record_version,
       source_system, date_only_fields, presumed_fields, source_ref, source_ref as _scope, {{ int_run_id() }} as _run_id
from {% if is_incremental() %}({{ stg_lp__coercion_sql(keys=scope_cases_lp('coercion')) }}) lp_rows{% else %}{{ ref('stg_lp__coercion') }}{% endif %}
union all
select case_id, measure_seq, coercion_kind, measure_code, started_at, term_days, extended_days, lifted_at,
       demand_notice_at, court_applied_at, emergency, approved_at, case_id || '|' || measure_seq,
       record_version, source_system, date_only_fields, presumed_fields, source_ref, _scope, {{ int_run_id() }}
from lg
union all
select case_id, measure_seq, coercion_kind, measure_code, started_at, term_days, extended_days, lifted_at,
       demand_notice_at, court_applied_at, emergency, approved_at, case_id || '|' || measure_seq,
       record_version, source_system, date_only_fields, presumed_fields, source_ref, _scope, {{ int_run_id() }}
from ex
{% endcall %}
