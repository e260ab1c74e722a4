{#- JIT off for the queries of data tests and unit tests too (models get it from their pre-hook,
    dbt_project.yml): the cleaning expressions inflate PostgreSQL's cost estimates so much that it
    JIT-compiles them, which costs seconds per query on a few rows. dbt dispatches these macros
    to the root project first; psycopg2 runs both statements and returns the SELECT's rows. -#}
{% macro postgres__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
set jit = off;
{{ dbt.default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{% macro postgres__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
set jit = off;
{{ dbt.default__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) }}
{%- endmacro %}
