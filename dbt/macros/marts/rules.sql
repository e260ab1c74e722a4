{#- Helpers of the supervision rules (models/marts/rules). -#}

{#- The calendar day of a timestamptz in China Standard Time, whatever the session's time zone:
    every period of supervision-rules.md is counted in local days. -#}
{% macro local_day(expr) -%}
    (({{ expr }}) at time zone 'Asia/Shanghai')::date
{%- endmacro %}

{#- The end of day D (24:00 +08:00) as a timestamptz: the moment a rule is evaluated at. -#}
{% macro end_of_day(day_expr) -%}
    ((({{ day_expr }}) + 1)::timestamp at time zone 'Asia/Shanghai')
{%- endmacro %}

{#- A value of the bureau's rule configuration (seed rule_config). An uncorrelated scalar
    subquery: PostgreSQL evaluates it once per statement. A missing parameter is caught by the
    seed's test `rule_config_complete`, never silently read as NULL by a rule. -#}
{% macro rule_param(name) -%}
    (select value from {{ ref('rule_config') }} where param = '{{ name }}')
{%- endmacro %}

{#- The parameters every rule needs; the seed test fails when one is missing. -#}
{% macro required_rule_params() -%}
    {{ return(['yellow_ratio', 'yellow_days_left', 't01_limit_days', 't01_extension_days',
               't02_limit_working_days', 't03_min_working_days', 't04_limit_days', 't05_limit_working_days',
               't05_exempt_summary_warning', 't06_max_term_days', 't06_max_extended_days', 't07_limit_hours',
               't08_min_working_days', 'p02_review_fine_party_1', 'p02_review_fine_party_2',
               'p02_review_fine_party_3', 'p02_review_fine_party_4', 'p03_min_officers',
               'p03_min_officers_summary', 'p06_summary_fine_party_1', 'p06_summary_fine_party_2',
               'p06_summary_fine_party_3', 'p06_summary_fine_party_4', 'b02_window_days',
               'b03_default_limitation_years', 'a01_stale_days', 'a01_red_factor']) }}
{%- endmacro %}

{#- Seed test: every parameter the rules read is present once and has a value. -#}
{% test rule_config_complete(model) %}
{% set failing %}
select p.param as missing_or_empty_param
  from unnest(array[{% for p in required_rule_params() %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %}]) as p(param)
 where (select count(*) from {{ model }} c where c.param = p.param and c.value is not null) <> 1
{% endset %}
{% do name_failures(failing, "规则参数缺失或重复（rule_config）") %}
{{ failing }}
{% endtest %}

{#- Whether a local field of a standard record is listed in its date_only_fields. -#}
{% macro is_date_only(alias, field) -%}
    coalesce('{{ field }}' = any({{ alias }}.date_only_fields), false)
{%- endmacro %}

{#- a happened before b, where a date-only value (stored as 00:00) is compared by its day only:
    a same-day date-only value cannot be ordered, and is given the benefit of the doubt. -#}
{% macro happened_before(a, a_date_only, b, b_date_only) -%}
    ({{ a }} < {{ b }} or (({{ a_date_only }} or {{ b_date_only }}) and {{ local_day(a) }} <= {{ local_day(b) }}))
{%- endmacro %}

{#- A decision exempt from publication (T05, fct_publicity): by default a warning alone under the
    summary procedure; the bureau can switch the exemption off (t05_exempt_summary_warning = 0).
    An unknown procedure is not exempt: the exemption must be shown, not presumed. -#}
{% macro publicity_exempt(procedure, penalty_kinds) -%}
    coalesce({{ rule_param('t05_exempt_summary_warning') }} = 1 and {{ procedure }} = '1'
             and {{ penalty_kinds }} <@ array['01']::varchar[] and '01' = any({{ penalty_kinds }}), false)
{%- endmacro %}

{#- The working-day calendar with wd_seq, the running number of working days (a non-working day
    carries the number of the last working day before it): "working days after A up to and
    including B" is wd_seq(B) - wd_seq(A), "the N-th working day after A" the working day numbered
    wd_seq(A) + N. Read straight from the seed, 4,000 rows, so every rule model joins it by hash
    and dbt unit tests run on the real State Council calendar unless a test gives its own. -#}
{% macro working_calendar() -%}
    select date::date as cal_date, is_workday::boolean as is_workday,
           (count(*) filter (where is_workday) over (order by date))::integer as wd_seq
      from {{ ref('work_calendar') }}
{%- endmacro %}
