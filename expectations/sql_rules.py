"""The SQL of every record-level rule (severities and thresholds: expectations/rules.py).

Each rule's query selects, from ``{batch} t`` (GX substitutes the table), the failing records as
record_key, field, value, source_ref, message. ``value`` is masked here, in the database: the
standard's mask for personal fields, and any resident-ID shape in any value (resident_id_anywhere);
so GX results, Data Docs and quality.issue never hold one in full.
"""
from __future__ import annotations

from typing import Iterator

from expectations import rules as R
from jiandu.standard import Dataset, FieldSpec, Standard

BATCH = "@@BATCH@@"

# required_when texts of the standard, as SQL on the record `t` (an unknown text stops the
# build of the suites: a new edition of the standard must be read, not guessed).
DECIDED = "('20', '30', '40', '50')"
REQUIRED_WHEN = {
    "case_type 2": lambda cat: "t.case_type = '2'",
    "result 02": lambda cat: "t.result = '02'",
    "measure 02 03 04": lambda cat: "t.measure_code in ('02', '03', '04')",
    "decided": lambda cat: (f"exists (select 1 from standard.zf10_case c where c.case_id = t.case_id"
                            f" and c.status in {DECIDED})" if cat.has("standard.zf10_case", "status") else None),
}

# rules.datetime_order: one chain across ZF10 and ZF12, judged where present.
ORDER_CHAIN = [("ZF10", "registered_at"), ("ZF12", "decision_at"), ("ZF12", "served_at"),
               ("ZF10", "closed_at"), ("ZF10", "archived_at")]

# Within one record: (earlier, later); the later field carries the issue.
TIME_PAIRS = {
    "ZF02": [("cert_valid_from", "cert_valid_to")],
    "ZF03": [("valid_from", "valid_to")],
    "ZF11": [("inspected_at", "rectified_at")],
    "ZF13": [("started_at", "lifted_at")],
    "ZF20": [("entered_at", "completed_at")],
}

DAY_FIELDS = {"ZF13": ["term_days", "extended_days"]}

# Staging views of LG and EX: (source text, parsed column, what it is). LP's service validates
# its own input, so its views have nothing unparsed.
PARSE_CHECKS = {
    "stg_lg__case": [("registered_text", "registered_at", "立案日期"), ("decision_text", "decision_at", "处罚决定日期"),
                     ("served_text", "served_at", "送达日期"), ("closed_text", "closed_at", "结案日期"),
                     ("fine_text", "fine_amount", "罚款金额"), ("confiscation_text", "confiscation_amount", "没收金额")],
    "stg_lg__case_step": [("entered_text", "entered_at", "环节开始时间"), ("completed_text", "completed_at", "环节完成时间")],
    "stg_lg__coercion": [("started_text", "started_at", "实施日期"), ("lifted_text", "lifted_at", "解除日期"),
                         ("term_text", "term_days", "期限"), ("extended_text", "extended_days", "延长期限")],
    "stg_ex__case_row": [("registered_text", "registered_at", "立案日期"), ("decision_text", "decision_at", "决定日期"),
                         ("closed_text", "closed_at", "结案日期"), ("fine_text", "fine_amount", "罚款金额"),
                         ("term_text", "term_days", "期限")],
}


def table_of(ds: Dataset) -> str:
    return f"zf{ds.code[2:]}_{ds.name}"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _title(f: FieldSpec) -> str:
    return f.title.split("（")[0]


def _masked(expr: str) -> str:
    return f"quality.mask_ids_in_text(left(({expr})::text, 200))"


def _finish(parts: list[str]) -> str:
    """The union of parts, the message filled in, GX's {batch} placeholder put back in."""
    # The join (a no-op) makes GX substitute {batch} as a bare parenthesised subquery in every
    # query, so each part can alias it (`{batch} t`); without a join GX appends its own alias.
    body = ("select record_key, field, value, source_ref, replace(tpl, '{value}', coalesce(value, '')) as message"
            " from (" + " union all ".join(parts) + ") u cross join (select) as gx_alias_by_join")
    return body.replace("{", "{{").replace("}", "}}").replace(BATCH, "{batch}")


