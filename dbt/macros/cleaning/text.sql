{#- Text cleaning shared by every source. Each macro renders an SQL expression. -#}

{#- Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space (U+3000) to their ASCII
    counterparts. Nothing else is touched: Chinese punctuation such as 、 and 。 has no ASCII form. -#}
{% macro halfwidth(expr) -%}
{% raw %}translate({% endraw %}{{ expr }}{% raw %}, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '){% endraw %}
{%- endmacro %}

{#- A source text value as the standard wants it: half-width, trimmed (incl. no-break spaces),
    and NULL when nothing is left. -#}
{% macro clean_text(expr) -%}
nullif(btrim({{ halfwidth(expr) }}, E' \t\r\n\u00a0'), '')
{%- endmacro %}

{#- The form a code-like text value (ajlx, zt, 案件状态 ...) is looked up in a mapping seed with:
    half-width, every kind of space removed. Applied to both sides of the lookup. -#}
{% macro map_key(expr) -%}
nullif(regexp_replace({{ halfwidth(expr) }}, '[\s\u00a0]+', '', 'g'), '')
{%- endmacro %}

{#- Split a free-text list ('警告,罚款', '罚款；没收违法所得', 'A、B') into a text[] of distinct,
    trimmed items in their first order; NULL when nothing is listed. -#}
{% macro split_list(expr) -%}
(select array_agg(item order by first_pos)
   from (select item, min(pos) as first_pos
           from regexp_split_to_table({{ halfwidth(expr) }}, '\s*[,;、/|]\s*') with ordinality as t(raw_item, pos)
           cross join lateral (select btrim(t.raw_item, E' \t\r\n\u00a0') as item) i
          where i.item <> ''
          group by item) d)
{%- endmacro %}

{#- How the same real case is recognised across sources: the unit's case number as MariaDB
    compares keys (case-insensitive, surrounding spaces ignored), after half-width. -#}
{% macro case_no_key(expr) -%}
upper(nullif(btrim({{ halfwidth(expr) }}, E' \t\r\n\u00a0'), ''))
{%- endmacro %}

{#- GB/T 2260 six-digit division code out of '440106', '440106000000' or ' 440106 ': the first six
    digits; NULL when there are fewer. -#}
{% macro region_code(expr) -%}
case when length(regexp_replace({{ halfwidth(expr) }}, '[^0-9]', '', 'g')) >= 6
     then left(regexp_replace({{ halfwidth(expr) }}, '[^0-9]', '', 'g'), 6) end
{%- endmacro %}

{#- Free text (names, opinions, places): only surrounding spaces (incl. the ideographic and the
    no-break space) are removed. Full-width punctuation is proper Chinese writing there and stays. -#}
{% macro trim_text(expr) -%}
nullif(btrim({{ expr }}, E' \t\r\n\u00a0\u3000'), '')
{%- endmacro %}

{#- The standard's person_name mask (keep the first character, '*' for each other one), for the
    few places that must show whose name could not be resolved (test output, steward views). -#}
{% macro mask_person_name(expr) -%}
(left({{ expr }}, 1) || repeat('*', greatest(char_length({{ expr }}) - 1, 0)))
{%- endmacro %}
