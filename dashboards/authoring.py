"""Where the dashboards were first written: datasets, charts and layouts as Python, turned into a
minimal Superset bundle that `jiandu.bootstrap.superset.rebuild_assets(settings)` imports into a
Superset whose warehouse holds built marts, completes (column types from the warehouse, Chinese
labels from the dbt column comments) and exports into dashboards/assets/.

dashboards/assets/ is what setup imports and what the round-trip test compares; a change made in
the Superset UI is kept with `jiandu dashboards export`, a change made here by rebuilding (on a
fresh Superset metadata database: Superset does not move an existing chart to another dataset on
overwrite). Uuids are derived from the keys below, so rebuilding keeps every uuid.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NAMESPACE = uuid.UUID("7d1d2b1e-6a2c-4c55-9d3e-6a5e0b1f0a10")
WAREHOUSE_DB = "监督数据仓库"          # dashboards: role jiandu_superset (marts, quality, ops)
ANALYST_DB = "监督数据仓库（分析员）"   # SQL Lab: role jiandu_analyst (marts only, masked)


def uid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def metric(sql: str, label: str) -> dict:
    return {"expressionType": "SQL", "sqlExpression": sql, "label": label, "hasCustomLabel": True,
            "optionName": "metric_" + uid(sql + label)[:8]}


def where(sql: str) -> dict:
    return {"clause": "WHERE", "expressionType": "SQL", "sqlExpression": sql,
            "filterOptionName": "filter_" + uid(sql)[:8]}


@dataclass
class Dataset:
    key: str                # schema.table
    labels: dict = field(default_factory=dict)       # verbose names for columns without a comment
    calculated: dict = field(default_factory=dict)   # name -> (SQL expression, label)
    main_dttm_col: str | None = None
    sql: str | None = None   # a virtual dataset (SQL) named after its main table

    @property
    def schema(self) -> str:
        return self.key.split(".")[0]

    @property
    def table(self) -> str:
        return self.key.split(".")[1]


@dataclass
class Chart:
    key: str
    name: str
    dataset: str
    viz: str
    params: dict
    width: int = 4
    height: int = 50


@dataclass
class Dashboard:
    slug: str
    title: str
    description: str
    rows: list[list[Chart]]
    filters: list[tuple[str, str, str]] = field(default_factory=list)  # (label, dataset, column)


DATASETS = [
    Dataset("quality.steward_queue", labels={
        "issue_id": "问题编号", "dataset": "数据集", "record_key": "记录标识", "rule": "规则", "rule_id": "规则编号",
        "rule_title": "规则名称", "severity": "严重程度", "field": "字段", "value_masked": "问题值（已脱敏）",
        "source_ref": "来源记录", "source_system": "来源系统", "message": "问题说明", "status": "状态",
        "first_seen": "首次发现时间", "last_seen": "最近发现时间", "open_days": "已存在天数", "holds_push": "是否阻止推送",
        "correction_status": "更正状态", "correction_value_masked": "更正值（已脱敏）"},
        calculated={
            "age_band": ("case when open_days <= 7 then '7天以内' when open_days <= 30 then '8至30天' else '30天以上' end",
                         "存在时长"),
        }, main_dttm_col="first_seen"),
    Dataset("quality.rejected_input", labels={
        "rejected_id": "编号", "source": "来源系统", "stream": "数据流或文件", "location": "位置", "record_key": "记录标识",
        "field": "字段", "reason": "原因", "status": "状态", "rejected_at": "拒收时间", "resolved_at": "处理时间"},
        calculated={"age_days": ("(current_date - rejected_at::date)", "已等待天数")}, main_dttm_col="rejected_at"),
    Dataset("ops.push_batch", labels={
        "dataset": "数据集", "region_code": "行政区划代码", "created_at": "生成时间", "record_count": "记录数",
        "status": "状态", "attempts": "尝试次数", "last_error": "最近错误", "sent_at": "发送时间"},
        calculated={"status_label": ("case status when 'sent' then '已发送' when 'pending' then '待发送' "
                                     "when 'failed' then '失败' else status end", "推送状态")},
        main_dttm_col="created_at"),
    Dataset("ops.push_receipt", labels={
        "dataset": "数据集", "received": "接收数", "accepted": "接受数", "stale": "过期数", "rejected": "拒收数",
        "received_at": "回执时间"}, main_dttm_col="received_at"),
    Dataset("ops.push_state", labels={
        "dataset": "数据集", "record_key": "记录标识", "region_code": "行政区划代码", "record_version": "记录版本",
        "op": "操作", "outcome": "结果", "reject_code": "拒收代码", "reject_field": "拒收字段",
        "reject_message": "拒收说明", "updated_at": "更新时间"},
        calculated={"outcome_label": ("case outcome when 'accepted' then '已接受' when 'stale' then '版本过期' "
                                      "when 'rejected' then '被拒收' else outcome end", "省平台处理结果")},
        main_dttm_col="updated_at"),
    Dataset("ops.reconciliation", labels={
        "run_id": "对账批次", "dataset": "数据集", "region_code": "行政区划代码", "checked_at": "对账时间",
        "hub_records": "省平台记录数", "expected_records": "应有记录数", "pushable_records": "本地可推送记录数",
        "status": "对账结果", "differences": "差异项", "differing_keys_total": "差异记录数", "repair_records": "补推记录数",
        "repair_rejected": "补推被拒数", "status_after": "补推后结果", "message": "说明"},
        calculated={"status_label": ("case status when 'ok' then '一致' else '存在差异' end", "对账结果（中文）"),
                    "differences_text": ("array_to_string(differences, '、')", "差异项（文本）")},
        main_dttm_col="checked_at"),
    Dataset("marts.rpt_subject_performance", main_dttm_col="stat_month"),
    # The deductions carry no region; joined to the scores' subject region so a district's users
    # see their own subjects' deductions (row-level security filters on region_code).
    # Named apart from the table: Superset adds a dataset's row-level filter to every reference of
    # the table that carries the dataset's name, inside the SQL too, where region_code is missing.
    Dataset("marts.rpt_subject_performance_deduction_by_region", main_dttm_col="stat_month", sql=(
        "select d.*, s.region_code\n"
        "from marts.rpt_subject_performance_deduction d\n"
        "left join (select distinct subject_code, region_code from marts.rpt_subject_performance) s\n"
        "  on s.subject_code = d.subject_code")),
    Dataset("marts.fct_warning", main_dttm_col="due_date"),
    Dataset("marts.agg_warning_event_daily", main_dttm_col="effective_date"),
    Dataset("marts.stat_case_monthly", main_dttm_col="stat_month"),
    Dataset("marts.stat_penalty_monthly", main_dttm_col="stat_month"),
    Dataset("marts.stat_penalty_kind_monthly", main_dttm_col="stat_month"),
    Dataset("marts.stat_decision_duration_monthly", main_dttm_col="stat_month"),
    Dataset("marts.stat_legal_review_monthly", main_dttm_col="stat_month"),
    Dataset("marts.case_detail", main_dttm_col="registered_on"),
]

BAR = "echarts_timeseries_bar"
LINE = "echarts_timeseries_line"


def bar(key, name, dataset, x, metrics, groupby=(), filters=(), horizontal=False, limit=20, series=5,
        order_by=None, **kw) -> Chart:
    """Bars for at most `limit` x categories, the largest by `order_by` (else the first metric):
    the query's rows are ordered by that metric and capped, so a dimension with many members
    (subjects, rules, items) stays readable. Levels of one category are metrics (count filtered
    by level), not a groupby, so the row cap is a category cap; a groupby (a few series over a
    short axis) keeps its `series` largest series and `limit` rows per series."""
    order_by = order_by or metrics[0]
    stacked = bool(groupby) or len(metrics) > 1
    params = {"x_axis": x, "metrics": list(metrics), "groupby": list(groupby), "adhoc_filters": list(filters),
              "row_limit": limit * (series if groupby else 1), "order_desc": True,
              # several metrics are sorted by their sum (x_axis_sort_series), one by itself
              "x_axis_sort": metrics[0]["label"], "x_axis_sort_asc": False,
              "x_axis_sort_series": "sum", "x_axis_sort_series_ascending": False,
              "orientation": "horizontal" if horizontal else "vertical", "stack": "Stack" if stacked else None,
              "show_legend": stacked, "show_value": True, "series_limit": series if groupby else 0,
              "limit": series if groupby else 0, "series_limit_metric": dict(order_by),
              "truncate_metric": True, "rich_tooltip": True, "x_axis_title_margin": 15, "y_axis_title_margin": 15,
              "color_scheme": "supersetColors", "only_total": True, "sort_series_type": "sum"}
    return Chart(key, name, dataset, BAR, params, **kw)


def trend(key, name, dataset, x, metrics, grain="P1M", groupby=(), filters=(), **kw) -> Chart:
    params = {"x_axis": x, "time_grain_sqla": grain, "metrics": list(metrics), "groupby": list(groupby),
              "adhoc_filters": [{"clause": "WHERE", "subject": x, "operator": "TEMPORAL_RANGE",
                                 "comparator": "No filter", "expressionType": "SIMPLE"}, *filters],
              "row_limit": 10000, "show_legend": True, "rich_tooltip": True, "markerEnabled": True,
              "color_scheme": "supersetColors", "truncate_metric": True, "x_axis_time_format": "smart_date"}
    return Chart(key, name, dataset, LINE, params, **kw)


def big(key, name, dataset, m, filters=(), subheader="", **kw) -> Chart:
    params = {"metric": m, "adhoc_filters": list(filters), "subheader": subheader, "header_font_size": 0.4,
              "subheader_font_size": 0.15, "y_axis_format": "SMART_NUMBER", "time_format": "smart_date"}
    return Chart(key, name, dataset, "big_number_total", params, width=kw.pop("width", 3), height=kw.pop("height", 30),
                 **kw)


def pie(key, name, dataset, groupby, m, filters=(), **kw) -> Chart:
    params = {"groupby": [groupby], "metric": m, "adhoc_filters": list(filters), "row_limit": 100,
              "sort_by_metric": True, "show_labels": True, "label_type": "key_value_percent", "show_legend": True,
              "donut": True, "color_scheme": "supersetColors", "number_format": "SMART_NUMBER", "outerRadius": 70,
              "innerRadius": 30, "labels_outside": True}
    return Chart(key, name, dataset, "pie", params, **kw)


def table(key, name, dataset, columns, order_by, filters=(), limit=1000, **kw) -> Chart:
    params = {"query_mode": "raw", "all_columns": list(columns), "groupby": [], "metrics": [],
              "order_by_cols": [json.dumps([c, asc], ensure_ascii=False) for c, asc in order_by],
              "adhoc_filters": list(filters), "row_limit": limit, "server_page_length": 20,
              "server_pagination": False, "include_search": True, "table_timestamp_format": "%Y-%m-%d",
              "allow_render_html": False, "show_cell_bars": False, "color_pn": False}
    return Chart(key, name, dataset, "table", params, width=kw.pop("width", 12), height=kw.pop("height", 60), **kw)


def agg_table(key, name, dataset, groupby, metrics, filters=(), limit=100, **kw) -> Chart:
    params = {"query_mode": "aggregate", "groupby": list(groupby), "metrics": list(metrics), "all_columns": [],
              "adhoc_filters": list(filters), "row_limit": limit, "order_desc": True,
              "timeseries_limit_metric": metrics[0], "server_page_length": 20, "include_search": True,
              "table_timestamp_format": "%Y-%m", "show_cell_bars": True, "allow_render_html": False}
    return Chart(key, name, dataset, "table", params, width=kw.pop("width", 6), height=kw.pop("height", 50), **kw)


COUNT = metric("count(*)", "数量")
OPEN = where("status = 'open'")
RED_YELLOW = where("level in ('red', 'yellow')")
BY_LEVEL = [metric("count(*) filter (where level = 'red')", "红牌"),
            metric("count(*) filter (where level = 'yellow')", "黄牌")]

QUALITY = Dashboard("quality", "数据质量", "供数据管理员处理：未关闭的数据质量问题（按规则、来源、存在时长）与待处理的拒收输入", [
    [big("q.open_issues", "未关闭质量问题", "quality.steward_queue", metric("count(*)", "未关闭问题"), [OPEN]),
     big("q.blocking", "阻断级问题", "quality.steward_queue", metric("count(*)", "阻断级问题"),
         [OPEN, where("severity = 'blocking'")]),
     big("q.rejected_open", "待处理拒收输入", "quality.rejected_input", metric("count(*)", "待处理拒收"), [OPEN]),
     big("q.oldest", "最久未关闭（天）", "quality.steward_queue", metric("max(open_days)", "最久天数"),
         [OPEN])],
    [bar("q.by_rule", "未关闭问题（按规则）", "quality.steward_queue", "rule_id",
         [metric("count(*) filter (where severity = 'blocking')", "阻断级"),
          metric("count(*) filter (where severity = 'warning')", "警告级")], [], [OPEN], horizontal=True,
         order_by=metric("count(*)", "问题数")),
     bar("q.by_source", "未关闭问题（按来源与数据集）", "quality.steward_queue", "source_system", [metric("count(*)", "问题数")],
         ["dataset"], [OPEN]),
     bar("q.by_age", "未关闭问题（按存在时长）", "quality.steward_queue", "age_band", [metric("count(*)", "问题数")], [], [OPEN])],
    [table("q.issue_list", "未关闭质量问题清单", "quality.steward_queue",
           ["dataset", "record_key", "rule_id", "rule_title", "severity", "field", "value_masked", "message",
            "source_system", "first_seen", "open_days", "holds_push"], [("first_seen", True)], [OPEN])],
    [bar("q.rejected_by_source", "待处理拒收输入（按来源）", "quality.rejected_input", "source",
         [metric("count(*)", "拒收数")], ["reason"], [OPEN], width=4),
     table("q.rejected_list", "待处理拒收输入清单", "quality.rejected_input",
           ["source", "stream", "location", "record_key", "field", "reason", "rejected_at", "age_days"],
           [("rejected_at", True)], [OPEN], width=8, height=50)],
], filters=[("来源系统", "quality.steward_queue", "source_system"), ("规则", "quality.steward_queue", "rule_id")])

PUSH = Dashboard("push", "数据推送对账", "向省级平台推送的批次状态、按代码的拒收情况与对账差异", [
    [big("p.failed", "失败或待发送批次", "ops.push_batch", metric("count(*)", "批次"), [where("status <> 'sent'")]),
     big("p.rejected", "被拒收记录", "ops.push_state", metric("count(*)", "记录"), [where("outcome = 'rejected'")]),
     big("p.accepted", "已接受记录", "ops.push_state", metric("count(*)", "记录"), [where("outcome = 'accepted'")]),
     big("p.stale", "版本过期记录", "ops.push_state", metric("count(*)", "记录"), [where("outcome = 'stale'")])],
    [bar("p.batch_status", "推送批次状态（按数据集）", "ops.push_batch", "dataset", [metric("count(*)", "批次数")],
         ["status_label"]),
     trend("p.daily", "每日推送接收情况", "ops.push_receipt", "received_at",
           [metric("sum(accepted)", "接受"), metric("sum(rejected)", "拒收"), metric("sum(stale)", "过期")], grain="P1D"),
     bar("p.reject_codes", "拒收记录（按代码）", "ops.push_state", "reject_code", [metric("count(*)", "记录数")],
         ["dataset"], [where("outcome = 'rejected'")])],
    [table("p.reject_list", "被拒收记录清单", "ops.push_state",
           ["dataset", "record_key", "reject_code", "reject_field", "reject_message", "updated_at"],
           [("updated_at", False)], [where("outcome = 'rejected'")])],
    [trend("p.recon_trend", "对账差异趋势", "ops.reconciliation", "checked_at",
           [metric("count(*) filter (where status = 'different')", "存在差异的数据集"),
            metric("sum(differing_keys_total)", "差异记录数")], grain="P1D", width=4),
     table("p.recon_list", "对账结果与差异", "ops.reconciliation",
           ["checked_at", "dataset", "region_code", "status_label", "differences_text", "hub_records", "expected_records",
            "differing_keys_total", "repair_records", "status_after", "message"], [("checked_at", False)],
           [where("status = 'different' or status_after = 'different'")], width=8, height=50)],
], filters=[("数据集", "ops.push_state", "dataset")])

WARNINGS = Dashboard("warnings", "执法监督预警", "当前红牌、黄牌预警及其分布和趋势；点击统计图可筛选下方清单", [
    [big("w.red", "红牌预警", "marts.fct_warning", metric("count(*)", "红牌"), [where("level = 'red'")]),
     big("w.yellow", "黄牌预警", "marts.fct_warning", metric("count(*)", "黄牌"), [where("level = 'yellow'")]),
     big("w.green", "计时中（绿牌）", "marts.fct_warning", metric("count(*)", "绿牌"), [where("level = 'green'")]),
     big("w.max_overdue", "最长逾期（天）", "marts.fct_warning", metric("max(days_overdue)", "逾期天数"), [RED_YELLOW])],
    [bar("w.by_subject", "红黄牌（按执法主体）", "marts.fct_warning", "subject_name", BY_LEVEL, [], [RED_YELLOW],
         horizontal=True, order_by=COUNT, width=6),
     bar("w.by_region", "红黄牌（按行政区划）", "marts.fct_warning", "region_code", BY_LEVEL, [], [RED_YELLOW],
         order_by=COUNT, width=6)],
    # the daily counts, not the history's four rows per case: the trend stays fast at scale
    [trend("w.trend", "预警产生与解除趋势", "marts.agg_warning_event_daily", "effective_date",
           [metric("sum(event_count) filter (where event = 'raised')", "产生"),
            metric("sum(event_count) filter (where event = 'cleared')", "解除"),
            metric("sum(event_count) filter (where event = 'turned_red')", "转为红牌")], grain="P1W", width=12, height=45)],
    [table("w.list", "当前红黄牌预警清单", "marts.fct_warning",
           ["level_label", "case_no", "rule_name", "due_date", "days_overdue", "subject_name", "region_code",
            "case_type", "level_since", "detail"], [("days_overdue", False)], [RED_YELLOW], height=70)],
], filters=[("行政区划", "marts.fct_warning", "region_code"), ("执法主体", "marts.fct_warning", "subject_name"),
            ("预警等级", "marts.fct_warning", "level_label")])

STATISTICS = Dashboard("statistics", "执法统计分析", "按类别、区划、主体、月份和状态统计执法案件；处罚与罚没金额；办理时长；可下钻到案件明细", [
    [big("s.cases", "案件总数", "marts.stat_case_monthly", metric("sum(case_count)", "案件数")),
     big("s.decided", "处罚决定件数", "marts.stat_penalty_monthly", metric("sum(decided_count)", "决定件数")),
     big("s.fines", "罚款金额合计（元）", "marts.stat_penalty_monthly", metric("sum(fine_total)", "罚款金额")),
     big("s.review", "法制审核覆盖率", "marts.stat_legal_review_monthly",
         metric("round(sum(reviewed_count)::numeric / nullif(sum(decided_count), 0), 4)", "覆盖率"))],
    [pie("s.by_type", "案件（按类别）", "marts.stat_case_monthly", "case_type_label", metric("sum(case_count)", "案件数")),
     pie("s.by_status", "案件（按状态）", "marts.stat_case_monthly", "status_label", metric("sum(case_count)", "案件数")),
     bar("s.by_region", "案件（按行政区划）", "marts.stat_case_monthly", "region_name", [metric("sum(case_count)", "案件数")],
         ["case_type_label"])],
    [trend("s.monthly", "案件数月度趋势", "marts.stat_case_monthly", "stat_month", [metric("sum(case_count)", "案件数")],
           groupby=["case_type_label"], width=6),
     bar("s.by_subject", "案件（按执法主体，前20）", "marts.stat_case_monthly", "subject_name",
         [metric("sum(case_count)", "案件数")], horizontal=True, width=6)],
    [trend("s.penalty_monthly", "处罚决定与罚没金额月度趋势", "marts.stat_penalty_monthly", "stat_month",
           [metric("sum(fine_total)", "罚款金额（元）"), metric("sum(confiscation_total)", "没收金额（元）")], width=6),
     bar("s.penalty_kinds", "处罚种类", "marts.stat_penalty_kind_monthly", "penalty_kind_label",
         [metric("sum(case_count)", "决定件数")], width=6)],
    [bar("s.duration", "平均办理天数（立案至决定，按执法主体）", "marts.stat_decision_duration_monthly", "subject_name",
         [metric("round(sum(avg_days * measured_count) / nullif(sum(measured_count), 0), 1)", "平均天数")],
         horizontal=True, width=6),
     agg_table("s.review_by_subject", "法制审核覆盖率（按执法主体）", "marts.stat_legal_review_monthly", ["subject_name"],
               [metric("sum(decided_count)", "决定件数"), metric("sum(reviewed_count)", "已审核件数"),
                metric("round(sum(reviewed_count)::numeric / nullif(sum(decided_count), 0), 4)", "覆盖率")])],
    [table("s.case_list", "案件明细", "marts.case_detail",
           ["case_no", "case_type_label", "subject_name", "region_name", "status_label", "registered_on", "decision_at",
            "fine_amount", "duration_days", "party_type_label", "party_name", "item_name"],
           [("registered_on", False)], limit=1000, height=70)],
], filters=[("行政区划", "marts.stat_case_monthly", "region_name"), ("执法主体", "marts.stat_case_monthly", "subject_name"),
            ("案件类别", "marts.stat_case_monthly", "case_type_label")])

PERF = "marts.rpt_subject_performance"
DEDUCT = "marts.rpt_subject_performance_deduction_by_region"
CURRENT_MONTH = where("stat_month = date_trunc('month', as_of_date)::date")
PERFORMANCE = Dashboard("performance", "绩效评估", "各执法主体的月度得分及其扣分依据（红牌、已消除黄牌、逾期公示）；统计日所在月份为暂定分", [
    [big("f.avg_score", "本月平均得分", PERF, metric("round(avg(score), 2)", "平均得分"), [CURRENT_MONTH]),
     big("f.min_score", "本月最低得分", PERF, metric("min(score)", "最低得分"), [CURRENT_MONTH]),
     big("f.deductions", "本月扣分合计", PERF, metric("sum(deduction_total)", "扣分合计"), [CURRENT_MONTH]),
     big("f.red", "本月红牌数", PERF, metric("sum(red_count)", "红牌数"), [CURRENT_MONTH])],
    [trend("f.trend", "平均得分月度趋势", PERF, "stat_month", [metric("round(avg(score), 2)", "平均得分"),
                                                          metric("min(score)", "最低得分")], width=6),
     bar("f.reasons", "扣分（按原因）", DEDUCT, "reason_label", [metric("sum(points)", "扣分")], width=6)],
    [table("f.scores", "各执法主体月度得分", PERF,
           ["stat_month", "subject_name", "score", "deduction_total", "red_count", "red_points", "yellow_cleared_count",
            "yellow_points", "late_publication_count", "late_publication_points", "on_time_decision_rate",
            "legal_review_coverage", "provisional"], [("stat_month", False), ("score", True)], height=60)],
    [table("f.deduction_list", "扣分明细", DEDUCT,
           ["stat_month", "subject_name", "reason_label", "points", "case_no", "rule_name", "effective_date"],
           [("stat_month", False), ("points", False)], height=60)],
], filters=[("执法主体", PERF, "subject_name"), ("月份", PERF, "stat_month")])

DASHBOARDS = [WARNINGS, STATISTICS, PERFORMANCE, QUALITY, PUSH]


# --- bundle ----------------------------------------------------------------------------------

def _database_doc(name: str, user: str, sqllab: bool) -> dict:
    return {"database_name": name, "sqlalchemy_uri": f"postgresql+psycopg2://{user}:XXXXXXXXXX@warehouse/warehouse",
            "cache_timeout": None, "expose_in_sqllab": sqllab, "allow_run_async": False, "allow_ctas": False,
            "allow_cvas": False, "allow_dml": False, "allow_file_upload": False,
            "extra": {"allows_virtual_table_explore": sqllab, "disable_data_preview": False,
                      "schemas_allowed_for_file_upload": [], "metadata_params": {}, "engine_params": {}},
            "impersonate_user": False, "uuid": uid("database:" + name), "version": "1.0.0"}


def _dataset_doc(ds: Dataset) -> dict:
    columns = [{"column_name": name, "verbose_name": label, "is_dttm": False, "is_active": True, "type": None,
                "groupby": True, "filterable": True, "expression": expr, "description": None,
                "python_date_format": None, "advanced_data_type": None, "extra": {}}
               for name, (expr, label) in ds.calculated.items()]
    return {"table_name": ds.table, "main_dttm_col": ds.main_dttm_col, "description": None, "default_endpoint": None,
            "offset": 0, "cache_timeout": None, "catalog": None, "schema": ds.schema, "sql": ds.sql, "params": None,
            "template_params": None, "filter_select_enabled": True, "fetch_values_predicate": None,
            "extra": None, "normalize_columns": False, "always_filter_main_dttm": False,
            "uuid": uid("dataset:" + ds.key), "metrics": [
                {"metric_name": "count", "verbose_name": "记录数", "metric_type": "count", "expression": "COUNT(*)",
                 "description": None, "d3format": None, "currency": None, "extra": {}, "warning_text": None}],
            "columns": columns, "version": "1.0.0", "database_uuid": uid("database:" + WAREHOUSE_DB)}


def _chart_doc(c: Chart) -> dict:
    params = {"viz_type": c.viz, **c.params}
    return {"slice_name": c.name, "description": None, "certified_by": None, "certification_details": None,
            "viz_type": c.viz, "params": params, "query_context": None, "cache_timeout": None,
            "uuid": uid("chart:" + c.key), "version": "1.0.0", "dataset_uuid": uid("dataset:" + c.dataset)}


def _dashboard_doc(d: Dashboard) -> dict:
    position = {"DASHBOARD_VERSION_KEY": "v2",
                "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": d.title}},
                "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]}}
    for r, row in enumerate(d.rows):
        row_id = f"ROW-{d.slug}-{r}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for c in row:
            chart_id = f"CHART-{c.key.replace('.', '-')}"
            position[row_id]["children"].append(chart_id)
            # meta.uuid is what ties the layout to the chart across installations (pitfalls).
            position[chart_id] = {"type": "CHART", "id": chart_id, "children": [],
                                  "parents": ["ROOT_ID", "GRID_ID", row_id],
                                  "meta": {"width": c.width, "height": c.height, "chartId": 0,
                                           "uuid": uid("chart:" + c.key), "sliceName": c.name}}
    native = []
    for label, ds, column in d.filters:
        fid = "NATIVE_FILTER-" + uid(f"{d.slug}:{column}")[:10]
        native.append({"id": fid, "name": label, "filterType": "filter_select", "type": "NATIVE_FILTER",
                       "targets": [{"datasetUuid": uid("dataset:" + ds), "column": {"name": column}}],
                       "controlValues": {"multiSelect": True, "searchAllOptions": False, "enableEmptyFilter": False,
                                         "defaultToFirstItem": False, "inverseSelection": False},
                       "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                       "cascadeParentIds": [], "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                       "description": "", "chartsInScope": [], "tabsInScope": []})
    metadata = {"native_filter_configuration": native, "cross_filters_enabled": True, "color_scheme": "supersetColors",
                "refresh_frequency": 0, "expanded_slices": {}, "label_colors": {}, "shared_label_colors": [],
                "timed_refresh_immune_slices": [], "default_filters": "{}", "chart_configuration": {},
                "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                                               "chartsInScope": []}}
    return {"dashboard_title": d.title, "description": d.description, "css": "", "slug": d.slug,
            "certified_by": None, "certification_details": None, "published": True, "uuid": uid("dashboard:" + d.slug),
            "position": position, "metadata": metadata, "version": "1.0.0"}


def write_bundle(folder: Path, dashboards: list[Dashboard] | None = None) -> None:
    """The minimal bundle for the dashboards (all by default) into folder."""
    dashboards = dashboards or DASHBOARDS
    used = {c.dataset for d in dashboards for row in d.rows for c in row}

    def dump(rel: str, doc: dict) -> None:
        out = folder / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    dump("metadata.yaml", {"version": "1.0.0", "type": "Dashboard", "timestamp": "2026-01-01T00:00:00+00:00"})
    dump("databases/jiandu_superset.yaml", _database_doc(WAREHOUSE_DB, "jiandu_superset", sqllab=False))
    dump("databases/jiandu_analyst.yaml", _database_doc(ANALYST_DB, "jiandu_analyst", sqllab=True))
    for ds in DATASETS:
        if ds.key in used:
            dump(f"datasets/{ds.key}.yaml", _dataset_doc(ds))
    for d in dashboards:
        for row in d.rows:
            for c in row:
                dump(f"charts/{c.key}.yaml", _chart_doc(c))
        dump(f"dashboards/{d.slug}.yaml", _dashboard_doc(d))


def labels_for(key: str) -> dict:
    for ds in DATASETS:
        if ds.key == key:
            return ds.labels
    return {}