def _part(field: str, value: str, cond: str, template: str, src: str, joins: str = "") -> str:
    return (f"select t.record_key::text as record_key, {_q(field)}::text as field, {value} as value,"
            f" {src} as source_ref, {_q(template)}::text as tpl from {BATCH} t {joins} where {cond}")


def _value_of(f: FieldSpec, ds: Dataset) -> str:
    """A field's value as an issue shows it: masked when the standard says it is personal."""
    col = f"t.{f.name}"
    text = f"array_to_string({col}, ',')" if f.type.base == "list" else f"{col}::text"
    if f.mask == "person_name":
        if f.pii == "when_natural_person":
            return _masked(f"case when t.party_type = '1' then quality.mask_person_name({text}) else {text} end")
        return _masked(f"quality.mask_person_name({text})")
    if f.mask == "resident_id":
        return _masked(f"quality.mask_resident_id({text})")
    if f.mask == "by_credential_type":
        return _masked(f"case when t.credential_type = '01' then quality.mask_resident_id({text})"
                       f" when t.party_type = '1' then quality.mask_other_credential({text}) else {text} end")
    return _masked(text)


def standard_rules(ds: Dataset, std: Standard, cat, as_of: str = "now()") -> Iterator[tuple[str, str]]:
    """(rule id, query) for one standard dataset."""
    rel = f"standard.{table_of(ds)}"
    src = "t.source_ref::text" if cat.has(rel, "source_ref") else "null::text"
    fields = ds.fields
    by_rule: dict[str, list[str]] = {}

    def add(rule: str, *parts: str) -> None:
        by_rule.setdefault(rule, []).extend(parts)

    for f in fields:
        col, title, value = f"t.{f.name}", _title(f), _value_of(f, ds)
        empty = f"{col} is null"
        if f.type.base == "list":
            empty += f" or cardinality({col}) = 0"
        elif f.type.base in ("string", "code"):
            empty += f" or {col}::text = ''"
        if f.required:
            add("REQUIRED", _part(f.name, "null::text", empty, f"必填字段“{title}”为空", src))
        elif f.required_when:
            if f.required_when not in REQUIRED_WHEN:
                raise ValueError(f"{ds.code}.{f.name}: required_when {f.required_when!r} is not known to the gate")
            cond = REQUIRED_WHEN[f.required_when](cat)
            if cond:
                add("REQUIRED_WHEN", _part(f.name, "null::text", f"({empty}) and {cond}",
                                           f"字段“{title}”在此情形下必填，但为空", src))
        code_set = f.type.code_set if f.type.base == "code" else (
            f.type.item.code_set if f.type.base == "list" and f.type.item.base == "code" else None)
        if code_set == "region":
            add("REGION_CODE", _part(f.name, value, f"{col} is not null and {col}::text !~ '^[0-9]{{6}}$'",
                                     f"字段“{title}”的行政区划代码“{{value}}”不是六位数字", src))
        elif code_set in std.code_sets:
            codes = ", ".join(_q(c) for c in std.code_sets[code_set])
            if f.type.base == "list":
                bad = f"array(select u from unnest({col}) u where u is null or u::text not in ({codes}))"
                add("CODE_SET", _part(f.name, _masked(f"array_to_string({bad}, ',')"),
                                      f"exists (select 1 from unnest({col}) u where u is null or u::text not in ({codes}))",
                                      f"字段“{title}”含有不在标准代码集中的值“{{value}}”", src))
            else:
                add("CODE_SET", _part(f.name, value, f"{col} is not null and {col}::text not in ({codes})",
                                      f"字段“{title}”的值“{{value}}”不在标准代码集中", src))
        if f.rule == "uscc":
            add("CHECKSUM", _part(f.name, value, f"{col} is not null and {col} <> '' and not quality.uscc_valid({col})",
                                  f"“{title}”“{{value}}”不是有效的统一社会信用代码（GB 32100 校验码）", src))
        elif f.rule == "resident_id":
            add("CHECKSUM", _part(f.name, value,
                                  f"{col} is not null and {col} <> '' and not quality.resident_id_valid({col})",
                                  f"“{title}”“{{value}}”不是有效的居民身份证号码（校验码或出生日期错误）", src))
        elif f.rule == "by_credential_type":
            add("CHECKSUM", _part(f.name, value,
                                  f"{col} is not null and {col} <> '' and not quality.credential_valid(t.credential_type, {col})",
                                  f"“{title}”“{{value}}”与证件类型不符（身份证号或统一社会信用代码校验失败）", src))
        if f.min is not None:
            add("MIN_VALUE", _part(f.name, value, f"{col} < {int(f.min)}", f"“{title}”为{{value}}，须不小于 {f.min}", src))
        if f.min_items:
            summary = f.min_items_summary or f.min_items
            distinct = f"(select count(distinct u) from unnest({col}) u where u is not null and u <> '')"
            add("OFFICERS_MIN", _part(
                f.name, f"{distinct}::text",
                f"coalesce({distinct}, 0) < case when t.case_type = '2' and t.procedure = '1' then {summary} else {f.min_items} end",
                f"承办执法人员执法证号只有 {{value}} 个（去重）：须至少 {f.min_items} 个（简易程序处罚案件至少 {summary} 个）", src))
        if f.references:
            parent_code, parent_field = f.references.split(".")
            parent = std.datasets[parent_code]
            prel = f"standard.{table_of(parent)}"
            if cat.has(prel, parent_field):
                if f.type.base == "list":
                    missing = (f"array(select u from unnest({col}) u where u is not null and u <> '' and not exists"
                               f" (select 1 from {prel} p where p.{parent_field} = u))")
                    add("REFERENCE", _part(f.name, _masked(f"array_to_string({missing}, ',')"), f"cardinality({missing}) > 0",
                                           f"“{title}”中的“{{value}}”在{parent.title}（{parent_code}）中不存在", src))
                else:
                    add("REFERENCE", _part(f.name, value,
                                           f"{col} is not null and {col} <> '' and not exists"
                                           f" (select 1 from {prel} p where p.{parent_field} = {col})",
                                           f"“{title}”“{{value}}”在{parent.title}（{parent_code}）中不存在", src))
        if f.type.base == "decimal":
            add("AMOUNT_NEGATIVE", _part(f.name, value, f"{col} < 0", f"“{title}”为负数：{{value}}", src))
            add("AMOUNT_HIGH", _part(f.name, value, f"{col} > {R.AMOUNT_CEILING_YUAN}",
                                     f"“{title}”{{value}} 元超过合理上限 {R.AMOUNT_CEILING_YUAN} 元，请核对单位", src))
        if f.type.base == "datetime":
            tol = int(R.FUTURE_TOLERANCE.total_seconds())
            add("FUTURE_TIME", _part(f.name, f"quality.field_text({col})", f"{col} > ({as_of}) + interval '{tol} seconds'",
                                     f"“{title}”{{value}} 晚于当前时间", src))
    if ds.code == "ZF03":
        add("FINE_RANGE", _part("fine_min", "t.fine_min::text || ' > ' || t.fine_max::text", "t.fine_min > t.fine_max",
                                "罚款下限大于上限：{value}", src))
    for name in DAY_FIELDS.get(ds.code, []):
        add("NUMBER_BOUNDS", _part(name, f"t.{name}::text", f"t.{name} < 0 or t.{name} > {R.DAYS_CEILING}",
                                   f"“{_title(ds.field_map[name])}”为 {{value}} 日，超出合理范围（0–{R.DAYS_CEILING}）", src))
    for earlier, later in TIME_PAIRS.get(ds.code, []):
        fm = ds.field_map
        add("TIME_SEQUENCE", _part(later, f"quality.field_text(t.{later}) || ' < ' || quality.field_text(t.{earlier})",
                                   f"t.{later} < t.{earlier}",
                                   f"“{_title(fm[later])}”早于“{_title(fm[earlier])}”：{{value}}", src))
    if ds.code == "ZF04":
        add("PARTY_ID", _part("party_id", "t.party_id::text",
                              "t.party_id <> encode(sha256(convert_to(t.credential_type || t.credential_no, 'UTF8')), 'hex')",
                              "相对人标识与证件类型、证件号码不符", src))
    order = _datetime_order(ds, std, cat, src)
    if order:
        add("DATETIME_ORDER", order)
    for rule, parts in by_rule.items():
        yield rule, _finish(parts)


