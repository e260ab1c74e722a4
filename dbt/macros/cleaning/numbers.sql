{#- Amounts and terms written the ways the old sources write them. Each macro renders an SQL
    expression; an unreadable value gives NULL (the staging tests name such values). -#}

{#- Chinese numerals (一二三 / 壹贰叁, 十百千万亿 / 拾佰仟, 两, 〇/零) -> bigint, NULL when the text is not
    a well-formed Chinese integer. 零 is only a placeholder, so it is dropped before reading;
    each section below 万 is read as [d千][d百][d]十[d] ('十五' = 15). -#}
{% macro chinese_integer(expr) -%}
(select case
    when r !~ '^[0-9十百千万亿]+$' or r ~ '亿.*亿|万.*万|万.*亿' then null
    when {{ _cn_section_ok('s8') }} and {{ _cn_section_ok('s4') }} and {{ _cn_section_ok('s0') }}
         and (s8 <> '' or s4 <> '' or s0 <> '')
    then {{ _cn_section('s8') }}::bigint * 100000000 + {{ _cn_section('s4') }}::bigint * 10000 + {{ _cn_section('s0') }}
 end
 from (select r,
              case when strpos(r, '亿') > 0 then split_part(r, '亿', 1) else '' end as s8,
              case when strpos(r8, '万') > 0 then split_part(r8, '万', 1) else '' end as s4,
              case when strpos(r8, '万') > 0 then split_part(r8, '万', 2) else r8 end as s0
         from (select r, case when strpos(r, '亿') > 0 then split_part(r, '亿', 2) else r end as r8
                 from (select replace(translate(btrim({{ expr }}),
                                                '〇零壹贰叁肆伍陆柒捌玖拾佰仟两一二三四五六七八九',
                                                '00123456789十百千2123456789'), '0', '') as r
                        where btrim({{ expr }}) !~ '[0-9]' offset 0) digits offset 0) by_yi offset 0) sections)
{%- endmacro %}

{% macro _cn_section_ok(s) -%}
({{ s }} ~ '^([1-9]千)?([1-9]百)?([1-9]?十)?[1-9]?$')
{%- endmacro %}

{% macro _cn_section(s) -%}
(coalesce((regexp_match({{ s }}, '([1-9])千'))[1]::int, 0) * 1000
 + coalesce((regexp_match({{ s }}, '([1-9])百'))[1]::int, 0) * 100
 + case when strpos({{ s }}, '十') > 0 then coalesce((regexp_match({{ s }}, '([1-9])十'))[1]::int, 1) * 10 else 0 end
 + coalesce((regexp_match({{ s }}, '([1-9])$'))[1]::int, 0))
{%- endmacro %}

{#- Money in yuan -> numeric(18,2): '5000', '5,000.00', '5000元', '¥5000', '1.5万元', '伍仟元',
    '伍仟元整', '壹万贰仟叁佰元伍角'. -#}
{% macro parse_amount(expr) -%}
(select case
    when v is null or v = '' then null
    when v ~ '^-?[0-9]+(\.[0-9]+)?元?$' then round(rtrim(v, '元')::numeric, 2)
    when v ~ '^[0-9]+(\.[0-9]+)?万元?$' then round(rtrim(rtrim(v, '元'), '万')::numeric * 10000, 2)
    when m is not null then
        ({{ chinese_integer('m[1]') }}
         + coalesce({{ chinese_integer('m[2]') }}, 0) * 0.1
         + coalesce({{ chinese_integer('m[3]') }}, 0) * 0.01)::numeric(18, 2)
 end
 from (select v, regexp_match(v, '^([〇零壹贰叁肆伍陆柒捌玖拾佰仟两一二三四五六七八九十百千万亿]+)[元圆]?(?:([〇零壹贰叁肆伍陆柒捌玖两一二三四五六七八九])角)?(?:([〇零壹贰叁肆伍陆柒捌玖两一二三四五六七八九])分)?$') as m
         from (select regexp_replace(regexp_replace({{ halfwidth(expr) }}, '[\s\u00a0,￥¥]|人民币|RMB', '', 'gi'),
                                     '[整正]$', '') as v offset 0) cleaned offset 0) parsed)
{%- endmacro %}

{#- A term in days -> integer: '30', '30日', '30天', '三十日'. Working days or months ('30个工作日',
    '1个月') are a different unit: NULL, named by the staging tests. -#}
{% macro parse_term_days(expr) -%}
(select case
    when v is null or v = '' then null
    when v ~ '^[0-9]{1,5}[日天]?$' then rtrim(rtrim(v, '日'), '天')::int
    when v ~ '^[〇零壹贰叁肆伍陆柒捌玖拾佰仟两一二三四五六七八九十百千]+[日天]?$'
        then {{ chinese_integer("rtrim(rtrim(v, '日'), '天')") }}::int
 end
 from (select regexp_replace({{ halfwidth(expr) }}, '[\s\u00a0]', '', 'g') as v offset 0) cleaned)
{%- endmacro %}
