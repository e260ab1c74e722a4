"""The LG connector against the embedded SQLite stand-in (same schema, lcid AUTOINCREMENT).

SQLite stores what MariaDB would refuse (case-variant keys, NULL keys, bytes that are not UTF-8,
NUL): such rows are set aside and the rest loads."""
from __future__ import annotations

import sqlite3

from connectors.lg import sync_lg


def run(path, wconn, **kw):
    return sync_lg(f"sqlite:///{path}", wconn, **kw)


def test_sample_loads_as_from_mariadb(sqlite_lg, wconn, maria_lg):
    result = run(sqlite_lg, wconn)
    assert {t: r["loaded"] for t, r in result.items()} == {"t_jg": 2, "t_ry": 3, "t_ajxx": 4, "t_qzcs": 2, "t_ajlc": 7}
    assert result["t_ajxx"]["repaired"] == 1
    assert wconn.execute("select ay, dsr from raw.lg_t_ajxx where _source_key = 'CG2016-0044'").fetchone() == \
        ("占道经营", "张某某")
    assert {t: r["loaded"] for t, r in run(sqlite_lg, wconn).items()} == dict.fromkeys(result, 0)
    # The same rows read from MariaDB hash alike: moving the demo to the real database adds no version.
    from_mariadb = sync_lg(maria_lg.url, wconn, full_compare=True)
    assert {t: (r["loaded"], r["deleted"]) for t, r in from_mariadb.items()} == dict.fromkeys(result, (0, 0))


def test_what_mariadb_would_refuse_is_set_aside_and_the_rest_loads(sqlite_lg, wconn):
    with sqlite3.connect(sqlite_lg) as db:
        # A case-variant of an existing key: the same record to MariaDB.
        db.execute("INSERT INTO t_ajxx (ajbh, ay, gxsj) VALUES ('cg2023-0001 ', '重复录入', '2024-01-01 00:00:00')")
        db.execute("INSERT INTO t_ajxx (ajbh, ay) VALUES ('SQ-BAD-UTF8', CAST(x'e5a4a7ff' AS TEXT))")
        db.execute("INSERT INTO t_ajxx (ajbh, ay) VALUES ('SQ-NUL', CAST(x'41004200' AS TEXT))")
        db.execute("INSERT INTO t_ajxx (ajbh, ay) VALUES ('SQ-SEP', 'a' || char(31) || 'b' || char(30) || 'c')")
        db.execute("INSERT INTO t_jg (jgid, jgmc) VALUES (NULL, '无主键机构')")
    result = run(sqlite_lg, wconn)
    assert (result["t_ajxx"]["loaded"], result["t_ajxx"]["rejected"]) == (5, 3)
    assert (result["t_jg"]["loaded"], result["t_jg"]["rejected"]) == (2, 1)
    # A separator inside a value is read column by column and lands intact.
    assert wconn.execute("select ay from raw.lg_t_ajxx where _source_key = 'SQ-SEP'").fetchone()[0] == "a\x1fb\x1ec"
    assert wconn.execute("select ay from raw.lg_t_ajxx where _source_key = 'CG2023-0001'").fetchone()[0] == \
        "擅自占用城市道路堆放物料"                          # the first one read stays
    reasons = dict(wconn.execute("select location, reason from quality.rejected_input").fetchall())
    assert set(reasons) == {"t_ajxx ajbh=cg2023-0001 ", "t_ajxx ajbh=SQ-BAD-UTF8", "t_ajxx ajbh=SQ-NUL",
                            "t_jg jgid=（空）"}
    assert "仅大小写或末尾空格不同" in reasons["t_ajxx ajbh=cg2023-0001 "]
    assert "非 UTF-8" in reasons["t_ajxx ajbh=SQ-BAD-UTF8"]
    assert "NUL" in reasons["t_ajxx ajbh=SQ-NUL"]
    assert "主键 jgid 为空" in reasons["t_jg jgid=（空）"]
    # The next comparison neither repeats the entries nor takes the set-aside rows for deleted.
    again = run(sqlite_lg, wconn, full_compare=True)
    assert (again["t_ajxx"]["loaded"], again["t_ajxx"]["deleted"]) == (0, 0)
    assert wconn.execute("select count(*) from quality.rejected_input").fetchone()[0] == 4


def test_autoincrement_steps_are_read_past_the_position(sqlite_lg, wconn):
    run(sqlite_lg, wconn)
    with sqlite3.connect(sqlite_lg) as db:
        db.execute("DELETE FROM t_ajlc WHERE lcid = 7")         # never reused by AUTOINCREMENT
        db.execute("INSERT INTO t_ajlc (ajbh, hjmc, kssj) VALUES ('CG2023-0001', '归档', '2023-07-11')")
    result = run(sqlite_lg, wconn)["t_ajlc"]
    assert (result["mode"], result["loaded"]) == ("incremental", 1)
    assert wconn.execute("select _source_key, hjmc from raw.lg_t_ajlc order by _raw_id desc limit 1").fetchone() == \
        ("8", "归档")
    assert run(sqlite_lg, wconn, full_compare=True)["t_ajlc"]["deleted"] == 1
