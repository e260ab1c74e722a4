{#- A failing data test says more than "Got 3 results": before the test's query runs, the values
    at fault are printed as warnings, so a steward reads in the run's log exactly which value to
    map or fix. Only code-like values and record keys are printed, never personal data
    (the standard's masking rules). -#}
{% macro name_failures(failing_sql, describe, limit=20) %}
  {% if execute %}
    {% set found = run_query("select * from (" ~ failing_sql ~ ") failures limit " ~ limit) %}
    {% for row in found.rows %}
      {% do exceptions.warn(describe ~ "：" ~ (row.values() | join(" | "))) %}
    {% endfor %}
  {% endif %}
{% endmacro %}
