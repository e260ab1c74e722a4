{#- The rules of supervision-rules.md: id, Chinese name, category, unit of the limit, basis.
    Names are what the bureau reads on every warning; thresholds are not here (seed rule_config). -#}
{% macro rule_catalog() -%}
    {{ return([
        ('T01', '普通程序处罚案件超期未作出决定', '时效监察', 'calendar_day', '行政处罚法（2021）第六十条'),
        ('T02', '处罚决定书超期未送达', '时效监察', 'working_day', '行政处罚法第六十一条、第八十五条'),
        ('T03', '听证通知送达后不足法定期间即举行听证', '时效监察', 'working_day', '行政处罚法第六十四条、第八十五条'),
        ('T04', '罚款超期未缴纳', '时效监察', 'calendar_day', '行政处罚法第六十七条、第七十二条'),
        ('T05', '处罚决定超期未公示', '时效监察', 'working_day', '国办发〔2018〕118号及本省公示规定'),
        ('T06', '查封扣押超期未解除', '时效监察', 'calendar_day', '行政强制法第二十五条'),
        ('T07', '当场实施强制措施超时未补办批准', '时效监察', 'hour', '行政强制法第十九条'),
        ('T08', '催告期未满或未催告即申请法院强制执行', '时效监察', 'working_day', '行政强制法第五十四条、第六十九条'),
        ('T09', '责令整改逾期未复查', '时效监察', 'calendar_day', '责令整改通知'),
        ('T10', '环节超出本局办理时限', '时效监察', none, '本局办案流程规定'),
        ('P01', '普通程序处罚环节顺序不当', '流程监察', none, '行政处罚法第四十四条、第六十三条至第六十五条'),
        ('P02', '应经法制审核而未审核即作出决定', '流程监察', none, '行政处罚法第五十八条'),
        ('P03', '持证执法人员不足', '流程监察', none, '行政处罚法第四十二条'),
        ('P04', '经办人执法证无效', '流程监察', none, '行政处罚法第四十二条'),
        ('P05', '案件状态与记录内容不符', '流程监察', none, '省行政执法监督数据标准'),
        ('P06', '超出简易程序适用范围', '流程监察', none, '行政处罚法第五十一条'),
        ('B01', '罚款超出裁量基准', '行为监察', none, '行政处罚裁量基准'),
        ('B02', '疑似一事二罚', '行为监察', none, '行政处罚法第二十九条'),
        ('B03', '超过追责时效仍予处罚', '行为监察', none, '行政处罚法第三十六条'),
        ('A01', '案件长期无进展', '异常监察', 'calendar_day', '本局办案流程规定'),
        ('A02', '作出决定后撤销案件', '异常监察', none, '本局办案流程规定'),
        ('A03', '归档后修改案件记录', '异常监察', none, '本局案卷管理规定'),
    ]) }}
{%- endmacro %}

{#- What a source system cannot carry, per rule (shared/legacy/README.md, "What each source can
    give"): for such a case the rule is 不可判定 and names these fields. LP carries everything. -#}
{% macro rule_source_gaps() -%}
    {{ return({
        'T01': {'EX': 'procedure'},
        'T02': {'EX': 'served_at'},
        'T03': {'LG': 'hearing_notice_at,hearing_at', 'EX': 'hearing_notice_at,hearing_at'},
        'T04': {'LG': 'paid_at', 'EX': 'served_at,paid_at'},
        'T05': {'LG': 'ZF30.published_at', 'EX': 'ZF30.published_at'},
        'T06': {'EX': 'lifted_at,extended_days'},
        'T07': {'LG': 'emergency,approved_at', 'EX': 'emergency,approved_at'},
        'T08': {'LG': 'demand_notice_at,court_applied_at', 'EX': 'demand_notice_at,court_applied_at'},
        'T09': {'LG': 'result,rectify_deadline,rectified_at', 'EX': 'rectify_deadline,rectified_at'},
        'T10': {'EX': 'ZF20'},
        'P01': {'EX': 'ZF20,notified_at'},
        'P02': {'EX': 'legal_review_at'},
        'P04': {'EX': 'ZF20'},
        'P06': {'EX': 'procedure'},
        'B03': {'LG': 'violation_at,found_at', 'EX': 'violation_at,found_at'},
        'A01': {'EX': 'ZF20'},
    }) }}
{%- endmacro %}

{#- SQL: the fields `rule_id` cannot be judged on for a record of source `source_expr`, or NULL. -#}
{% macro source_gap(rule_id, source_expr) -%}
    {%- set gaps = rule_source_gaps().get(rule_id, {}) -%}
    {%- if gaps -%}
    (case {{ source_expr }}{% for src, fields in gaps.items() %} when '{{ src }}' then '{{ fields }}'{% endfor %} end)
    {%- else -%}
    null::text
    {%- endif -%}
{%- endmacro %}

{#- SQL: the rule's Chinese name, from the catalogue (one CASE; no join needed). -#}
{% macro rule_name_sql(rule_expr) -%}
    (case {{ rule_expr }}{% for r in rule_catalog() %} when '{{ r[0] }}' then '{{ r[1] }}'{% endfor %} end)
{%- endmacro %}

{#- SQL: source_gap for a rule given as an expression (one CASE over every rule with gaps). -#}
{% macro source_gap_any(rule_expr, source_expr) -%}
    (case {{ rule_expr }}{% for rule_id in rule_source_gaps() %} when '{{ rule_id }}' then {{ source_gap(rule_id, source_expr) }}{% endfor %} end)
{%- endmacro %}
