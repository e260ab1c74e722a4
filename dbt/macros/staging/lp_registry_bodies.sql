{#- The bodies of the LP registry views (ZF01 subjects, ZF02 officers, ZF03 items) and of ZF30
    publicity, as macros like staging_bodies.sql: each view calls its macro without keys; an
    incremental run of the standard model, and int_correction__state, call it with `keys` (a SQL
    text[] of raw _source_key values, which for LP is the dataset's record_key) so that only those
    records' raw versions are read. -#}

{% macro stg_lp__subject_sql(keys=none) %}
{% call apply_corrections('ZF01', 'zf01_subject') %}
with current_rows as ({{ current_rows(source('lp', 'lp_subject'), keys=keys) }})

select
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_text('subject_name') }} as subject_name,
    {{ lp_text('region_code') }} as region_code,
    {{ lp_text('subject_level') }} as subject_level,
    {{ lp_text('subject_type') }} as subject_type,
    {{ lp_text('domain_code') }} as domain_code,
    {{ lp_text('parent_subject_code') }} as parent_subject_code,
    {{ lp_bool('is_active') }} as is_active,
    {{ lp_text('subject_code') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:subject:' || _source_key as source_ref
from current_rows
where {{ lp_text('subject_code') }} is not null
{% endcall %}
{% endmacro %}

{% macro stg_lp__officer_sql(keys=none) %}
{% call apply_corrections('ZF02', 'zf02_officer') %}
with current_rows as ({{ current_rows(source('lp', 'lp_officer'), keys=keys) }})

select
    {{ lp_text('cert_no') }} as cert_no,
    {{ lp_text('officer_name') }} as officer_name,
    {{ lp_text('id_no') }} as id_no,
    {{ lp_text('subject_code') }} as subject_code,
    {{ lp_date('cert_valid_from') }} as cert_valid_from,
    {{ lp_date('cert_valid_to') }} as cert_valid_to,
    {{ lp_text('cert_status') }} as cert_status,
    {{ lp_text('cert_no') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:officer:' || _source_key as source_ref
from current_rows
where {{ lp_text('cert_no') }} is not null
{% endcall %}
{% endmacro %}

{% macro stg_lp__item_sql(keys=none) %}
{% call apply_corrections('ZF03', 'zf03_item') %}
with current_rows as ({{ current_rows(source('lp', 'lp_item'), keys=keys) }})

select
    {{ lp_text('item_code') }} as item_code,
    {{ lp_text('item_name') }} as item_name,
    {{ lp_text('item_category') }} as item_category,
    {{ lp_text('domain_code') }} as domain_code,
    {{ lp_text('legal_basis') }} as legal_basis,
    {{ lp_decimal('fine_min') }} as fine_min,
    {{ lp_decimal('fine_max') }} as fine_max,
    {{ lp_bool('legal_review_required') }} as legal_review_required,
    {{ lp_int('limitation_years') }} as limitation_years,
    {{ lp_date('valid_from') }} as valid_from,
    {{ lp_date('valid_to') }} as valid_to,
    {{ lp_text('item_code') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:item:' || _source_key as source_ref
from current_rows
where {{ lp_text('item_code') }} is not null
{% endcall %}
{% endmacro %}

{% macro stg_lp__publicity_sql(keys=none) %}
{% call apply_corrections('ZF30', 'zf30_publicity') %}
with current_rows as ({{ current_rows(source('lp', 'lp_publicity'), keys=keys) }})

select
    {{ lp_text('case_id') }} as case_id,
    {{ lp_datetime('published_at') }} as published_at,
    {{ lp_datetime('withdrawn_at') }} as withdrawn_at,
    {{ lp_text('public_text') }} as public_text,
    {{ lp_text('case_id') }} as record_key,
    {{ lp_record_version() }} as record_version,
    'LP'::text as source_system,
    {{ lp_date_only_fields() }} as date_only_fields,
    '{}'::text[] as presumed_fields,
    'LP:publicity:' || _source_key as source_ref
from current_rows
where {{ lp_text('case_id') }} is not null
{% endcall %}
{% endmacro %}
