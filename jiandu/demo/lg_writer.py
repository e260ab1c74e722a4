"""Writing the LG units' cases into the old case-handling database, as messy as it really is
(shared/legacy/README.md), and changing them later the way the old system does."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Iterable

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from jiandu.demo import lg_schema
from jiandu.demo.codes import fullwidth, make_uscc
from jiandu.demo.dice import Dice, mix
from jiandu.demo.messy import (PENALTY_KIND_NAMES, join_list, lg_amount, lg_date, messy_id, mojibake, term)
from jiandu.demo.model import Case, Officer, Step
from jiandu.demo.universe import LG_SXBM_SINCE, Universe

CHUNK_ROWS = 5000
MAX_EXAMPLES = 200   # examples of each quirk kept for tests, whatever the scale

# the spellings of README's mapping tables, by standard code
AJLX = {"1": ("检查", "行政检查", "日常检查"), "2": ("处罚", "行政处罚"), "3": ("强制", "行政强制")}
AJLX_MEASURE = {"02": "查封", "03": "扣押", "04": "冻结"}
CXLX = {"1": ("简易", "简易程序"), "2": ("一般", "一般程序", "普通程序"), "3": ("快速", "快速办理")}
DSRLX = {"1": ("个人", "自然人"), "2": ("单位", "企业", "公司"), "3": ("单位",), "4": ("个体户", "个体工商户")}
JB = {"1": ("省级",), "2": ("市级",), "3": ("区级", "县级"), "4": ("镇街", "乡镇", "街道")}
ZT = {"10": ("在办",), "20": ("已决定",), "30": ("执行中",), "40": ("已结", "结案"), "50": ("归档",), "90": ("撤销",)}
AJLY = {"01": ("巡查发现", "检查发现"), "02": ("群众举报", "投诉", "举报", "12345转办"), "03": ("上级交办",),
        "04": ("移送",), "05": ("媒体",), "06": ("巡查发现",), "99": ("巡查发现",)}
HJMC = {"J1": ("登记", "立案"), "J2": ("检查",), "J3": ("处理", "整改"), "J4": ("结案", "办结"),
        "C1": ("立案",), "C2": ("调查", "调查取证"), "C3": ("审核", "法制审核"), "C4": ("告知",), "C5": ("决定",),
        "C6": ("送达",), "C7": ("结案",), "C8": ("归档",),
        "Q1": ("审批", "立案"), "Q2": ("决定",), "Q3": ("实施",), "Q4": ("延长", "延期"), "Q5": ("催告",),
        "Q6": ("申请强制执行",), "Q7": ("解除", "处理"), "Q8": ("结案",)}
CSFS = {"02": "查封", "03": "扣押", "04": "冻结", "11": "加处罚款", "13": "拍卖", "15": "代履行"}
# spellings the mapping tables do not list (each must become a quality issue naming it)
UNLISTED = {"ajlx": ("监督检查", "处罚案件", "强制措施"), "cxlx": ("当场处罚", "普通"), "dsrlx": ("公民", "法人", "个体经营户"),
            "zt": ("办理中", "已办结"), "ajly": ("来信来访", "网格员上报"), "hjmc": ("初审", "复核")}


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def lg_engine(url: str, *, create_database: bool = False) -> Engine:
    """An engine on LG; for MariaDB, the database is created (utf8mb4) when asked and missing."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url)
    if "charset" not in u.query:
        u = u.update_query_dict({"charset": "utf8mb4"})
    if create_database and u.database:
        server = create_engine(u.set(database=""))
        with server.begin() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS `{u.database}` "
                                 f"CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        server.dispose()
    return create_engine(u)


