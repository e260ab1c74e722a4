"""LP pages into raw.lp_*: one COPY per page, one row per version, atomic batches.

The pages are built here, as the feed would send them, so every case of versioning is exercised
without a service (tests/test_lp_connector.py reads the real service's feed).
"""
import json
from collections import defaultdict

import msgspec
import psycopg
import pytest

from connectors import lp
from connectors.batches import get_position
from jiandu.db import libpq_url

VERSION = "2026-03-01T10:00:00+08:00"


def change(key, name="甲局", *, op="upsert", entity="subject", cursor="1.1", data_text=None, version=VERSION):
    data = msgspec.Raw(b"null")
    if op == "upsert":
        text = data_text or json.dumps({"subject_code": key, "subject_name": name, "record_version": version},
                                       ensure_ascii=False)
        data = msgspec.Raw(text.encode("utf-8"))
    return lp._Change(cursor=cursor, entity=entity, key=key, op=op, changed_at="2026-03-01T09:00:00+08:00",
                      data=data)


def load(conn, changes, position="p1"):
    totals: dict = defaultdict(int)
    lp._load_page(conn, None, changes, position, totals)
    return dict(totals)


@pytest.fixture()
def conn(fresh_warehouse_url):
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as c:
        yield c


def names(conn, key):
    return [r[0] for r in conn.execute(
        "select payload->>'subject_name' from raw.lp_subject where _source_key = %s order by _raw_id", (key,))]


def last_batch(conn):
    return conn.execute("select rows_read, rows_loaded, rows_unchanged, rows_rejected, status, position_to"
                        " from ops.load_batch order by batch_id desc limit 1").fetchone()


def test_same_page_twice_loads_once(conn):
    page = [change("S1", "甲局"), change("S2", "乙局"), change("LP:1|C1", entity="case_step")]
    assert load(conn, page) == {"subject": 2, "case_step": 1}
    assert load(conn, page, "p2") == {"subject": 0, "case_step": 0}
    assert last_batch(conn) == (3, 0, 3, 0, "committed", "p2")
    assert conn.execute("select count(*) from raw.lp_subject").fetchone()[0] == 2
    assert get_position(conn, "LP", "changes") == "p2"


def test_every_version_is_kept_including_a_return_to_an_old_one(conn):
    load(conn, [change("S1", "甲局")])
    load(conn, [change("S1", "甲局（改名）")])
    load(conn, [change("S1", "甲局")])
    assert names(conn, "S1") == ["甲局", "甲局（改名）", "甲局"]


def test_consecutive_duplicates_within_one_page_collapse(conn):
    load(conn, [change("S1", "甲局"), change("S1", "甲局"), change("S1", "乙局")])
    assert names(conn, "S1") == ["甲局", "乙局"]


def test_spacing_and_key_order_of_the_json_do_not_make_a_version(conn):
    load(conn, [change("S1", data_text='{"subject_code":"S1","subject_name":"甲局","record_version":"%s"}' % VERSION)])
    load(conn, [change("S1", data_text='{ "record_version": "%s",  "subject_name": "甲局", "subject_code": "S1" }'
                       % VERSION)])
    assert names(conn, "S1") == ["甲局"]


def test_a_deletion_is_a_version_without_payload_and_record_version_falls_back_to_the_change_time(conn):
    load(conn, [change("S1", "甲局"), change("S1", op="delete")])
    rows = conn.execute("select _op, payload, _record_version, _content_hash from raw.lp_subject order by _raw_id"
                        ).fetchall()
    assert [(r[0], r[2]) for r in rows] == [("upsert", VERSION), ("delete", "2026-03-01T09:00:00+08:00")]
    assert rows[1][1] is None and rows[0][3] != rows[1][3]
    load(conn, [change("S1", op="delete")])          # the same deletion again: nothing new
    assert conn.execute("select count(*) from raw.lp_subject").fetchone()[0] == 2


def test_an_interrupted_page_leaves_nothing_and_is_logged_failed(conn):
    def dies():
        yield change("S1", "甲局")
        raise RuntimeError("killed midway")
    with pytest.raises(RuntimeError):
        lp._load_page(conn, None, dies(), "p-failed", {})
    conn.rollback()
    assert conn.execute("select count(*) from raw.lp_subject").fetchone()[0] == 0
    assert get_position(conn, "LP", "changes") is None
    status, error = conn.execute("select status, error from ops.load_batch").fetchone()
    assert status == "failed" and "killed midway" in error
    conn.commit()
    load(conn, [change("S1", "甲局")], "p1")          # the retry
    assert names(conn, "S1") == ["甲局"] and get_position(conn, "LP", "changes") == "p1"


def test_unreadable_changes_are_set_aside_with_the_reason_and_the_rest_goes_on(conn):
    page = [change("S1", "甲局", cursor="7.1"),
            change("X", entity="spaceship", cursor="7.2",
                   data_text='{"party_name": "张三", "id_no": "440106198503120015"}'),
            change(None, cursor="7.3"),
            change("S2", op="merge", cursor="7.4")]
    assert load(conn, page) == {"subject": 1}
    assert last_batch(conn)[:5] == (4, 1, 0, 3, "committed")
    rows = conn.execute("select location, field, raw_content, reason from quality.rejected_input"
                        " order by rejected_id").fetchall()
    assert [r[0] for r in rows] == ["变更流 cursor=7.2（第2条）", "变更流 cursor=7.3（第3条）", "变更流 cursor=7.4（第4条）"]
    assert "spaceship" in rows[0][3] and "440106198503120015" not in rows[0][2] and "440106********0015" in rows[0][2]
    assert "merge" in rows[2][3]


def test_odd_json_types_in_bookkeeping_fields_are_kept_as_text(conn):
    odd = lp._Change(cursor=12.5, entity="subject", key=7, op="upsert", changed_at={"at": "2026"},
                     data=msgspec.Raw(b'{"subject_code": "S7"}'))
    assert load(conn, [odd]) == {"subject": 1}
    row = conn.execute("select _source_key, _change_cursor, _record_version from raw.lp_subject").fetchone()
    assert row == ("7", "12.5", '{"at":"2026"}')


def test_a_page_that_is_not_the_feed_fails_clearly_and_moves_nothing(conn):
    class Broken(lp.LPClient):
        def __init__(self, body):
            super().__init__("http://127.0.0.1:9", "pipeline", "x")
            self._token = "t"
            self.body = body

            class Answer:
                status_code, content = 200, body

                def raise_for_status(self):
                    pass
            self.session.get = lambda *a, **kw: Answer()

    load(conn, [change("S1", "甲局")], "7.1")
    for body in (b"<html>502 Bad Gateway</html>", b'{"changes": 5}'):
        with pytest.raises(lp.LPFeedError, match=r"after=7\.1 的响应无法读取.*游标未前移"):
            lp.sync_lp(Broken(body), conn)
        conn.rollback()
        assert get_position(conn, "LP", "changes") == "7.1"
        assert conn.execute("select count(*) from raw.lp_subject").fetchone()[0] == 1
