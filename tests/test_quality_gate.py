"""The quality gate runs GX suites inside PostgreSQL and keeps quality.issue in step."""
import psycopg
import pytest

from expectations.gate import run_gate
from jiandu.db import libpq_url

ZF10_DDL = """create table standard.zf10_case (record_key varchar(64), case_id varchar(64), case_no varchar(100),
  case_type varchar(1), subject_code varchar(18), item_code varchar(40), party_id varchar(64), source_channel varchar(2),
  region_code varchar(6), procedure varchar(1), officer_cert_nos varchar(32)[], violation_at timestamptz,
  found_at timestamptz, registered_at timestamptz, closed_at timestamptz, archived_at timestamptz, status varchar(2),
  time_limit_extended boolean, source_system varchar(2), record_version timestamptz)"""
GOOD = ("'LP:1','LP:1',null,'2','S','I','p','01','440106','2',array['a','b'],null,null,now(),null,null,'10',false,"
        "'LP',now()")
BAD = ("'LP:2','LP:2',null,'7','S',null,'p','01','44010','1',array['a'],null,null,now(),null,null,'10',false,"
       "'LP',now()")


@pytest.fixture()
def wh(fresh_warehouse_url):
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as c:
        c.execute(ZF10_DDL)
        c.execute(f"insert into standard.zf10_case values ({GOOD}), ({BAD})")
        c.commit()
    return fresh_warehouse_url


def issues(url):
    with psycopg.connect(libpq_url(url)) as c:
        return {(r[0], r[1]): (r[2], r[3]) for r in c.execute(
            "select record_key, rule, status, severity from quality.issue order by 1, 2")}


def test_bad_record_opens_one_issue_per_rule_and_good_one_none(wh):
    report = run_gate(wh)
    assert report.suites == 4 and report.failed_suites == 1     # ZF10, and the LP, LG, EX streams
    found = issues(wh)
    assert set(found) == {("LP:2", "CODE_SET:case_type"), ("LP:2", "REQUIRED:item_code"),
                          ("LP:2", "REGION_CODE:region_code"), ("LP:2", "OFFICERS_MIN:officer_cert_nos")}
    assert all(v == ("open", "blocking") for v in found.values())
    with psycopg.connect(libpq_url(wh)) as c:
        success, failed = c.execute("select success, failed from quality.validation_run where dataset = 'ZF10'"
                                    ).fetchone()
        msg = c.execute("select message from quality.issue where rule = 'CODE_SET:case_type'").fetchone()[0]
    assert success is False and failed == 4
    assert "7" in msg and "代码集" in msg


def test_issue_closes_itself_once_the_record_passes(wh):
    run_gate(wh)
    with psycopg.connect(libpq_url(wh)) as c:
        c.execute("update standard.zf10_case set item_code = 'I', case_type = '2', region_code = '440106',"
                  " officer_cert_nos = array['a', 'b'] where record_key = 'LP:2'")
        c.commit()
    report = run_gate(wh)
    assert report.closed_issues == 4 and report.failed_suites == 0
    assert {v[0] for v in issues(wh).values()} == {"closed"}


def test_rerun_without_change_opens_nothing_new(wh):
    run_gate(wh)
    report = run_gate(wh)
    assert report.new_issues == 0 and report.closed_issues == 0
    assert len(issues(wh)) == 4