class LgWriter:
    """Renders LG cases into rows and inserts them in chunks (executemany)."""

    def __init__(self, url: str, universe: Universe, *, create_schema: bool = True):
        self.u = universe
        self.r = universe.rates
        self.dice = Dice(mix(universe.seed, "lg-render"))
        self.census: Counter[str] = Counter()
        self.truth: dict[str, list] = {"mojibake": [], "mojibake_irreversible": [], "bad_check": [],
                                       "closed_without_date": [], "child_key_variant": [], "unlisted": []}
        self.engine = lg_engine(url, create_database=create_schema)
        self.sqlite = _is_sqlite(url)
        if create_schema:
            with self.engine.begin() as conn:
                lg_schema.create_schema(conn, "sqlite" if self.sqlite else "mysql")
        self.raw = self.engine.raw_connection()
        self.mark = "?" if self.sqlite else "%s"
        self.pending: dict[str, list[tuple]] = {t: [] for t in lg_schema.TABLES}
        self.counts: Counter[str] = Counter()
        self.qzid = self._max_qzid()
        self.shown: set[str] = set()

    def _max_qzid(self) -> int:
        cur = self.raw.cursor()
        cur.execute("SELECT COALESCE(MAX(qzid), 0) FROM t_qzcs")
        value = int(cur.fetchone()[0])
        cur.close()
        return value

    # --- plumbing ---------------------------------------------------------------------------

    def _add(self, table: str, row: tuple) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        cur = self.raw.cursor()
        for table in lg_schema.TABLES:   # parents first, as the old system wrote them
            rows = self.pending[table]
            if not rows:
                continue
            cols = lg_schema.COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([self.mark] * len(cols))})"
            cur.executemany(sql, rows)
            self.counts[table] += len(rows)
            rows.clear()
        cur.close()
        self.raw.commit()

    def close(self) -> dict[str, int]:
        self.flush()
        self.raw.close()
        self.engine.dispose()
        self.u.reports["LG"] = {"census": dict(self.census), "truth": self.truth, "rows": dict(self.counts)}
        return {t: self.counts[t] for t in lg_schema.TABLES}

    def abandon(self) -> None:
        """Close without writing what is pending (after a failure)."""
        self.raw.close()
        self.engine.dispose()

    def _example(self, key: str, value) -> None:
        if len(self.truth[key]) < MAX_EXAMPLES:
            self.truth[key].append(value)

    def _first(self, value: str) -> bool:
        """True the first time a spelling is asked for (then it is used)."""
        if value in self.shown:
            return False
        self.shown.add(value)
        return True

    def _done(self, name: str) -> bool:
        """Every spelling of that pick has been shown."""
        return self.dice.done(name)

    def _spell(self, column: str, options: tuple[str, ...], name: str) -> str:
        # an unlisted spelling only once every listed one of that code has been shown
        if self._done(name) and \
                self.dice.roll("lg_unlisted_spelling", self.r.lg_unlisted_spelling, force_within=3):
            value = self.dice.choice(UNLISTED[column])
            self.census[f"lg.unlisted.{column}"] += 1
            self._example("unlisted", (column, value))
            return value
        value = self.dice.pick(name, options)
        self.census[f"lg.spelling.{column}.{value}"] += 1
        return value

    def _id(self, value: str) -> str:
        truth: list = []
        out = messy_id(value, self.dice, self.r, self.census, "lg", truth)
        if truth:
            self._example("bad_check", (out, value))
        return out

    # --- reference data ---------------------------------------------------------------------

    def _former_units(self) -> list[tuple[str, str, str, str]]:
        """Units that once used the old system and keep a t_jg row but no cases (the province's
        bureau, bodies since reorganised): (name, credit code, region, level)."""
        rng = random.Random(mix(self.u.seed, "lg-former-units"))
        units = [("广东省市场监督管理局", "440000", "1"), ("广州市城市管理委员会", "440100", "2"),
                 ("广州市越秀区光塔街道办事处", "440104", "4"), ("广州市荔湾区岭南街道办事处", "440103", "4"),
                 ("广州市白云区嘉禾街道办事处", "440111", "4")]
        return [(name, make_uscc(rng, region, authority="1", agency=True), region, level)
                for name, region, level in units]

    def write_reference(self) -> None:
        d = self.dice
        lg_units = self.u.subjects_of("LG")
        jgid = max(s.lg_jgid for s in lg_units)
        for name, code, region, level in self._former_units():
            jgid += 1
            self._add("t_jg", (jgid, name, code, region, d.pick(f"lg_jb{level}", JB[level])))
            self.census["lg.jg.former_unit"] += 1
        for s in lg_units:
            code = s.code
            if s is lg_units[-1] and len(lg_units) >= 3 and d.roll("lg_unit_code_blank", self.r.lg_unit_code_blank):
                code = ""   # the credit code this unit never had typed in: a steward maps it
                self.census["lg.jg.code_blank"] += 1
            elif d.roll("lg_unit_code_messy", self.r.lg_unit_code_messy):
                code = d.pick("lg_jg_code_form", (f" {code.lower()} ", code.lower(), f"{code} "))
                self.census["lg.jg.code_messy"] += 1
            xzqh = s.region_code + ("000000" if d.roll("lg_xzqh_12", self.r.lg_xzqh_12) else "")
            self._add("t_jg", (s.lg_jgid, s.name, code, xzqh, d.pick(f"lg_jb{s.level}", JB[s.level])))
            officers = self.u.officers_by_subject[s.code]
            for o in officers:
                cert = o.cert_no
                if d.roll("lg_cert_messy", self.r.lg_cert_messy):
                    cert = d.pick("lg_cert_form", (f"{cert} ", f" {cert}", fullwidth(cert)))
                    self.census["lg.ry.cert_messy"] += 1
                validity = d.pick("lg_zjyxq", (f"{o.valid_from:%Y.%m.%d}-{o.valid_to:%Y.%m.%d}",
                                                f"{o.valid_from:%Y-%m-%d}至{o.valid_to:%Y-%m-%d}"))
                self._add("t_ry", (o.lg_ryid, o.name, self._id(o.id_no), cert, s.lg_jgid, validity))

    # --- cases ------------------------------------------------------------------------------

    def add_case(self, c: Case) -> None:
        d, r, census = self.dice, self.r, self.census
        old = c.registered_at.date() < LG_SXBM_SINCE
        # case type: the measure's own name is a common spelling for coercion cases
        if c.case_type == "1" and c.inspection and c.inspection.kind == "02":
            ajlx = "专项检查"
        elif c.case_type == "3" and c.measures and c.measures[0].code in AJLX_MEASURE and (
                self._first("ajlx:" + c.measures[0].code) or (self._done("ajlx3") and d.random() < 0.4)):
            ajlx = AJLX_MEASURE[c.measures[0].code]
            census[f"lg.spelling.ajlx.{ajlx}"] += 1
        else:
            ajlx = self._spell("ajlx", AJLX[c.case_type], f"ajlx{c.case_type}")
        if c.procedure:
            cxlx = "" if old and self._done(f"cxlx{c.procedure}") and d.random() < 0.4 else \
                self._spell("cxlx", CXLX[c.procedure], f"cxlx{c.procedure}")
        else:
            cxlx = ""
        ay, dsr, fadd = c.cause, c.party.name, c.address
        if old and d.roll("mojibake_irreversible", r.mojibake * r.mojibake_irreversible, force_within=3):
            # cut short by the column's length: the last character's bytes are incomplete
            ay, dsr, fadd = mojibake(ay)[:-1], mojibake(dsr), mojibake(fadd)
            census["lg.mojibake.irreversible"] += 1
            self._example("mojibake_irreversible", (c.ref, c.cause, c.party.name, c.address))
        elif old and d.roll("mojibake", r.mojibake):
            ay, dsr, fadd = mojibake(ay), mojibake(dsr), mojibake(fadd)
            census["lg.mojibake"] += 1
            self._example("mojibake", (c.ref, c.cause, c.party.name, c.address))
        sxbm = ""
        if not old:
            if d.roll("lg_sxbm_missing", r.lg_sxbm_missing):
                census["lg.sxbm.missing"] += 1
            else:
                sxbm = c.item.code
        p = c.penalty
        decided = p is not None and p.decision_at is not None
        kinds = [PENALTY_KIND_NAMES[k] for k in p.kinds] if decided else []
        jarq_value = c.closed_at
        if c.status in ("40", "50") and d.roll("closed_without_date", r.closed_without_date):
            jarq_value = None
            census["lg.p05.closed_without_jarq"] += 1
            self._example("closed_without_date", c.ref)
        row = (
            c.ref, ajlx, cxlx, ay, sxbm, dsr, self._spell("dsrlx", DSRLX[c.party.type], f"dsrlx{c.party.type}"),
            self._id(c.party.credential_no), self._spell("ajly", AJLY[c.source_channel], f"ajly{c.source_channel}"),
            fadd, c.region_code + ("000000" if d.roll("lg_xzqh_12", r.lg_xzqh_12) else ""),
            lg_date(c.registered_at, d, r, census),
            p.decision_no if decided else "",
            lg_date(p.decision_at if decided else None, d, r, census) if c.case_type == "2" else "",
            join_list(kinds, d, census, "lg.cfzl") if kinds else "",
            lg_amount(p.fine_amount if decided else None, d, r, census),
            lg_amount(p.confiscation_amount if decided else None, d, r, census),
            lg_date(p.served_at, d, r, census) if p is not None else "",
            lg_date(jarq_value, d, r, census) if c.status in ("40", "50") or d.random() < 0.3 else "",
            self._spell("zt", ZT[c.status], f"zt{c.status}"),
            self._zfry(c.officers),
            c.subject.lg_jgid,
            self._gxsj(c),
        )
        self._add("t_ajxx", row)
        for step in c.steps:
            for hjmc, start, end, who in self._step_rows(c, step):
                self._add("t_ajlc", (self._child_key(c.ref), hjmc, lg_date(start, d, r, census, allow_null=False),
                                     lg_date(end, d, r, census), who, step.opinion))
        for m in c.measures:
            self.qzid += 1
            self._add("t_qzcs", (self.qzid, self._child_key(c.ref), CSFS.get(m.code, "其他"),
                                 lg_date(m.started_at, d, r, census, allow_null=False),
                                 term(m.term_days, d, census, "lg"),
                                 term(m.extended_days, d, census, "lg") if m.extended_days else "",
                                 lg_date(m.lifted_at, d, r, census)))

    def _child_key(self, ajbh: str) -> str:
        """Steps and measures sometimes name their case in another case or with a trailing
        space: MariaDB compares them equal, and so must the SQLite stand-in."""
        if self.dice.roll("lg_child_key_variant", self.r.lg_child_key_variant):
            variant = self.dice.pick("lg_child_key_form", (ajbh.lower(), ajbh + " ", ajbh.lower() + "  "))
            self.census["lg.child_key_variant"] += 1
            self._example("child_key_variant", (variant, ajbh))
            return variant
        return ajbh

    def _step_rows(self, c: Case, s: Step) -> Iterable[tuple]:
        d = self.dice
        who = s.handler.name if s.handler else (s.approver or "")
        if s.stage in ("C3", "C5") and s.approver and d.roll("lg_blr_unknown", self.r.lg_blr_unknown):
            who = s.approver   # the person who signed: not an enforcement officer in t_ry
            self.census["lg.blr.not_in_t_ry"] += 1
        if s.stage == "Q3" and c.measures:
            seq = s.fields.get("measure_seq") or 1
            code = next((m.code for m in c.measures if m.seq == seq), "02")
            if code in ("02", "03") and (self._first("hjmc:" + code) or ("hjmc:实施" in self.shown and d.random() < 0.5)):
                hjmc = AJLX_MEASURE[code]   # 查封 / 扣押: the act's own name
            else:
                hjmc = "实施"
                self.shown.add("hjmc:实施")
            self.census[f"lg.spelling.hjmc.{hjmc}"] += 1
        else:
            hjmc = self._spell("hjmc", HJMC[s.stage], f"hjmc{s.stage}")
        yield hjmc, s.entered_at, s.completed_at, who
        f = s.fields
        if s.stage == "C3" and f.get("collective_discussion_at"):
            yield "集体讨论", f["collective_discussion_at"], f["collective_discussion_at"], s.approver or who
        if s.stage == "C4" and f.get("hearing_at"):
            yield "听证", f["hearing_at"], f["hearing_at"], who
        if s.stage == "C6" and f.get("paid_at"):
            yield "执行", f["paid_at"], f["paid_at"], who

    def _zfry(self, officers: list[Officer]) -> str:
        d = self.dice
        if d.roll("lg_zfry_names_only", self.r.lg_zfry_names_only):
            self.census["lg.zfry.names_only"] += 1
            return d.pick("lg_zfry_name_sep", (",", "，")).join(o.name for o in officers)
        if d.roll("lg_zfry_fullwidth", self.r.lg_zfry_fullwidth):
            if len(officers) > 1 and d.random() < 0.4:   # the second officer's number forgotten
                self.census["lg.zfry.mixed"] += 1
                return f"{officers[0].name}（{officers[0].cert_no}），" + "，".join(o.name for o in officers[1:])
            self.census["lg.zfry.fullwidth"] += 1
            return "，".join(f"{o.name}（{o.cert_no}）" for o in officers)
        self.census["lg.zfry.ascii"] += 1
        return ",".join(f"{o.name}({o.cert_no})" for o in officers)

    def _gxsj(self, c: Case) -> str | None:
        d = self.dice
        if d.roll("lg_gxsj_null", self.r.lg_gxsj_null):
            self.census["lg.gxsj.null"] += 1
            return None
        last = max(c.last_activity, c.revoked_at or c.registered_at)
        if d.roll("lg_gxsj_stale", self.r.lg_gxsj_stale):
            self.census["lg.gxsj.not_moved"] += 1
            last = c.registered_at   # an old code path never touched it again
        last = min(last, self.u.cutoff)
        return f"{last:%Y-%m-%d %H:%M:%S}"


