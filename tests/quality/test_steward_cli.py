"""`jiandu steward`: list with filters, show, correct (refused with the reason when a rule fails),
waive, on a throw-away warehouse; output in Chinese and masked."""
from __future__ import annotations

import copy

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from expectations.gate import run_gate
from jiandu.cli import main
from jiandu.db import libpq_url
from jiandu.settings import get_settings
from standard_rows import AS_OF, base_rows, build, insert

BAD_ID = "440106198503120016"


@pytest.fixture()
def cli(fresh_warehouse_url, monkeypatch):
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as conn:
        rows = build(conn, base_rows())
        officer = copy.deepcopy(rows["zf02_officer"][0])
        officer.update(cert_no="C9", record_key="C9", id_no=BAD_ID)
        insert(conn, "zf02_officer", officer)
        case = copy.deepcopy(rows["zf10_case"][0])
        case.update(case_id="LP:77", record_key="LP:77", source_channel="77")
        insert(conn, "zf10_case", case)
        conn.commit()
    run_gate(fresh_warehouse_url, as_of=AS_OF)
    url = make_url(fresh_warehouse_url)
    monkeypatch.setenv("JIANDU_WAREHOUSE_DB", url.database)
    monkeypatch.setenv("JIANDU_PIPELINE_USER", url.username)
    monkeypatch.setenv("JIANDU_PIPELINE_PASSWORD", url.password or "")
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(main, ["steward", *args])
    get_settings.cache_clear()


def _issue_id(url, key):
    with psycopg.connect(libpq_url(url)) as c:
        return c.execute("select issue_id from quality.issue where record_key = %s", (key,)).fetchone()[0]


def test_list_show_correct_waive(cli, fresh_warehouse_url):
    out = cli("list")
    assert out.exit_code == 0, out.output
    assert "共 2 个问题" in out.output and "阻断" in out.output and "440106********0016" in out.output
    assert BAD_ID not in out.output
    only = cli("list", "--dataset", "officer", "--rule", "CHECKSUM")
    assert "共 1 个问题" in only.output and "C9" in only.output and "LP:77" not in only.output

    officer_issue = _issue_id(fresh_warehouse_url, "C9")
    shown = cli("show", str(officer_issue))
    assert shown.exit_code == 0 and "张**" in shown.output and BAD_ID not in shown.output

    refused = cli("correct", str(officer_issue), "--value", "440106198503120017", "--reason", "核对身份证", "--by", "管理员甲")
    assert refused.exit_code != 0 and "未接受" in refused.output and "校验码" in refused.output
    done = cli("correct", str(officer_issue), "--value", "440106198503120015", "--reason", "核对身份证", "--by", "管理员甲")
    assert done.exit_code == 0 and "已登记更正" in done.output
    with psycopg.connect(libpq_url(fresh_warehouse_url)) as c:
        assert c.execute("select field, new_value, entered_by from steward.correction").fetchone() == \
            ("id_no", "440106198503120015", "管理员甲")
        masked = c.execute("select new_value_masked from quality.correction_log").fetchone()[0]
    assert masked == "440106********0015"

    case_issue = _issue_id(fresh_warehouse_url, "LP:77")
    assert cli("waive", str(case_issue), "--reason", "省级确认", "--by", "管理员甲").exit_code == 0
    assert "共 1 个问题" in cli("list", "--status", "waived").output
    assert cli("waive", str(case_issue), "--reason", "再次", "--by", "x").exit_code != 0
