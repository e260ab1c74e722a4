"""The hub push against the simulator: delta, parents first, receipts, rejections, holds, deletions."""
import datetime as dt

import psycopg
import pytest
from stdnum.cn import uscc

from connectors.hub_client import HubClient, RetryPolicy
from connectors.hub_push import push_all
from hubsim.app import create_app
from hubsim.server import serve_in_thread
from hubsim.store import live_records
from jiandu.db import libpq_url
from jiandu.standard import party_id, resident_id_check_char
from jiandu.testing import create_standard_tables, temp_database

REGION = "440100"
CID, SECRET = "jiandu-push-test", "push-secret"
T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def make_uscc(n: int) -> str:
    body = f"11440106MB{n:07d}"
    return body + uscc.calc_check_digit(body)


def make_rid(n: int) -> str:
    body = f"44010619850312{n % 1000:03d}"
    return body + resident_id_check_char(body)


SUBJ = make_uscc(1)
PARTY_NO = make_rid(15)
PARTY = party_id("01", PARTY_NO)


def seed_standard(conn) -> None:
    v = T0
    conn.execute("insert into standard.zf01_subject values (%s, '某区市场监督管理局', '440106', '3', '01', '01', null, true,"
                 " %s, %s)", (SUBJ, SUBJ, v))
    for i, cert in enumerate(("44010020150012", "44010020150013")):
        conn.execute("insert into standard.zf02_officer values (%s, %s, %s, %s, '2019-01-01', '2027-12-31', '01', %s, %s)",
                     (cert, "张三" if i == 0 else "李四", make_rid(20 + i), SUBJ, cert, v))
    conn.execute("insert into standard.zf03_item values ('440100-SJ-0001', '无照经营', '2', '01', '《无证无照经营查处办法》第十三条',"
                 " 1000, 100000, false, null, '2020-01-01', null, '440100-SJ-0001', %s)", (v,))
    conn.execute("insert into standard.zf04_party values (%s, '1', '张某某', '01', %s, '440106', %s, %s)",
                 (PARTY, PARTY_NO, PARTY, v))
    for n in (1, 2):
        conn.execute("""insert into standard.zf10_case values (%(id)s, null, '2', %(s)s, '440100-SJ-0001', %(p)s, '01',
            '440106', '2', array['44010020150012', '44010020150013'], null, null, %(reg)s, null, null, '10', false, 'LP',
            %(id)s, %(v)s)""", {"id": f"LP:{n}", "s": SUBJ, "p": PARTY, "reg": T0, "v": v})
        conn.execute("insert into standard.zf20_case_step values (%s, 1, 'C1', %s, %s, '44010020150012', '赵六', '同意立案',"
                     " %s, %s)", (f"LP:{n}", T0, T0, f"LP:{n}|1", v))
    conn.commit()


@pytest.fixture()
def env():
    with temp_database("test_push_wh") as wh, temp_database("test_push_hub") as hubdb:
        from jiandu.warehouse import migrate
        migrate.apply(wh)
        with psycopg.connect(libpq_url(wh)) as conn:
            create_standard_tables(conn)
            seed_standard(conn)
        app = create_app(hubdb, {CID: SECRET})
        with serve_in_thread(app) as url:
            yield {"wh": wh, "hub_db": hubdb, "url": url, "app": app}


def push(env, **kw):
    client = HubClient(env["url"], CID, SECRET, retry=RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05),
                       timeout=10)
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        return push_all(conn, client, REGION, **kw)


def wh_keys(env, table):
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        return {r[0] for r in conn.execute(f"select record_key from standard.{table}")}


def test_first_push_sends_everything_parents_first_and_the_hub_equals_the_warehouse(env):
    report = push(env)
    assert report.stopped is None and report.rejected == 0
    assert report.per_dataset == {"ZF01": 1, "ZF02": 2, "ZF03": 1, "ZF04": 1, "ZF10": 2, "ZF20": 2}
    for ds, table in (("ZF10", "zf10_case"), ("ZF20", "zf20_case_step"), ("ZF02", "zf02_officer")):
        assert set(live_records(env["hub_db"], ds, REGION)) == wh_keys(env, table)
    again = push(env)
    assert again.records_sent == 0          # delta: nothing changed, nothing sent


def test_a_changed_record_is_resent_alone_and_a_removed_one_deleted(env):
    push(env)
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        conn.execute("update standard.zf10_case set status = '20', record_version = record_version + interval '1 day'"
                     " where record_key = 'LP:1'")
        conn.execute("delete from standard.zf20_case_step where record_key = 'LP:2|1'")
        conn.commit()
    report = push(env)
    assert report.per_dataset == {"ZF10": 1, "ZF20": 1}
    assert live_records(env["hub_db"], "ZF10", REGION)["LP:1"] == "2026-03-02T10:00:00+08:00"
    assert set(live_records(env["hub_db"], "ZF20", REGION)) == {"LP:1|1"}


def test_rejected_record_goes_to_stewards_and_is_pushed_once_fixed(env):
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        conn.execute("update standard.zf04_party set credential_no = '440106198503120010'")   # wrong check digit
        conn.commit()
    report = push(env)
    assert report.rejected == 1 + 2 + 2    # the party, both cases that reference it, their steps
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        rule, fld, status, msg = conn.execute(
            "select rule, field, status, message from quality.issue where dataset = 'ZF04'").fetchone()
        assert (rule, fld, status) == ("HUB_CHECKSUM", "credential_no", "open") and "拒收" in msg
        conn.execute("update standard.zf04_party set credential_no = %s, record_version = record_version + interval '1 hour'",
                     (PARTY_NO,))
        conn.execute("update standard.zf10_case set record_version = record_version + interval '1 hour'")
        conn.commit()
    report = push(env)
    # the steps come again too: their rejection (a missing case) depended on the hub's state
    assert report.rejected == 0 and report.per_dataset == {"ZF04": 1, "ZF10": 2, "ZF20": 2}
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        assert {r[0] for r in conn.execute("select status from quality.issue")} == {"closed"}


def test_record_held_by_a_blocking_quality_issue_is_not_sent(env):
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        conn.execute("insert into quality.issue (dataset, record_key, rule, severity, message)"
                     " values ('ZF10', 'LP:2', 'REQUIRED:item_code', 'blocking', '必填字段为空')")
        conn.commit()
    report = push(env)
    assert set(live_records(env["hub_db"], "ZF10", REGION)) == {"LP:1"}
    assert report.held == 1


def test_answer_lost_after_commit_resends_the_same_batch_and_counts_once(env):
    env["app"].state.faults.configure(type(env["app"].state.faults.config).model_validate(
        {"drop_after_commit": {"count": 1}}))
    report = push(env)
    assert report.stopped is None
    assert set(live_records(env["hub_db"], "ZF01", REGION)) == {SUBJ}
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        batches = conn.execute("select count(*), sum(attempts) from ops.push_batch where dataset = 'ZF01'").fetchone()
    assert batches[0] == 1                  # the same batch, never a second one with the same records


def test_children_of_a_held_case_are_held_too(env):
    with psycopg.connect(libpq_url(env["wh"])) as conn:
        conn.execute("insert into quality.issue (dataset, record_key, rule, severity, message)"
                     " values ('ZF10', 'LP:2', 'REQUIRED:item_code', 'blocking', '必填字段为空')")
        conn.commit()
    report = push(env)
    assert set(live_records(env["hub_db"], "ZF20", REGION)) == {"LP:1|1"}
    assert report.rejected == 0             # nothing sent only to be refused for a missing parent