def write_lg(url: str, universe: Universe, *, create_schema: bool = True) -> dict[str, int]:
    """Write the LG units, their officers and their cases into the old database at `url`
    (mysql+pymysql://... or sqlite:///...). With create_schema the database is created if
    missing and its tables dropped and created, so the same seed always gives the same rows.
    Returns the row count per table."""
    w = LgWriter(url, universe, create_schema=create_schema)
    try:
        w.write_reference()
        for case in universe.iter_cases(("LG",)):
            w.add_case(case)
    except BaseException:
        w.abandon()
        raise
    return w.close()


# --- later changes --------------------------------------------------------------------------

def mutate_lg(url: str, seed: int, fraction: float, as_of: dt.date) -> dict:
    """Change about `fraction` of LG's cases the way the old system does on `as_of`: move
    running cases on (status, closing date, a new step), most with gxsj moved and some by an old
    code path that leaves gxsj alone; append steps to a few more cases; physically delete a few
    cases with their steps and measures. Deterministic for (database content, seed, fraction,
    as_of). Returns counts and the case numbers of each kind of change."""
    rng = random.Random(mix(seed, "lg-mutate", as_of.isoformat(), str(fraction)))
    engine = lg_engine(url)
    mark = "?" if _is_sqlite(url) else "%s"
    raw = engine.raw_connection()
    cur = raw.cursor()
    progress = {"在办": ("结案", "结案"), "已决定": ("执行中", "送达"), "执行中": ("结案", "结案"),
                "已结": ("归档", "归档"), "结案": ("归档", "归档")}
    try:
        cur.execute("SELECT ajbh, zt, jgid FROM t_ajxx ORDER BY ajbh")
        cases = [(row[0], row[1], row[2]) for row in cur.fetchall()]
        cur.execute("SELECT jgid, xm FROM t_ry ORDER BY ryid")
        names: dict[int, list[str]] = {}
        for jgid, xm in cur.fetchall():
            names.setdefault(jgid, []).append(xm)
        n = round(len(cases) * fraction) if fraction > 0 else 0
        movable = [c for c in cases if c[1] in progress]
        changed = rng.sample(movable, min(n, len(movable)))
        rest = [c for c in cases if c not in set(changed)]
        deleted = rng.sample(rest, min(len(rest), max(1, n // 20))) if n else []
        rest = [c for c in rest if c not in set(deleted)]
        appended_only = rng.sample(rest, min(len(rest), n // 4))
        day = f"{as_of:%Y-%m-%d}"
        moved, silent, updates_moved, updates_silent, steps = [], [], [], [], []
        for ajbh, zt, jgid in changed:
            new_zt, hjmc = progress[zt]
            when = dt.datetime.combine(as_of, dt.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)))
            jarq = day if new_zt == "结案" else None
            if rng.random() < 0.7:
                updates_moved.append((new_zt, jarq, f"{when:%Y-%m-%d %H:%M:%S}", ajbh))
                moved.append(ajbh)
            else:
                updates_silent.append((new_zt, jarq, ajbh))
                silent.append(ajbh)
            steps.append((ajbh, hjmc, day, day, rng.choice(names.get(jgid) or ["管理员"]), "同意"))
        for ajbh, _, jgid in appended_only:   # steps are append-only, keyed by lcid
            steps.append((ajbh, "调查取证", f"{as_of.year}/{as_of.month}/{as_of.day}", "",
                          rng.choice(names.get(jgid) or ["管理员"]), ""))
        if updates_moved:
            cur.executemany(f"UPDATE t_ajxx SET zt = {mark}, jarq = COALESCE({mark}, jarq), gxsj = {mark} "
                            f"WHERE ajbh = {mark}", updates_moved)
        if updates_silent:
            cur.executemany(f"UPDATE t_ajxx SET zt = {mark}, jarq = COALESCE({mark}, jarq) WHERE ajbh = {mark}",
                            updates_silent)
        if steps:
            cur.executemany(f"INSERT INTO t_ajlc (ajbh, hjmc, kssj, jssj, blr, yj) VALUES "
                            f"({mark}, {mark}, {mark}, {mark}, {mark}, {mark})", steps)
        for table in ("t_ajlc", "t_qzcs", "t_ajxx"):   # entered by mistake: gone without a trace
            if deleted:
                cur.executemany(f"DELETE FROM {table} WHERE ajbh = {mark}", [(x[0],) for x in deleted])
        raw.commit()
    finally:
        cur.close()
        raw.close()
        engine.dispose()
    return {"changed": len(moved) + len(silent), "gxsj_moved": sorted(moved), "gxsj_not_moved": sorted(silent),
            "steps_appended": len(steps), "cases_with_new_steps": sorted({s[0] for s in steps}),
            "deleted": sorted(x[0] for x in deleted)}
