"""LG written into the real MariaDB and into the SQLite stand-in, as messy as README says."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import Counter

import pymysql
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from demo_support import AS_OF, CASES, SEED
from jiandu import standard
from jiandu.demo import CLEAN, Universe, mutate_lg, write_lg
from jiandu.demo.lg_schema import COLUMNS, TABLES
from jiandu.demo.lg_writer import AJLX, AJLY, CXLX, DSRLX, HJMC, JB, UNLISTED, ZT
from jiandu.demo.messy import unmojibake


def _rows(url: str, table: str) -> list[tuple]:
    cols = ("lcid",) + COLUMNS[table] if table == "t_ajlc" else COLUMNS[table]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {cols[0]}")).all()
    finally:
        engine.dispose()
    return [tuple(str(v) if v is not None else None for v in row) for row in rows]


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_mariadb_and_sqlite_hold_the_same_rows(lg_sqlite, mariadb_url):
    sqlite_url, _, sqlite_counts = lg_sqlite
    counts = write_lg(mariadb_url, Universe(SEED, CASES, AS_OF))
    assert counts == sqlite_counts
    assert all(counts[t] > 0 for t in TABLES)
    for table in TABLES:
        maria, lite = _rows(mariadb_url, table), _rows(sqlite_url, table)
        if table in ("t_ajxx", "t_ajlc", "t_qzcs"):   # SQLite strips the trailing spaces MariaDB ignores
            k = (COLUMNS[table].index("ajbh") + (table == "t_ajlc"))
            maria = [r[:k] + (r[k].rstrip(),) + r[k + 1:] for r in maria]
        assert maria == lite, table
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=mariadb_url.split("/")[-1].split("?")[0])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()")
            assert cur.fetchone()[0] == "utf8mb4"
            # steps whose ajbh differs in case or trailing spaces still join their case, on both
            cur.execute("SELECT COUNT(*) FROM t_ajlc l JOIN t_ajxx a ON a.ajbh = l.ajbh")
            joined_maria = cur.fetchone()[0]
    finally:
        conn.close()
    db = sqlite3.connect(_sqlite_path(sqlite_url))
    joined_lite = db.execute("SELECT COUNT(*) FROM t_ajlc l JOIN t_ajxx a ON a.ajbh = l.ajbh").fetchone()[0]
    assert joined_maria == joined_lite == counts["t_ajlc"]


KEY_PROBES = [
    ("duplicate in another case", "INSERT INTO t_ajxx (ajbh, zt) VALUES (:k, '在办')", lambda k: k.lower()),
    ("duplicate with trailing spaces", "INSERT INTO t_ajxx (ajbh, zt) VALUES (:k, '在办')", lambda k: k + "  "),
    ("NULL key", "INSERT INTO t_ajxx (ajbh, zt) VALUES (:k, '在办')", lambda k: None),
    ("NULL unit id", "INSERT INTO t_jg (jgid, jgmc) VALUES (:k, 'x')", lambda k: None),
]


@pytest.mark.parametrize("label,sql,make", KEY_PROBES, ids=[p[0] for p in KEY_PROBES])
def test_sqlite_refuses_keys_as_mariadb_does(tmp_path, mariadb_url, label, sql, make):
    u = Universe(SEED, 30, AS_OF, CLEAN)
    sqlite_url = f"sqlite:///{tmp_path / 'lg.db'}"
    write_lg(sqlite_url, u)
    write_lg(mariadb_url, u)
    for url in (mariadb_url, sqlite_url):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                key = conn.execute(text("SELECT ajbh FROM t_ajxx ORDER BY ajbh LIMIT 1")).scalar_one()
                with pytest.raises(IntegrityError):
                    conn.execute(text(sql), {"k": make(key)})
                    conn.commit()
                conn.rollback()
                # lookups ignore case as MariaDB's collation does
                assert conn.execute(text("SELECT COUNT(*) FROM t_ajxx WHERE ajbh = :k"),
                                    {"k": key.lower()}).scalar_one() == 1
        finally:
            engine.dispose()


def test_sqlite_assigns_lcid_and_never_reuses_it(lg_sqlite, tmp_path):
    url, _, counts = lg_sqlite
    db = sqlite3.connect(_sqlite_path(url))
    lcids = [r[0] for r in db.execute("SELECT lcid FROM t_ajlc ORDER BY lcid")]
    assert lcids == list(range(1, counts["t_ajlc"] + 1))
    copy = sqlite3.connect(tmp_path / "copy.db")
    db.backup(copy)
    top = lcids[-1]
    copy.execute("DELETE FROM t_ajlc WHERE lcid = ?", (top,))
    copy.execute("INSERT INTO t_ajlc (ajbh, hjmc) VALUES ('X', '立案')")
    assert copy.execute("SELECT MAX(lcid) FROM t_ajlc").fetchone()[0] == top + 1


def _all(url: str) -> dict[str, list[tuple]]:
    db = sqlite3.connect(_sqlite_path(url))
    db.row_factory = sqlite3.Row
    return {t: [dict(r) for r in db.execute(f"SELECT * FROM {t}")] for t in TABLES}


def test_every_quirk_of_readme_is_in_the_data(lg_sqlite):
    url, u, _ = lg_sqlite
    data = _all(url)
    cases, steps, measures = data["t_ajxx"], data["t_ajlc"], data["t_qzcs"]
    texts = Counter()
    # every spelling of the mapping tables, and spellings they do not list
    seen = {r["ajlx"] for r in cases} | {r["cxlx"] for r in cases} | {r["dsrlx"] for r in cases} \
        | {r["zt"] for r in cases} | {r["ajly"] for r in cases} | {r["hjmc"] for r in steps} \
        | {r["jb"] for r in data["t_jg"]}
    listed = set()
    for mapping in (AJLX, CXLX, DSRLX, ZT, AJLY, HJMC, JB):
        for values in mapping.values():
            listed.update(values)
    listed |= {"专项检查", "查封", "扣押", "冻结", "集体讨论", "听证", "执行"}
    assert listed <= seen, listed - seen
    assert seen & {v for vs in UNLISTED.values() for v in vs}
    assert "" in {r["cxlx"] for r in cases}
    # dates in every form, absent ones as '', '0000-00-00' and NULL, some with a time
    dates = [r[c] for r in cases for c in ("larq", "cfjdrq", "sdrq", "jarq")] + \
            [r[c] for r in steps for c in ("kssj", "jssj")] + [r[c] for r in measures for c in ("ksrq", "jcrq")]
    forms = {
        "iso": r"\d{4}-\d{2}-\d{2}", "slash": r"\d{4}/\d{1,2}/\d{1,2}", "unpadded": r"\d{4}-\d{1,2}-\d{1,2}",
        "chinese": r"\d{4}年\d{1,2}月\d{1,2}日", "compact": r"\d{8}", "time": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
    }
    for name, pattern in forms.items():
        assert any(d and re.fullmatch(pattern, d) and (name != "unpadded" or not re.fullmatch(forms["iso"], d))
                   for d in dates), name
    assert "" in dates and "0000-00-00" in dates and None in dates
    # amounts and terms
    amounts = [r[c] for r in cases for c in ("fkje", "msje") if r[c]]
    assert any(re.fullmatch(r"\d+", a) for a in amounts)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", a) and "," in a for a in amounts) or \
        any(re.fullmatch(r"\d+\.\d{2}", a) for a in amounts)
    assert any(re.fullmatch(r"\d+元", a) for a in amounts)
    assert any(re.fullmatch(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+元", a) for a in amounts)
    terms = {r["qx"] for r in measures} | {r["yqts"] for r in measures}
    assert any(re.fullmatch(r"\d+", t) for t in terms) and any(re.fullmatch(r"\d+日", t) for t in terms)
    assert any(re.fullmatch(r"[一二三四五六七八九十]+日", t) for t in terms)
    # officers in every form
    zfry = [r["zfry"] for r in cases]
    assert any(re.search(r"\(\d+\),", z) for z in zfry)
    assert any(re.search(r"（\d+），", z) for z in zfry)
    assert any(not re.search(r"\d", z) for z in zfry)
    # ID numbers: lower-case x, padded, full-width digits, and a few with a wrong check character
    ids = [r["zjhm"] for r in cases] + [r["sfzh"] for r in data["t_ry"]]
    assert any(i.strip().endswith("x") for i in ids)
    assert any(i != i.strip() for i in ids)
    assert any(re.search("[０-９]", i) for i in ids)
    bad = u.reports["LG"]["truth"]["bad_check"]
    assert bad
    for rendered, real in bad:   # in the data, and failing the check the real number passes
        assert rendered in ids
        typed = standard.normalise_credential(rendered)
        assert typed[:17] == real[:17] and typed != real
        rule = standard.resident_id_valid if standard.resident_id_valid(real) else standard.uscc_valid
        assert rule(real) and not rule(typed)
    assert any(r["tyshxydm"] and r["tyshxydm"] != r["tyshxydm"].strip().upper() for r in data["t_jg"])
    assert any(r["tyshxydm"] == "" for r in data["t_jg"])
    assert any(len(r["xzqh"]) == 12 for r in cases)
    # gxsj: sometimes NULL, sometimes left behind by a later change
    assert any(r["gxsj"] is None for r in cases)
    census = u.reports["LG"]["census"]
    assert census["lg.gxsj.not_moved"] > 0 and census["lg.p05.closed_without_jarq"] > 0
    # several measures on one coercion case, and step handlers named only by name
    per_case = Counter(r["ajbh"].strip().upper() for r in measures)
    assert max(per_case.values()) >= 2
    assert all(not re.search(r"\d", r["blr"] or "") for r in steps)
    # no sxbm on old cases, a steward must map those
    assert any(r["sxbm"] == "" and r["larq"] and r["larq"][:4].isdigit() and r["larq"][:4] < "2019" for r in cases)


def test_mojibake_rows_decode_back_exactly(lg_sqlite):
    url, u, _ = lg_sqlite
    truth = u.reports["LG"]["truth"]
    assert truth["mojibake"] and truth["mojibake_irreversible"]
    db = sqlite3.connect(_sqlite_path(url))
    for ajbh, cause, party, address in truth["mojibake"]:
        ay, dsr, fadd = db.execute("SELECT ay, dsr, fadd FROM t_ajxx WHERE ajbh = ?", (ajbh,)).fetchone()
        assert ay != cause and re.search("[åæçèéä]", ay)
        assert (unmojibake(ay), unmojibake(dsr), unmojibake(fadd)) == (cause, party, address)
    for ajbh, cause, party, _ in truth["mojibake_irreversible"]:
        ay, dsr = db.execute("SELECT ay, dsr FROM t_ajxx WHERE ajbh = ?", (ajbh,)).fetchone()
        assert unmojibake(dsr) == party
        with pytest.raises(ValueError):
            unmojibake(ay)
    assert unmojibake("å¼\xa0ä¸‰") == "张三"   # the README's example


def test_the_undefined_cp1252_bytes_survive_the_round_trip():
    from jiandu.demo.messy import mojibake
    # characters whose UTF-8 bytes include 0x81, 0x8D, 0x8F, 0x90 and 0x9D
    text = "丁乍乏乐九"
    raw = text.encode("utf-8")
    assert {0x81, 0x8D, 0x8F, 0x90, 0x9D} & set(raw)
    garbled = mojibake(text)
    assert {"\x81", "\x8d", "\x8f", "\x90", "\x9d"} & set(garbled)
    assert unmojibake(garbled) == text


def _digest(url: str) -> str:
    h = hashlib.sha256()
    for table in TABLES:
        for row in _rows(url, table):
            h.update(repr(row).encode())
    return h.hexdigest()


def test_same_seed_same_rows_other_seed_other_rows(lg_sqlite, tmp_path):
    url, _, _ = lg_sqlite
    again = f"sqlite:///{tmp_path / 'again.db'}"
    write_lg(again, Universe(SEED, CASES, AS_OF))
    assert _digest(again) == _digest(url)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    write_lg(other, Universe(SEED + 1, CASES, AS_OF))
    assert _digest(other) != _digest(url)
    write_lg(again, Universe(SEED, CASES, AS_OF))   # writing again starts from empty tables
    assert _digest(again) == _digest(url)


def test_mutation_changes_some_cases_with_and_without_gxsj(tmp_path):
    import datetime as dt
    later = AS_OF + dt.timedelta(days=3)
    results, digests = [], []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        write_lg(url, Universe(SEED, 200, AS_OF))
        before = {r[0]: r for r in _rows(url, "t_ajxx")}
        max_lcid = int(_rows(url, "t_ajlc")[-1][0])
        results.append(mutate_lg(url, seed=5, fraction=0.2, as_of=later))
        digests.append(_digest(url))
    assert results[0] == results[1] and digests[0] == digests[1]   # deterministic
    change = results[0]
    after = {r[0]: r for r in _rows(url, "t_ajxx")}
    gxsj = COLUMNS["t_ajxx"].index("gxsj")
    assert change["deleted"] and change["gxsj_moved"] and change["gxsj_not_moved"]
    for ajbh in change["deleted"]:
        assert ajbh not in after
    for ajbh in change["gxsj_moved"]:
        assert after[ajbh][gxsj].startswith(later.isoformat())
    zt = COLUMNS["t_ajxx"].index("zt")
    for ajbh in change["gxsj_not_moved"]:   # an old code path: the row changed, gxsj did not
        assert after[ajbh][gxsj] == before[ajbh][gxsj] and after[ajbh][zt] != before[ajbh][zt]
    db = sqlite3.connect(_sqlite_path(url))
    new_steps = db.execute("SELECT COUNT(*) FROM t_ajlc WHERE lcid > ?", (max_lcid,)).fetchone()[0]
    assert new_steps == change["steps_appended"] > 0
    orphans = db.execute("SELECT COUNT(*) FROM t_ajlc WHERE ajbh NOT IN (SELECT ajbh FROM t_ajxx)").fetchone()[0]
    assert orphans == 0
