"""The LG connector against the real MariaDB: lg-schema.sql, lg-sample.sql and rows of our own."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from connectors import lg as lg_module
from connectors import mojibake
from connectors.lg import LgSyncError, sync_lg

RV = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
NEW_CASE = ("INSERT INTO t_ajxx (ajbh, ajlx, cxlx, ay, dsr, dsrlx, zjhm, larq, zt, zfry, jgid, gxsj)"
            " VALUES (%s, '处罚', '一般', %s, %s, '个人', '440106199201011234', '2024-05-01', '在办', '张三,李四', 1, %s)")


def double_encoded(text):
    return mojibake.as_latin1_shown(text.encode("utf-8"))


def raw(wconn, table, columns="_source_key, _op, _record_version"):
    return wconn.execute(f"select {columns} from raw.{table} order by _raw_id").fetchall()


def latest(wconn, table, key, columns="*"):
    return wconn.execute(f"select {columns} from raw.{table} where _source_key = %s order by _raw_id desc limit 1",
                         (key,)).fetchone()


def loaded(result):
    return {t: r["loaded"] for t, r in result.items()}


def test_sample_lands_with_double_encoding_repaired(maria_lg, wconn):
    result = sync_lg(maria_lg.url, wconn)
    assert loaded(result) == {"t_jg": 2, "t_ry": 3, "t_ajxx": 4, "t_qzcs": 2, "t_ajlc": 7}
    assert all(r["mode"] == "full" and r["rejected"] == 0 for r in result.values())
    assert result["t_ajxx"]["repaired"] == 1

    ay, dsr, zjhm, notes = latest(wconn, "lg_t_ajxx", "CG2016-0044", "ay, dsr, zjhm, _notes")
    assert (ay, dsr) == ("占道经营", "张某某")
    assert zjhm == "４４０１０６１９７５０６１５００２Ｘ"              # as read: normalising is staging's
    assert {n["field"]: n["original"] for n in notes} == {"ay": "å\x8d\xa0é\x81“ç»\x8fè\x90¥",
                                                          "dsr": "å¼\xa0æŸ\x90æŸ\x90"}
    shown = wconn.execute("select record_key, field, kind, message from quality.connector_note order by field").fetchall()
    assert [(k, f, kind) for k, f, kind, _ in shown] == [("CG2016-0044", "ay", "mojibake_repaired"),
                                                         ("CG2016-0044", "dsr", "mojibake_repaired")]
    assert "双重编码" in shown[0][3]

    assert latest(wconn, "lg_t_jg", "2", "tyshxydm")[0] == " 11440106mb2c921376 "
    assert [r[0] for r in raw(wconn, "lg_t_ajlc")] == [str(i) for i in range(1, 8)]
    assert latest(wconn, "lg_t_ajxx", "CG2023-0001", "_record_version")[0] == "2023-07-10T16:02:11+08:00"
    first_seen = latest(wconn, "lg_t_ajxx", "CG2023-0002", "_record_version")[0]   # gxsj NULL
    assert RV.match(first_seen) and first_seen > "2025"

    positions = dict(wconn.execute("select stream, position from ops.source_position where source = 'LG'").fetchall())
    assert json.loads(positions["t_ajxx"])["gxsj"] == "2024-03-02 09:15:00"
    assert json.loads(positions["t_ajlc"])["lcid"] == 7
    batches = wconn.execute("select stream, status, rows_read, rows_loaded from ops.load_batch order by batch_id").fetchall()
    assert batches == [("t_jg", "committed", 2, 2), ("t_ry", "committed", 3, 3), ("t_ajxx", "committed", 4, 4),
                       ("t_qzcs", "committed", 2, 2), ("t_ajlc", "committed", 7, 7)]


def test_legacy_spellings_land_as_read(maria_lg, wconn):
    """Raw keeps what LG holds; dates, amounts, officers and codes are read by staging."""
    maria_lg.execute(NEW_CASE, ("CG2024-0400", "占道经营", "周某", "0000-00-00 00:00:00"))
    sync_lg(maria_lg.url, wconn)
    assert latest(wconn, "lg_t_ajxx", "CG2016-0044", "larq, cfjdrq, fkje, sdrq, zfry, cxlx, _source_key") == \
        ("2016/3/5", "2016年4月1日", "伍仟元", "0000-00-00", "张三,李四", "一般", "CG2016-0044")
    assert latest(wconn, "lg_t_ajxx", "CG2023-0001", "larq, fkje, jarq, sdrq") == \
        ("2023年5月6日", "5,000.00", "2023-07-10", "20230625")
    assert latest(wconn, "lg_t_ajxx", "CG2023-0002", "zfry, cxlx, cfjdsh, gxsj") == \
        ("张三（44010020150012），李四", "简易", "", None)
    assert [r[0] for r in wconn.execute("select qx from raw.lg_t_qzcs order by _source_key")] == ["30日", "三十日"]
    assert latest(wconn, "lg_t_ry", "12", "sfzh, zjyxq") == ("44010619920101123x", "2019-01-01至2027-12-31")
    # A zero DATETIME is no change time: the version is the time the row was first seen.
    gxsj, version = latest(wconn, "lg_t_ajxx", "CG2024-0400", "gxsj, _record_version")
    assert gxsj == "0000-00-00 00:00:00" and version > "2025"


def test_rerun_loads_nothing_new(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    before = {t: raw(wconn, f"lg_{t}") for t in lg_module.TABLES_BY_NAME}
    again = sync_lg(maria_lg.url, wconn)
    assert loaded(again) == dict.fromkeys(before, 0)
    assert again["t_ajxx"]["mode"] == "incremental" and again["t_ajlc"]["mode"] == "incremental"
    assert loaded(sync_lg(maria_lg.url, wconn, full_compare=True)) == dict.fromkeys(before, 0)
    assert {t: raw(wconn, f"lg_{t}") for t in lg_module.TABLES_BY_NAME} == before


def test_change_with_gxsj_is_read_incrementally_with_gxsj_as_version(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    maria_lg.execute("UPDATE t_ajxx SET zt = '归档', gxsj = '2024-05-01 10:00:00' WHERE ajbh = 'SJ2024-0107'")
    # Committed late with a gxsj just before the stored position (09:15): the overlap catches it.
    maria_lg.execute("UPDATE t_ajxx SET zt = '结案', gxsj = '2024-03-02 09:10:00' WHERE ajbh = 'CG2023-0001'")
    result = sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))["t_ajxx"]
    assert (result["mode"], result["loaded"]) == ("incremental", 2)
    assert result["read"] < 4          # not a full read
    assert latest(wconn, "lg_t_ajxx", "SJ2024-0107", "zt, _record_version") == ("归档", "2024-05-01T10:00:00+08:00")
    assert latest(wconn, "lg_t_ajxx", "CG2023-0001", "zt, _record_version") == ("结案", "2024-03-02T09:10:00+08:00")
    # gxsj set back in time (outside the overlap, so only the full compare sees it): the version
    # must not go back, so it is the time the change was first seen.
    maria_lg.execute("UPDATE t_ajxx SET zt = '撤销', gxsj = '2024-04-30 00:00:00' WHERE ajbh = 'SJ2024-0107'")
    assert sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))["t_ajxx"]["loaded"] == 0
    assert sync_lg(maria_lg.url, wconn, tables=("t_ajxx",), full_compare=True)["t_ajxx"]["loaded"] == 1
    zt, version = latest(wconn, "lg_t_ajxx", "SJ2024-0107", "zt, _record_version")
    assert zt == "撤销" and RV.match(version) and version > "2025"


def test_change_without_gxsj_is_found_by_the_full_compare(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    old_version = latest(wconn, "lg_t_ajxx", "CG2023-0001", "_record_version")[0]
    maria_lg.execute("UPDATE t_ajxx SET fkje = '6000' WHERE ajbh = 'CG2023-0001'")     # gxsj left as it was
    maria_lg.execute("UPDATE t_ajxx SET zt = '撤销' WHERE ajbh = 'CG2023-0002'")      # gxsj NULL
    assert sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))["t_ajxx"]["loaded"] == 0
    result = sync_lg(maria_lg.url, wconn, tables=("t_ajxx",), full_compare=True)["t_ajxx"]
    assert (result["mode"], result["loaded"], result["deleted"]) == ("full", 2, 0)
    fkje, version = latest(wconn, "lg_t_ajxx", "CG2023-0001", "fkje, _record_version")
    assert fkje == "6000" and RV.match(version) and version > old_version > "2023"


def test_physical_deletions_are_recorded_once(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    maria_lg.execute("DELETE FROM t_ajxx WHERE ajbh = 'CG2023-0002'")
    maria_lg.execute("DELETE FROM t_ry WHERE ryid = 13")
    maria_lg.execute("DELETE FROM t_ajlc WHERE lcid = 7")
    daily = sync_lg(maria_lg.url, wconn)
    assert daily["t_ry"]["deleted"] == 1                  # compared on every run
    assert daily["t_ajxx"]["deleted"] == 0 and daily["t_ajlc"]["deleted"] == 0
    nightly = sync_lg(maria_lg.url, wconn, full_compare=True)
    assert (nightly["t_ajxx"]["deleted"], nightly["t_ajlc"]["deleted"], nightly["t_ry"]["deleted"]) == (1, 1, 0)
    op, version, ajbh, zt = latest(wconn, "lg_t_ajxx", "CG2023-0002", "_op, _record_version, ajbh, zt")
    assert (op, ajbh, zt) == ("delete", "CG2023-0002", None) and RV.match(version)
    assert sync_lg(maria_lg.url, wconn, full_compare=True)["t_ajxx"]["deleted"] == 0
    assert [r[1] for r in raw(wconn, "lg_t_ajxx") if r[0] == "CG2023-0002"] == ["upsert", "delete"]
    # Entered again: a new version after the deletion.
    maria_lg.execute(NEW_CASE, ("CG2023-0002", "乱张贴", "陈某", None))
    sync_lg(maria_lg.url, wconn, full_compare=True)
    assert [r[1] for r in raw(wconn, "lg_t_ajxx") if r[0] == "CG2023-0002"] == ["upsert", "delete", "upsert"]


def test_steps_are_read_past_the_position(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    maria_lg.executemany("INSERT INTO t_ajlc (ajbh, hjmc, kssj, jssj, blr, yj) VALUES (%s, %s, %s, %s, %s, %s)",
                         [("SJ2024-0107", "立案", "2024-03-02", "2024-03-02", "王五", ""),
                          ("SJ2024-0107", "实施", "2024-03-02", "2024-03-02", "王五", "查封")])
    result = sync_lg(maria_lg.url, wconn, tables=("t_ajlc",))["t_ajlc"]
    assert (result["mode"], result["loaded"]) == ("incremental", 2)
    assert [r[0] for r in raw(wconn, "lg_t_ajlc")][-2:] == ["8", "9"]
    assert json.loads(wconn.execute("select position from ops.source_position where stream = 't_ajlc'").fetchone()[0])["lcid"] == 9


def test_unrepairable_double_encoding_is_set_aside_once_and_not_taken_for_deleted(maria_lg, wconn):
    mixed = double_encoded("张三") + "李四"
    maria_lg.execute(NEW_CASE, ("CG2024-0300", "乱张贴", mixed, "2024-05-01 08:00:00"))
    result = sync_lg(maria_lg.url, wconn)["t_ajxx"]
    assert (result["loaded"], result["rejected"]) == (4, 1)
    assert latest(wconn, "lg_t_ajxx", "CG2024-0300") is None
    location, key, field, reason, content = wconn.execute(
        "select location, record_key, field, reason, raw_content from quality.rejected_input").fetchone()
    assert (location, key, field) == ("t_ajxx ajbh=CG2024-0300", "CG2024-0300", "dsr")
    assert "t_ajxx" in reason and "CG2024-0300" in reason and "dsr" in reason and "双重编码" in reason
    assert "440106********1234" in content and "440106199201011234" not in content     # masked

    # A row already loaded that turns unreadable keeps its last good version and is not deleted.
    maria_lg.execute("UPDATE t_ajxx SET ay = %s WHERE ajbh = 'CG2023-0001'", (double_encoded("占道经营")[:-1],))
    for _ in range(2):
        again = sync_lg(maria_lg.url, wconn, full_compare=True)["t_ajxx"]
        assert (again["loaded"], again["deleted"], again["rejected"]) == (0, 0, 2)
    assert latest(wconn, "lg_t_ajxx", "CG2023-0001", "_op, ay") == ("upsert", "擅自占用城市道路堆放物料")
    assert wconn.execute("select count(*) from quality.rejected_input").fetchone()[0] == 2    # once each


def test_keys_are_compared_as_mariadb_compares_them(maria_lg, wconn):
    maria_lg.execute(NEW_CASE, ("cg2024-0200  ", "占道经营", "赵某", "2024-05-01 08:00:00"))
    sync_lg(maria_lg.url, wconn)
    assert latest(wconn, "lg_t_ajxx", "CG2024-0200", "ajbh")[0] == "cg2024-0200  "   # as read
    # The same record to MariaDB, only spelled differently now: a new version, not a delete and an insert.
    maria_lg.execute("UPDATE t_ajxx SET ajbh = 'CG2024-0200' WHERE ajbh = 'cg2024-0200'")
    result = sync_lg(maria_lg.url, wconn, full_compare=True)["t_ajxx"]
    assert (result["loaded"], result["deleted"]) == (1, 0)
    assert [r[:2] for r in raw(wconn, "lg_t_ajxx") if r[0] == "CG2024-0200"] == [("CG2024-0200", "upsert")] * 2


def test_record_version_moves_on_a_change_within_the_same_second(maria_lg, wconn):
    sync_lg(maria_lg.url, wconn)
    maria_lg.execute("UPDATE t_ajxx SET zt = '归档', gxsj = '2024-06-01 10:00:00' WHERE ajbh = 'CG2023-0001'")
    sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))
    first = latest(wconn, "lg_t_ajxx", "CG2023-0001", "_record_version")[0]
    assert first == "2024-06-01T10:00:00+08:00"
    maria_lg.execute("UPDATE t_ajxx SET fkje = '7000' WHERE ajbh = 'CG2023-0001'")      # same gxsj second
    assert sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))["t_ajxx"]["loaded"] == 1
    second = latest(wconn, "lg_t_ajxx", "CG2023-0001", "_record_version")[0]
    assert RV.match(second) and second > first


def test_failed_batch_leaves_nothing_and_the_rerun_loads_each_row_once(maria_lg, wconn, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("killed midway")
    monkeypatch.setattr(lg_module, "_drop_duplicate_keys", fail)        # after the COPY, before commit
    with pytest.raises(LgSyncError) as err:
        sync_lg(maria_lg.url, wconn)
    assert err.value.result["t_ajxx"] == {"error": "RuntimeError: killed midway"}
    assert wconn.execute("select count(*) from raw.lg_t_ajxx").fetchone()[0] == 0
    assert wconn.execute("select count(*) from ops.source_position").fetchone()[0] == 0
    assert {r[0] for r in wconn.execute("select status from ops.load_batch")} == {"failed"}
    monkeypatch.undo()
    assert loaded(sync_lg(maria_lg.url, wconn)) == {"t_jg": 2, "t_ry": 3, "t_ajxx": 4, "t_qzcs": 2, "t_ajlc": 7}
    assert loaded(sync_lg(maria_lg.url, wconn)) == dict.fromkeys(lg_module.TABLES_BY_NAME, 0)


KILLED_RUN = textwrap.dedent("""
    import sys, time, psycopg
    import connectors.raw_versions as rv
    from connectors.lg import sync_lg
    send = rv.CopyWriter._send
    def slow_send(self):            # slow enough to be killed in the middle of the COPY
        time.sleep(0.05)
        send(self)
    rv.CopyWriter._send = slow_send
    rv.CopyWriter.CHUNK_LINES = 100
    with psycopg.connect(sys.argv[2]) as conn:
        sync_lg(sys.argv[1], conn, tables=("t_ajxx",))
