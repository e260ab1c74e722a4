"""The raw layer's loader: COPY, one copy per version, atomic batches."""
import datetime as dt

import psycopg
import pytest

from connectors.batches import get_position, load_batch
from connectors.raw_loader import RawRow, load_raw
from jiandu.db import libpq_url

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
COLS = ["jgid", "jgmc", "tyshxydm", "xzqh", "jb"]


def rows(*items):
    return [RawRow(source_key=k, values=dict(zip(COLS, [k, name, "", "440106", "区级"]))) for k, name in items]


def load(conn, items, position="p1", fail=False):
    with load_batch(conn, "LG", "t_jg", None) as batch:
        counts = load_raw(conn, "lg_t_jg", COLS, rows(*items), batch_id=batch.batch_id, extracted_at=NOW)
        batch.add_counts(counts.read, counts.loaded)
        batch.position_to = position
        if fail:
            raise RuntimeError("killed midway")
    return counts


@pytest.fixture()
def conn(fresh_warehouse_url):
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as c:
        yield c


def versions(conn, key):
    return [r[0] for r in conn.execute("select jgmc from raw.lg_t_jg where _source_key = %s order by _raw_id", (key,))]


def test_same_rows_twice_load_once(conn):
    assert load(conn, [("1", "甲局"), ("2", "乙局")]).loaded == 2
    again = load(conn, [("1", "甲局"), ("2", "乙局")])
    assert (again.read, again.loaded, again.unchanged) == (2, 0, 2)
    assert conn.execute("select count(*) from raw.lg_t_jg").fetchone()[0] == 2


def test_every_version_is_kept_including_a_return_to_an_old_one(conn):
    load(conn, [("1", "甲局")])
    load(conn, [("1", "甲局（改名）")])
    load(conn, [("1", "甲局")])
    assert versions(conn, "1") == ["甲局", "甲局（改名）", "甲局"]


def test_consecutive_duplicates_within_one_batch_collapse(conn):
    load(conn, [("1", "甲局"), ("1", "甲局"), ("1", "乙局")])
    assert versions(conn, "1") == ["甲局", "乙局"]


def test_interrupted_batch_leaves_nothing_and_is_logged_failed(conn):
    with pytest.raises(RuntimeError):
        load(conn, [("1", "甲局")], position="p-failed", fail=True)
    assert conn.execute("select count(*) from raw.lg_t_jg").fetchone()[0] == 0
    assert get_position(conn, "LG", "t_jg") is None
    status, error = conn.execute("select status, error from ops.load_batch").fetchone()
    assert status == "failed" and "killed midway" in error
    conn.commit()
    load(conn, [("1", "甲局")], position="p1")      # the retry
    assert versions(conn, "1") == ["甲局"]
    assert get_position(conn, "LG", "t_jg") == "p1"


def test_batch_counts_and_rejections_are_recorded(conn):
    with load_batch(conn, "LG", "t_jg") as batch:
        counts = load_raw(conn, "lg_t_jg", COLS, rows(("1", "甲局")), batch_id=batch.batch_id, extracted_at=NOW)
        batch.add_counts(counts.read, counts.loaded)
        batch.reject("t_jg jgid=9", "无法读取：字段数不符", record_key="9",
                     raw_content="张三 440106198503120015")
    read, loaded, rejected, status = conn.execute(
        "select rows_read, rows_loaded, rows_rejected, status from ops.load_batch").fetchone()
    assert (read, loaded, rejected, status) == (2, 1, 1, "committed")
    content, reason = conn.execute("select raw_content, reason from quality.rejected_input").fetchone()
    assert "440106198503120015" not in content and "440106********0015" in content
    assert "字段数不符" in reason


def test_a_batch_left_running_by_a_killed_process_is_marked_failed_by_the_next(conn):
    conn.execute("insert into ops.load_batch (source, stream) values ('LG', 't_jg')")
    conn.commit()
    load(conn, [("1", "甲局")])
    statuses = conn.execute("select status, error from ops.load_batch order by batch_id").fetchall()
    assert statuses[0][0] == "failed" and "中断" in statuses[0][1]
    assert statuses[1][0] == "committed"