def _datetime_order(ds: Dataset, std: Standard, cat, src: str) -> str | None:
    """rules.datetime_order over the case's ZF10 and ZF12 together; the issue goes to the record
    holding the later field of the first consecutive pair out of order (as the hub names it)."""
    if ds.code not in ("ZF10", "ZF12"):
        return None
    other = "ZF12" if ds.code == "ZF10" else "ZF10"
    other_rel = f"standard.{table_of(std.datasets[other])}"
    joined = cat.has(other_rel, "case_id")
    chain = [(owner, f) for owner, f in ORDER_CHAIN if owner == ds.code or joined]
    if len(chain) < 2:
        return None

    def ref(owner: str, f: str) -> str:
        return f"t.{f}" if owner == ds.code else f"o.{f}"

    join = f"left join {other_rel} o on o.case_id = t.case_id" if joined else ""
    pairs = [f"{ref(*a)} > {ref(*b)}" for i, a in enumerate(chain) for b in chain[i + 1:]]
    values = ", ".join(f"({i}, {_q(f)}, {_q(_title(std.datasets[o].field_map[f]))}, {_q(o)}, {ref(o, f)})"
                       for i, (o, f) in enumerate(chain))
    lateral = (f"cross join lateral (select x.f, x.title, x.owner, x.pt, x.ptitle, x.t from ("
               f" select v.ord, v.f, v.title, v.owner, v.t, lag(v.t) over (order by v.ord) as pt,"
               f" lag(v.title) over (order by v.ord) as ptitle from (values {values}) v(ord, f, title, owner, t)"
               f" where v.t is not null) x where x.pt > x.t order by x.ord limit 1) bad")
    value = ("bad.title || ' ' || quality.field_text(bad.t) || ' 早于 ' || bad.ptitle || ' '"
             " || quality.field_text(bad.pt)")
    return (f"select t.record_key::text as record_key, bad.f::text as field, {value} as value, {src} as source_ref,"
            f" '时间先后顺序错误（立案≤决定≤送达≤结案≤归档）：{{value}}'::text as tpl"
            f" from {BATCH} t {join} {lateral} where ({' or '.join(pairs)}) and bad.owner = {_q(ds.code)}")