""")


def test_killed_run_then_rerun_leaves_exactly_one_copy(maria_lg, wconn):
    maria_lg.execute("INSERT INTO t_ajxx (ajbh, ajlx, ay, dsr, zjhm, zt, jgid, gxsj)"
                     " SELECT CONCAT('BULK-', LPAD(seq, 5, '0')), '处罚', CONCAT('案由', seq), CONCAT('当事人', seq),"
                     " '440106199201011234', '在办', 1, '2024-05-01 08:00:00' FROM seq_0_to_2999")
    child = subprocess.Popen([sys.executable, "-c", KILLED_RUN, maria_lg.url, wconn.info.dsn],
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            running = wconn.execute("select count(*) from ops.load_batch where stream = 't_ajxx'"
                                    " and status = 'running'").fetchone()[0]
            wconn.commit()
            if running:
                break
            time.sleep(0.02)
        time.sleep(0.5)
        assert child.poll() is None, "the run finished before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert wconn.execute("select count(*) from raw.lg_t_ajxx").fetchone()[0] == 0
    result = sync_lg(maria_lg.url, wconn, tables=("t_ajxx",))["t_ajxx"]
    assert result["loaded"] == 3004
    total, keys = wconn.execute("select count(*), count(distinct _source_key) from raw.lg_t_ajxx").fetchone()
    assert total == keys == 3004
    assert sync_lg(maria_lg.url, wconn, tables=("t_ajxx",), full_compare=True)["t_ajxx"]["loaded"] == 0
