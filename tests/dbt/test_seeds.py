"""The seeds that are generated or promised: the code sets equal the standard's YAML, the
working-day calendar covers 2016-2026 day by day as chinesecalendar publishes it, the region list
is Guangzhou's, and the standard models' YAML is what its generator writes."""
from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys

import yaml

from dbt_support import DBT_DIR, PROJECT_ROOT
from jiandu.standard import STANDARD_FILE, load_standard

SEEDS = DBT_DIR / "seeds"
SCRIPTS = DBT_DIR / "scripts"


def read_csv(name: str) -> list[dict]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_code_set_seed_equals_the_standard_yaml_both_ways():
    doc = yaml.safe_load(STANDARD_FILE.read_text(encoding="utf-8"))
    expected = {(name, str(code), str(label))
                for name, values in doc["code_sets"].items() if isinstance(values, dict)
                for code, label in values.items()}
    seed = {(r["code_set"], r["code"], r["label"]) for r in read_csv("code_set.csv")}
    assert seed - expected == set(), "codes in the seed that the standard does not have"
    assert expected - seed == set(), "codes of the standard missing from the seed"
    assert len(read_csv("code_set.csv")) == len(seed), "duplicate rows in code_set.csv"
    # the same through the project's reading of the standard
    std = load_standard()
    assert {(n, c) for n, cs in std.code_sets.items() for c in cs} == {(n, c) for n, c, _ in seed}
    assert ("case_status", "91", "不予立案") in seed and ("stage", "C8", "归档") in seed


def test_generators_report_their_seeds_up_to_date():
    for script in ["gen_code_sets.py", "gen_standard_models.py"]:
        proc = subprocess.run([sys.executable, str(SCRIPTS / script), "--check"], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script} --check: {proc.stderr}"


def test_work_calendar_covers_2016_to_2026_as_published():
    rows = read_csv("work_calendar.csv")
    days = [dt.date.fromisoformat(r["date"]) for r in rows]
    assert days[0] == dt.date(2016, 1, 1) and days[-1] >= dt.date(2026, 12, 31)
    assert days == sorted(days) and len(set(days)) == len(days)
    assert all((b - a).days == 1 for a, b in zip(days, days[1:])), "a day is missing"
    by_day = {r["date"]: r for r in rows}
    assert by_day["2024-02-04"]["is_workday"] == "true" and "调休" in by_day["2024-02-04"]["note"]  # a Sunday worked
    assert by_day["2024-02-12"]["is_workday"] == "false" and by_day["2024-02-12"]["note"] == "春节"  # a Monday off
    assert by_day["2026-10-01"]["is_workday"] == "false"
    assert by_day["2026-03-02"]["is_workday"] == "true" and by_day["2026-03-07"]["is_workday"] == "false"
    # and day by day what the package says (the script's own check, run in this environment)
    proc = subprocess.run([sys.executable, str(SCRIPTS / "gen_calendar.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_region_seed_is_guangzhou_and_its_districts():
    rows = {r["code"]: r for r in read_csv("region.csv")}
    districts = {"440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115",
                 "440117", "440118"}
    assert districts | {"440100"} <= set(rows)
    assert rows["440100"]["name"] == "广州市" and rows["440106"]["name"] == "天河区"
    assert all(rows[d]["parent_code"] == "440100" for d in districts)
    assert all(r["parent_code"] in rows or r["parent_code"] == "" for r in rows.values())


def test_every_mapping_seed_maps_only_to_codes_of_the_standard():
    std = load_standard()
    targets = {"case_type": "case_type", "inspection_kind": "inspection_kind", "procedure": "procedure",
               "party_type": "party_type", "subject_level": "subject_level", "status": "case_status",
               "source_channel": "source_channel", "stage_code": "stage", "penalty_kind": "penalty_kind",
               "measure_code": "coercion_measure", "coercion_kind": "coercion_kind",
               "credential_type": "credential_type", "inspection_result": "inspection_result"}
    seeds = sorted(SEEDS.glob("map_*.csv"))
    assert {p.name for p in seeds} >= {"map_lg_ajlx.csv", "map_lg_cxlx.csv", "map_lg_dsrlx.csv", "map_lg_jb.csv",
                                       "map_lg_zt.csv", "map_lg_ajly.csv", "map_lg_hjmc.csv"}
    for path in seeds:
        for row in read_csv(path.name):
            for column, value in row.items():
                if column in targets and value:
                    assert value in std.code_sets[targets[column]], f"{path.name}: {column}={value}"


def test_calendar_script_keeps_the_bureaus_own_rows(tmp_path):
    """The bureau extends the calendar by appending a new year's days to the CSV (or corrects a
    day); regenerating never overwrites those rows, it only adds the days that are missing."""
    seed = tmp_path / "work_calendar.csv"
    seed.write_text("date,is_workday,note\n2016-01-04,false,局方更正\n2027-01-04,true,\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(SCRIPTS / "gen_calendar.py"), "--from", "2016", "--to", "2016",
                           "--seed", str(seed)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with seed.open(encoding="utf-8", newline="") as f:
        rows = {r["date"]: r for r in csv.DictReader(f)}
    assert rows["2016-01-04"]["note"] == "局方更正" and rows["2016-01-04"]["is_workday"] == "false"
    assert "2027-01-04" in rows and len(rows) == 366 + 1
