{#- LG's officers are one text: '张三(44010020150012),李四(44010020150013)', with ASCII or
    full-width brackets and commas, sometimes names only ('张三,李四'). Renders a subquery with one
    row per listed officer: pos (1-based), item (as written), officer_name, cert_no (normalised,
    NULL when only a name was written). Names are resolved through t_ry in int_lg__case_officer. -#}
{% macro officer_entries(expr) -%}
(select e.pos,
        btrim(e.item, E' \t\r\n\u00a0') as item,
        nullif(btrim(parts.m[1], E' \t\r\n\u00a0'), '') as officer_name,
        {{ normalise_credential('parts.m[2]') }} as cert_no
   from regexp_split_to_table({{ halfwidth(expr) }}, '[,;、]') with ordinality as e(item, pos)
   cross join lateral (select regexp_match(btrim(e.item, E' \t\r\n\u00a0'),
                                           '^([^()]*?)\s*(?:\(\s*([^()]*?)\s*\))?$') as m) parts
  where btrim(e.item, E' \t\r\n\u00a0') <> '')
{%- endmacro %}
