-- 执法案件（ZF10）from LP, LG and EX, after precedence (int_case__precedence): the standard's
-- columns plus the local ones. Presumed values (legacy/README.md, "What each source can give"):
-- time_limit_extended = false for LG and EX; region_code = the subject's when the source has none.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='cases',
          log_vanished=true, post_hook=["{{ int_indexes(['record_key'], extra=['case_id']) }}",
                                        "{{ int_correction_index() }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
-- depends_on: {{ ref('int_case__precedence') }}
{%- if not execute or is_incremental() %}{% set _parsed = stg_lp__case_sql(keys=scope_cases_lp('case')) %}{% endif %}
{% call apply_corrections('ZF10', 'zf10_case', keep=['_scope', '_run_id']) %}
with lp as (
    select case_id, case_no, case_type, subject_code, item_code, party_id, source_channel, region_code,
           procedure, officer_cert_nos, violation_at, found_at, registered_at, closed_at, archived_at, status,
           time_limit_extended, source_system, record_key, record_version, date_only_fields, presumed_fields,
           source_ref, source_ref as _scope
    from {% if is_incremental() %}({{ stg_lp__case_sql(keys=scope_cases_lp('case')) }}) lp_rows{% else %}{{ ref('stg_lp__case') }}{% endif %}
),

lg as (
    select case_id, ajbh as case_no, case_type, subject_code, item_code, party_id, source_channel,
           resolved_region_code as region_code, procedure, officer_cert_nos,
           null::timestamptz as violation_at, null::timestamptz as found_at,
           registered_at, closed_at, archived_at, status,
           false as time_limit_extended, 'LG' as source_system, case_id as record_key,
           resolved_record_version as record_version,
           {{ fields_where([['registered_at', 'registered_date_only'], ['closed_at', 'closed_date_only'],
                            ['archived_at', 'archived_date_only']]) }} as date_only_fields,
           {{ fields_where([['region_code', 'region_presumed'], ['time_limit_extended', 'true']]) }} as presumed_fields,
           source_ref, _scope
    from {{ ref('int_lg__case') }}
    {% if is_incremental() %}where _scope = any({{ scope_cases() }}){% endif %}
),

ex as (
    select case_id, case_no, case_type, subject_code, item_code, party_id, source_channel,
           resolved_region_code as region_code, null::text as procedure, officer_cert_nos,
           null::timestamptz as violation_at, null::timestamptz as found_at,
           registered_at, closed_at, null::timestamptz as archived_at, status,
           false as time_limit_extended, 'EX' as source_system, case_id as record_key,
           resolved_record_version as record_version,
           {{ fields_where([['registered_at', 'registered_date_only'], ['closed_at', 'closed_date_only']]) }} as date_only_fields,
           {{ fields_where([['region_code', 'region_presumed'], ['time_limit_extended', 'true']]) }} as presumed_fields,
           source_ref, _scope
    from {{ ref('int_ex__case') }}
    {% if is_incremental() %}where _scope = any({{ scope_cases() }}){% endif %}
),

all_cases as (
    select * from lp
    union all
    select * from lg
    union all
    select * from ex
)

select a.*, {{ int_run_id() }} as _run_id
from all_cases a
join {{ ref('int_case__precedence') }} p on p.case_id = a.case_id and p.kept
{% if is_incremental() %}and p._scope = any({{ scope_cases() }}){% endif %}
{% endcall %}
