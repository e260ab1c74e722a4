"""The LP connector reads the real case-entry service's change feed into raw.lp_*."""
import datetime as dt

import psycopg
import pytest

from caseentry.app import create_app
from caseentry.migrate import upgrade
from caseentry.users import ensure_user
from connectors.lp import LPClient, sync_lp
from hubsim.server import serve_in_thread
from jiandu.bootstrap.demo import ServiceClient, send_lp
from jiandu.db import libpq_url
from jiandu.demo.universe import Universe
from jiandu.testing import temp_database

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def service():
    with temp_database("test_lpc_svc") as db:
        upgrade(db)
        ensure_user(db, "admin", "admin-password", "admin")
        ensure_user(db, "pipeline", "feed-password", "pipeline")
        with serve_in_thread(create_app(db, "test-secret-key")) as url:
            universe = Universe(7, 40, AS_OF)
            loaded = send_lp(ServiceClient(url, "admin", "admin-password"), universe)
            assert loaded["refused"] <= 1, loaded      # the generator's data is lawful LP data
            yield {"url": url, "db": db, "loaded": loaded}


def raw_counts(conn) -> dict[str, int]:
    out = {}
    for t in ("subject", "officer", "item", "party", "case", "case_step"):
        out[t] = conn.execute(f"select count(*) from raw.lp_{t}").fetchone()[0]
    return out


def test_full_read_then_nothing_new_then_only_the_change(service, fresh_warehouse_url):
    client = LPClient(service["url"], "pipeline", "feed-password")
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as conn:
        first = sync_lp(client, conn, page_size=200)
        counts = raw_counts(conn)
        assert counts["subject"] > 0 and counts["case"] > 0 and counts["case_step"] >= counts["case"]
        assert first["_pages"] >= 2                      # several pages, each its own batch
        payload = conn.execute("select payload from raw.lp_case order by _raw_id limit 1").fetchone()[0]
        assert payload["case_id"].startswith("LP:") and isinstance(payload["officer_cert_nos"], list)
        again = sync_lp(client, conn, page_size=200)
        assert again == {} and raw_counts(conn) == counts  # resumes at the stored cursor: nothing new
        admin = ServiceClient(service["url"], "admin", "admin-password")
        case = admin.session.get(f"{service['url']}/api/v1/cases", params={"limit": 1}).json()
        first_case = (case.get("items") or case.get("cases") or case)[0]
        r = admin.session.patch(f"{service['url']}/api/v1/cases/{first_case['id']}", json={"case_no": "改-001"})
        assert r.status_code == 200, r.text
        third = sync_lp(client, conn, page_size=200)
        assert third.get("case") == 1
        latest = conn.execute("select payload->>'case_no' from raw.lp_case where _source_key = %s"
                              " order by _raw_id desc limit 1", (f"LP:{first_case['id']}",)).fetchone()[0]
        assert latest == "改-001"


class Dies(LPClient):
    """A connector that dies after its second page, as a killed worker would."""
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.calls = 0

    def changes(self, after, limit):
        self.calls += 1
        if self.calls == 3:
            raise ConnectionError("worker killed")
        return super().changes(after, limit)


def test_killed_midway_and_rerun_gives_exactly_one_copy(service, fresh_warehouse_url):
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as conn:
        with pytest.raises(ConnectionError):
            sync_lp(Dies(service["url"], "pipeline", "feed-password"), conn, page_size=100)
        sync_lp(LPClient(service["url"], "pipeline", "feed-password"), conn, page_size=100)
        dupes = conn.execute("select count(*) from (select _change_cursor from raw.lp_case union all"
                             " select _change_cursor from raw.lp_case_step) x group by _change_cursor having count(*) > 1"
                             ).fetchall()
        assert dupes == []
    with temp_database("test_lpc_ref") as ref_url, psycopg.connect(libpq_url(ref_url)) as ref:
        from jiandu.warehouse import migrate
        migrate.apply(ref_url)
        sync_lp(LPClient(service["url"], "pipeline", "feed-password"), ref, page_size=100)
        with psycopg.connect(libpq_url(fresh_warehouse_url)) as conn:
            assert raw_counts(conn) == raw_counts(ref)   # same as one uninterrupted read


class Recording(LPClient):
    """Notes the cursor of each page asked for."""
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fetched: list = []

    def changes(self, after, limit):
        self.fetched.append(after)
        return super().changes(after, limit)


def test_next_page_fetched_while_loading_and_a_failed_load_resumes_at_the_last_commit(
        service, fresh_warehouse_url, monkeypatch):
    import time

    import connectors.lp as lp
    client = Recording(service["url"], "pipeline", "feed-password")
    real_load = lp._load_page
    loaded_from: list = []
    overlapped: list[bool] = []

    def load(conn, position, changes, next_position, totals):
        # While a page loads, the next one is already being asked for (no waiting in turn).
        deadline = time.monotonic() + 10
        while len(client.fetched) < len(loaded_from) + 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        overlapped.append(len(client.fetched) >= len(loaded_from) + 2)
        loaded_from.append(position)
        if len(loaded_from) == 3:
            raise RuntimeError("warehouse gone")
        real_load(conn, position, changes, next_position, totals)
    monkeypatch.setattr(lp, "_load_page", load)
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as conn:
        with pytest.raises(RuntimeError, match="warehouse gone"):
            sync_lp(client, conn, page_size=100)
        conn.rollback()
        assert overlapped == [True, True, True]
        # Pages one and two committed; the third failed and a fourth had been fetched: the stored
        # cursor is the end of page two, where page three starts, not what was fetched beyond it.
        stored = conn.execute("select position from ops.source_position where source = 'LP'").fetchone()[0]
        assert stored == loaded_from[2] and client.fetched[3] != stored
        monkeypatch.setattr(lp, "_load_page", real_load)
        sync_lp(LPClient(service["url"], "pipeline", "feed-password"), conn, page_size=100)
        dupes = conn.execute("select _change_cursor from (select _change_cursor from raw.lp_case union all"
                             " select _change_cursor from raw.lp_case_step) x group by 1 having count(*) > 1"
                             ).fetchall()
        assert dupes == []
        counts = raw_counts(conn)
    with temp_database("test_lpc_ref2") as ref_url, psycopg.connect(libpq_url(ref_url)) as ref:
        from jiandu.warehouse import migrate
        migrate.apply(ref_url)
        sync_lp(LPClient(service["url"], "pipeline", "feed-password"), ref, page_size=100)
        assert counts == raw_counts(ref)   # same as one uninterrupted read
