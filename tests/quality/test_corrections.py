"""The stewards' fix-and-replay workflow, with dbt and the gate for real on a throw-away warehouse:
a correction flows through the overlay to the standard layer and lifts the hold; a correction
whose source field changed since is flagged for review instead of overwriting; a withdrawn
correction re-emits the source's value with a newer version; a waiver lifts the hold."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import psycopg
import pytest

from expectations.gate import run_gate
from jiandu.db import libpq_url
from jiandu.standard import load_standard
from jiandu.steward.corrections import enter_correction, withdraw_correction
from jiandu.steward.issues import waive_issue
from jiandu.steward.values import Refused
from jiandu.testing import temp_database
from jiandu.warehouse.migrate import apply

DBT_TESTS = Path(__file__).resolve().parents[1] / "dbt"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


dbt_helpers = _load("quality_dbt_helpers", DBT_TESTS / "dbt_support.py")
raw = _load("quality_raw_fixture", DBT_TESTS / "raw_fixture.py")
RERUN = ["run", "--select", "path:models/intermediate", "path:models/standard"]
pytestmark = pytest.mark.slow


class WH:
    url: str
    work: Path

    def dbt(self, args=RERUN):
        proc = dbt_helpers.run_dbt(args, self.work, self.url)
        assert proc.returncode == 0, dbt_helpers.explain(proc)

    def gate(self):
        return run_gate(self.url)

    def one(self, query, *args):
        with psycopg.connect(libpq_url(self.url)) as c:
            return c.execute(query, args).fetchone()

    def lp_case(self, key, version, **over):
        with psycopg.connect(libpq_url(self.url)) as c:
            b = raw.new_batch(c, "LP", "changes")
            raw.lp(c, b, "case", key, raw._lp_case(key, case_no=key, party_id=raw.PERSON_PARTY,
                                                   record_version=version, **over))
            c.commit()

    def issue(self, key, rule):
        return self.one("select issue_id, status, severity from quality.issue where dataset = 'ZF10'"
                        " and record_key = %s and rule = %s", key, rule)

    def pushable(self, key) -> bool:
        """Whether the hub push would send the record now (its own delta query, holds included)."""
        from connectors.hub_push import _delta  # noqa: PLC0415
        with psycopg.connect(libpq_url(self.url)) as c:
            return key in {r["record_key"] for r in _delta(c, load_standard().datasets["ZF10"])}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    with temp_database("test_quality_fix") as url:
        apply(url)
        w = WH()
        w.url, w.work = url, tmp_path_factory.mktemp("quality_dbt")
        with psycopg.connect(libpq_url(url)) as c:
            raw.load_initial(c)
            c.commit()
        w.lp_case("LP:900", "2026-03-05T10:00:00+08:00", source_channel="77")    # not in the code set
        w.lp_case("LP:901", "2026-03-05T10:00:00+08:00", region_code="4401")     # not six digits
        w.lp_case("LP:902", "2026-03-05T10:00:00+08:00", source_channel="01")
        w.dbt(["build", "--exclude", "path:models/marts+"])   # the marts (and what reads them) are not this workflow's
        w.gate()
        yield w


def test_correction_is_validated_on_entry(wh):
    with psycopg.connect(libpq_url(wh.url)) as c:
        with pytest.raises(Refused, match="不在代码集"):
            enter_correction(c, "ZF10", "LP:900", "source_channel", "78", "录入错误", "管理员甲")
        with pytest.raises(Refused, match="校验码"):
            enter_correction(c, "ZF02", "44010020150012", "id_no", "440106198503120016", "证件号错误", "管理员甲")
        with pytest.raises(Refused, match="标识"):
            enter_correction(c, "ZF10", "LP:900", "case_id", "LP:999", "x", "管理员甲")
        with pytest.raises(Refused, match="不存在"):
            enter_correction(c, "ZF10", "LP:900", "item_code", "NO-SUCH-ITEM", "x", "管理员甲")
        with pytest.raises(Refused, match="没有记录"):
            enter_correction(c, "ZF10", "LP:404", "source_channel", "02", "x", "管理员甲")
        assert c.execute("select count(*) from steward.correction").fetchone()[0] == 0


def test_correction_flows_to_the_standard_layer_and_lifts_the_hold_then_yields_to_the_source(wh):
    issue_id, status, severity = wh.issue("LP:900", "CODE_SET:source_channel")
    assert (status, severity) == ("open", "blocking") and not wh.pushable("LP:900")
    v0 = wh.one("select record_version from standard.zf10_case where record_key = 'LP:900'")[0]

    with psycopg.connect(libpq_url(wh.url)) as c:
        done = enter_correction(c, "zf10", "LP:900", "source_channel", "投诉举报", "来源系统录入错误，依原始登记表更正",
                                "管理员甲", issue_id=issue_id)
    assert (done.old_value, done.new_value) == ("77", "02")
    wh.dbt()
    report = wh.gate()
    value, v1 = wh.one("select source_channel, record_version from standard.zf10_case where record_key = 'LP:900'")
    assert value == "02" and v1 > v0                       # the hub needs a newer version to take the change
    assert wh.issue("LP:900", "CODE_SET:source_channel")[1] == "closed"
    assert wh.pushable("LP:900")
    assert report.corrections.get("applied") == 1
    status, applied = wh.one("select status, applied_at from steward.correction where correction_id = %s",
                             done.correction_id)
    assert status == "active" and applied is not None
    assert wh.one("select count(*) from raw.lp_case where _source_key = 'LP:900'")[0] == 1   # source untouched

    # the source changes the field afterwards: its newer value stands, the correction waits for review
    wh.lp_case("LP:900", "2026-03-06T10:00:00+08:00", source_channel="03")
    wh.dbt()
    wh.gate()
    assert wh.one("select source_channel from standard.zf10_case where record_key = 'LP:900'")[0] == "03"
    assert wh.one("select status from steward.correction where correction_id = %s", done.correction_id)[0] == "needs_review"
    review = wh.issue("LP:900", "CORRECTION_REVIEW:source_channel")
    assert review[1:] == ("open", "warning") and wh.pushable("LP:900")
    log = wh.one("select status_text, old_value_masked, new_value_masked from quality.correction_log"
                 " where correction_id = %s", done.correction_id)
    assert log == ("来源已变更，待复核", "77", "02")

    # withdrawing it closes the review
    with psycopg.connect(libpq_url(wh.url)) as c:
        withdraw_correction(c, done.correction_id, "管理员甲", "来源已更正")
    wh.gate()
    assert wh.issue("LP:900", "CORRECTION_REVIEW:source_channel")[1] == "closed"


def test_withdrawn_correction_re_emits_the_source_value_with_a_newer_version(wh):
    with psycopg.connect(libpq_url(wh.url)) as c:
        done = enter_correction(c, "ZF10", "LP:902", "source_channel", "05", "核对", "管理员乙")
    wh.dbt()
    corrected, v1 = wh.one("select source_channel, record_version from standard.zf10_case where record_key = 'LP:902'")
    assert corrected == "05"
    with psycopg.connect(libpq_url(wh.url)) as c:
        withdraw_correction(c, done.correction_id, "管理员乙", "误更正")
    wh.dbt()
    back, v2 = wh.one("select source_channel, record_version from standard.zf10_case where record_key = 'LP:902'")
    assert back == "01" and v2 > v1
    wh.dbt()                                                  # nothing changed: nothing moves
    assert wh.one("select record_version from standard.zf10_case where record_key = 'LP:902'")[0] == v2
    history = wh.one("select count(*), string_agg(status, ',') from steward.correction where record_key = 'LP:902'")
    assert history == (1, "withdrawn")


def test_waiver_lifts_the_hold_and_survives_the_next_run(wh):
    issue_id, status, _ = wh.issue("LP:901", "REGION_CODE:region_code")
    assert status == "open" and not wh.pushable("LP:901")
    with psycopg.connect(libpq_url(wh.url)) as c:
        with pytest.raises(Refused, match="原因"):
            waive_issue(c, issue_id, "管理员甲", " ")
        waive_issue(c, issue_id, "管理员甲", "跨区案件，省级确认可按原值报送")
    assert wh.pushable("LP:901")
    wh.gate()
    assert wh.issue("LP:901", "REGION_CODE:region_code")[1] == "waived"
    assert wh.pushable("LP:901")
