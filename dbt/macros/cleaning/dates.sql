{#- Dates and times of the old sources, as the standard wants them: an instant (timestamptz) at
    +08:00, plus whether the source gave a date only (the standard's `date_only` rule).

    Read: '2023-05-06', '2023/5/6', '2023-5-6', '2023.5.6', '2023年5月6日', '20230506', each
    optionally followed by a time ('2023-05-06 14:30', '14:30:15', '14时30分'), and ISO 8601 with
    an offset ('2023-05-06T14:30:00+08:00'). With excel_serial=true also an Excel serial day
    number ('45352', '45352.5'; EX spreadsheets). Absent: NULL, '', '0000-00-00'. Anything else,
    and impossible dates ('2023-02-30'), give NULL: the staging tests name such values.
    A value without an offset is China time (+08:00) whatever the session's time zone. -#}

{#- year/month/day integers that form a real calendar date (pure arithmetic: no function that
    could raise on bad input). -#}
{% macro valid_ymd(y, m, d) -%}
({{ y }} between 1 and 9999 and {{ m }} between 1 and 12 and {{ d }} between 1 and
  case when {{ m }} in (4, 6, 9, 11) then 30
       when {{ m }} = 2 then case when ({{ y }} % 4 = 0 and {{ y }} % 100 <> 0) or {{ y }} % 400 = 0 then 29 else 28 end
       else 31 end)
{%- endmacro %}

{#- The regular expressions: separated dates, the compact 8-digit form, Excel serials. Groups:
    1 year, 2 month, 3 day, 4 hour, 5 minute, 6 second, 7 offset ('Z', '+08', '+0800', '+08:00'). -#}
{% macro _date_pattern_sep() -%}
{% raw %}^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?)?\s*[秒分]?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?${% endraw %}
{%- endmacro %}
{% macro _date_pattern_compact() -%}
{% raw %}^(\d{4})(\d{2})(\d{2})(?:(?:\s+|T)(\d{1,2}):?(\d{2})(?::?(\d{2}))?)?${% endraw %}
{%- endmacro %}
{% macro _date_pattern_excel() -%}
{% raw %}^(\d{5})(\.\d+)?${% endraw %}
{%- endmacro %}

{#- One row of parsed parts for the value: p (text[] of the groups, or NULL), e (Excel match),
    used by the macros below as a scalar subquery's FROM. -#}
{% macro _date_parts_from(expr, excel_serial) -%}
(select coalesce(regexp_match(v, '{{ _date_pattern_sep() }}'), regexp_match(v, '{{ _date_pattern_compact() }}')) as p,
        {% if excel_serial %}regexp_match(v, '{{ _date_pattern_excel() }}'){% else %}null::text[]{% endif %} as e
   from (select btrim({{ halfwidth(expr) }}, E' \t\r\n\u00a0') as v offset 0) raw_value offset 0) parts
{%- endmacro %}

{% macro _date_parts_ok() -%}
(p is not null
 and {{ valid_ymd('p[1]::int', 'p[2]::int', 'p[3]::int') }}
 and coalesce(p[4]::int, 0) < 24 and coalesce(p[5]::int, 0) < 60 and coalesce(p[6]::int, 0) < 60)
{%- endmacro %}

{#- -> timestamptz (NULL when absent or unreadable) -#}
{% macro local_datetime(expr, excel_serial=false) -%}
(select case
    when {{ _date_parts_ok() }} then
        (make_timestamp(p[1]::int, p[2]::int, p[3]::int, coalesce(p[4]::int, 0), coalesce(p[5]::int, 0),
                        coalesce(p[6]::int, 0))
         - case when p[7] is null then interval '8 hours'
                when p[7] = 'Z' then interval '0'
                else (case when left(p[7], 1) = '-' then -1 else 1 end)
                     * make_interval(hours => substr(p[7], 2, 2)::int,
                                     mins => coalesce(nullif(substr(replace(p[7], ':', ''), 4, 2), ''), '0')::int)
           end) at time zone 'UTC'
    {%- if excel_serial %}
    when e is not null then
        (timestamp '1899-12-30' + make_interval(days => e[1]::int)
         + make_interval(secs => floor(coalesce(('0' || e[2])::numeric, 0) * 86400)::float8)
         - interval '8 hours') at time zone 'UTC'
    {%- endif %}
 end
 from {{ _date_parts_from(expr, excel_serial) }})
{%- endmacro %}

{#- -> boolean: true when the value was read and carried no time of day; NULL when unreadable.
    `parsed` is the value's local_datetime when the model already has it (a column of an earlier
    CTE): then only a cheap look for a time of day is left, instead of parsing twice. -#}
{% macro date_only(expr, excel_serial=false, parsed=none) -%}
{%- if parsed is none -%}
(select case
    when {{ _date_parts_ok() }} then p[4] is null
    {%- if excel_serial %}
    when e is not null then e[2] is null or ('0' || e[2])::numeric = 0
    {%- endif %}
 end
 from {{ _date_parts_from(expr, excel_serial) }})
{%- else -%}
case when {{ parsed }} is not null then
    not (regexp_replace(btrim({{ halfwidth(expr) }}, E' \t\r\n\u00a0'), '([+-][0-9]{2}:[0-9]{2}|Z)$', '')
         ~ '[0-9]\s*[:时点]\s*[0-9]|^[0-9]{8}(\s+|T)[0-9]{% if excel_serial %}|^[0-9]{5}\.[0-9]*[1-9]{% endif %}')
end
{%- endif -%}
{%- endmacro %}

{#- -> date: the calendar day in China of the value. -#}
{% macro local_date(expr, excel_serial=false) -%}
(({{ local_datetime(expr, excel_serial) }} at time zone 'UTC') + interval '8 hours')::date
{%- endmacro %}

{#- -> boolean: the source holds something other than "absent" ('', '0000-00-00', zeros). Used by
    the tests that name unreadable dates. -#}
{% macro date_present(expr) -%}
(coalesce(regexp_replace({{ halfwidth(expr) }}, '[\s\u00a00:\-/.年月日]', '', 'g'), '') <> '')
{%- endmacro %}

{#- A bookkeeping change time (record_version, _record_version, gxsj): ISO text with or without
    an offset, or a Postgres timestamptz text; whole seconds, China time when no offset. -#}
{% macro version_time(expr) -%}
date_trunc('second', {{ local_datetime(expr) }})
{%- endmacro %}
