{#- Generic data tests of the project. Each names what fails (name_failures). -#}

{#- Every value is a code of the standard's code set `code_set` (seed code_set). For list
    columns (text[]) every item is checked. -#}
{% test in_code_set(model, column_name, code_set, is_list=false) %}
{% set failing %}
select distinct v.value as value_not_in_code_set
  from {{ model }} m
  cross join lateral {% if is_list %}unnest(m.{{ column_name }}){% else %}(select m.{{ column_name }}){% endif %} as v(value)
 where v.value is not null
   and not exists (select 1 from {{ ref('code_set') }} c
                    where c.code_set = '{{ code_set }}' and c.code = v.value::text)
{% endset %}
{% do name_failures(failing, model.identifier ~ "." ~ column_name ~ " 不在代码集 " ~ code_set ~ " 中") %}
{{ failing }}
{% endtest %}

{#- Six-digit division codes of the deployment's list (seed region). -#}
{% test in_region(model, column_name) %}
{% set failing %}
select distinct m.{{ column_name }} as region_not_listed
  from {{ model }} m
 where m.{{ column_name }} is not null
   and not exists (select 1 from {{ ref('region') }} r where r.code = m.{{ column_name }}::text)
{% endset %}
{% do name_failures(failing, model.identifier ~ "." ~ column_name ~ " 不在行政区划清单中") %}
{{ failing }}
{% endtest %}

{#- A source text that has a value but found no row in its mapping seed. The mapped column is
    NULL there and the record still loads; this test names the text so a steward can add it.
    For a list (is_list), source_column is the list of the items that found no mapping. -#}
{% test all_values_mapped(model, column_name, source_column, is_list=false) %}
{% set failing %}
{% if is_list %}
select u.item as unmapped_value, count(*) as rows_affected
  from {{ model }} m cross join lateral unnest(m.{{ source_column }}) as u(item)
 where u.item is not null
 group by u.item
{% else %}
select m.{{ source_column }} as unmapped_value, count(*) as rows_affected
  from {{ model }} m
 where m.{{ source_column }} is not null and m.{{ column_name }} is null
 group by m.{{ source_column }}
{% endif %}
{% endset %}
{% do name_failures(failing, "未映射的值（" ~ model.identifier ~ "." ~ source_column ~ "，请补充映射种子）") %}
{{ failing }}
{% endtest %}

{#- A source text that holds something but could not be read (a date, an amount, a term): the
    parsed column is NULL. `kind` = date also ignores the absent forms ('', '0000-00-00'). -#}
{% test readable(model, column_name, source_column, kind='value') %}
{% set failing %}
select m.{{ source_column }} as unreadable_value, count(*) as rows_affected
  from {{ model }} m
 where m.{{ source_column }} is not null and m.{{ column_name }} is null
   {% if kind == 'date' %}and {{ date_present('m.' ~ source_column) }}{% endif %}
 group by m.{{ source_column }}
{% endset %}
{% do name_failures(failing, "无法识别的值（" ~ model.identifier ~ "." ~ source_column ~ "）") %}
{{ failing }}
{% endtest %}

{#- Every item of a list column exists in `to`.`field` (relationships for text[] columns). -#}
{% test list_items_in(model, column_name, to, field) %}
{% set failing %}
select distinct m.record_key, u.item as missing_reference
  from {{ model }} m cross join lateral unnest(m.{{ column_name }}) as u(item)
 where u.item is not null
   and not exists (select 1 from {{ to }} t where t.{{ field }} = u.item)
{% endset %}
{% do name_failures(failing, model.identifier ~ "." ~ column_name ~ " 引用了未登记的 " ~ field) %}
{{ failing }}
{% endtest %}

{#- The combination of columns is unique. -#}
{% test unique_combination(model, columns) %}
{% set failing %}
select {{ columns | join(', ') }}, count(*) as n
  from {{ model }}
 group by {{ columns | join(', ') }}
having count(*) > 1
{% endset %}
{% do name_failures(failing, model.identifier ~ " 重复的 " ~ (columns | join('+'))) %}
{{ failing }}
{% endtest %}

{#- A boolean SQL expression holds on every row; failing rows are named by record_key (or by
    `name_by`). -#}
{% test expression_holds(model, expression, name_by='record_key', describe='', column_name=none) %}
{% set failing %}
select {{ name_by }} as failing_row
  from {{ model }}
 where not coalesce(({{ expression }}), false)
{% endset %}
{% do name_failures(failing, model.identifier ~ " " ~ (describe or expression)) %}
{{ failing }}
{% endtest %}

{#- The calendar has every day between its first and its last: working days are counted on it,
    and a gap would silently count wrong. -#}
{% test no_missing_days(model, column_name) %}
{% set failing %}
select d::date as missing_day
  from (select min({{ column_name }}) as first_day, max({{ column_name }}) as last_day from {{ model }}) b
  cross join generate_series(b.first_day, b.last_day, interval '1 day') as d
 where not exists (select 1 from {{ model }} m where m.{{ column_name }} = d::date)
{% endset %}
{% do name_failures(failing, model.identifier ~ " 缺少日期") %}
{{ failing }}
{% endtest %}

{#- The local bookkeeping of a standard table is consistent: record_key is the dataset key joined
    with '|', date_only_fields lists only datetime fields, presumed_fields only fields of the
    dataset. One test per table; each failing row names the rule it breaks. -#}
{% test standard_record_rules(model, key, datetime_fields, fields) %}
{% set failing %}
select record_key, problem
  from (
    select record_key,
           case
             when record_key is distinct from ({% for k in key %}{{ k }}::text{% if not loop.last %} || '|' || {% endif %}{% endfor %})
               then 'record_key 不等于主键字段以“|”连接'
             when not (date_only_fields <@ array[{% for f in datetime_fields %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %}]::text[])
               then 'date_only_fields 列出了非 datetime 字段'
             when not (presumed_fields <@ array[{% for f in fields %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %}]::text[])
               then 'presumed_fields 列出了本数据集以外的字段'
           end as problem
      from {{ model }}
  ) checked
 where problem is not null
{% endset %}
{% do name_failures(failing, model.identifier ~ " 记录规则") %}
{{ failing }}
{% endtest %}