def parse_rules(checks: list[tuple[str, str, str]]) -> Iterator[tuple[str, str]]:
    parts = [f"select t.source_ref::text as record_key, {_q(parsed)}::text as field, {_masked(f't.{text}')} as value,"
             f" t.source_ref::text as source_ref, {_q(f'{title}“{{value}}”无法解析，标准层中为空')}::text as tpl"
             f" from {BATCH} t where t.{text} is not null and t.{text} <> '' and t.{parsed} is null"
             for text, parsed, title in checks]
    yield "PARSE_FAILED", _finish(parts)


def stream_rules(source: str, as_of: str = "now()") -> Iterator[tuple[str, str]]:
    """Freshness, last load failed, and volume of each stream of one source, from ops.load_batch."""
    label = "'报送文件'::text" if source == "EX" else "t.stream"   # EX streams are file names: judged as one
    max_age = int(R.FRESHNESS_MAX_AGE[source].total_seconds())
    hours = R.FRESHNESS_MAX_AGE[source].total_seconds() / 3600
    age_text = f"{hours:g} 小时" if hours < 48 else f"{hours / 24:g} 天"
    fresh = (f"select s.stream::text as record_key, 'finished_at'::text as field,"
             f" coalesce(to_char(s.last_ok at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), '从未') as value,"
             f" null::text as source_ref, {_q(f'来源 {source} 数据流最近一次成功加载：{{value}}，超过时限 {age_text}')}::text as tpl"
             f" from (select {label} as stream, max(t.finished_at) filter (where t.status = 'committed') as last_ok"
             f" from {BATCH} t where t.source = {_q(source)} group by 1) s"
             f" where s.last_ok is null or s.last_ok < ({as_of}) - interval '{max_age} seconds'")
    yield "FRESHNESS", _finish([fresh])
    failed = (f"select s.stream::text as record_key, 'status'::text as field, {_masked('s.error')} as value,"
              f" null::text as source_ref, {_q(f'来源 {source} 数据流最近一次加载失败：{{value}}')}::text as tpl"
              f" from (select distinct on ({label}) {label} as stream, t.status, t.error from {BATCH} t"
              f" where t.source = {_q(source)} and t.status <> 'running' order by {label}, t.started_at desc) s"
              f" where s.status = 'failed'")
    yield "LOAD_FAILED", _finish([failed])
    if source == "EX":
        return
    days = R.VOLUME_DAYS
    volume = (
        f"select a.stream::text as record_key, 'rows_read'::text as field,"
        f" a.today_n::text || ' / ' || round(a.avg_n)::text as value, null::text as source_ref,"
        f" case when a.today_n > {R.VOLUME_HIGH_RATIO} * a.avg_n"
        f" then {_q(f'来源 {source} 数据流今日读入行数过高（今日 / 近 {days} 日日均：{{value}}）')}"
        f" else {_q(f'来源 {source} 数据流今日读入行数过低（今日 / 近 {days} 日日均：{{value}}）')} end::text as tpl"
        f" from (select d.stream, coalesce(sum(d.n) filter (where d.day = p.today), 0) as today_n,"
        f" coalesce(sum(d.n) filter (where d.day < p.today), 0) / {float(days)} as avg_n,"
        f" count(*) filter (where d.day < p.today and d.n > 0) as days_n,"
        f" extract(epoch from p.now_ - (p.today::timestamp at time zone 'Asia/Shanghai')) / 86400.0 as frac"
        f" from (select t.stream, (t.started_at at time zone 'Asia/Shanghai')::date as day, sum(t.rows_read) as n"
        f" from {BATCH} t, (select ({as_of}) as now_) q where t.source = {_q(source)} and t.status = 'committed'"
        f" and t.started_at <= q.now_ and t.started_at >= ((((q.now_) at time zone 'Asia/Shanghai')::date - {days})::timestamp"
        f" at time zone 'Asia/Shanghai') group by 1, 2) d,"
        f" (select ({as_of}) as now_, (({as_of}) at time zone 'Asia/Shanghai')::date as today) p"
        f" group by d.stream, p.today, p.now_) a"
        f" where a.days_n >= {R.VOLUME_MIN_DAYS} and a.avg_n >= {R.VOLUME_MIN_AVG}"
        f" and (a.today_n > {R.VOLUME_HIGH_RATIO} * a.avg_n or (a.frac >= {R.VOLUME_MIN_DAY_FRACTION}"
        f" and a.today_n < {R.VOLUME_LOW_RATIO} * a.avg_n * a.frac))")
    yield "VOLUME", _finish([volume])
