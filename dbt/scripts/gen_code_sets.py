"""Write seeds/code_set.csv from the standard's code sets (supervision-standard.yaml).

Run from anywhere with the main environment:  .venvs/main/bin/python dbt/scripts/gen_code_sets.py
`--check` exits 1 when the seed differs from the YAML (tests/dbt/test_seeds.py does the same).
The region code set is data, not a list in the YAML: it is seeds/region.csv.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import yaml

DBT_DIR = Path(__file__).resolve().parent.parent
SEED = DBT_DIR / "seeds" / "code_set.csv"
STANDARD = DBT_DIR.parent / "standard" / "supervision-standard.yaml"


def code_set_rows(standard_file: Path = STANDARD) -> list[tuple[str, str, str]]:
    doc = yaml.safe_load(standard_file.read_text(encoding="utf-8"))
    rows = []
    for name, values in doc["code_sets"].items():
        if not isinstance(values, dict):      # region: described in prose, shipped as data
            continue
        for code, label in values.items():
            rows.append((name, str(code), str(label)))
    return rows


def render(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code_set", "code", "label"])
    writer.writerows(rows)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when different")
    args = parser.parse_args()
    text = render(code_set_rows())
    if args.check:
        current = SEED.read_text(encoding="utf-8") if SEED.exists() else ""
        if current != text:
            print(f"{SEED} differs from {STANDARD}: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    SEED.write_text(text, encoding="utf-8")
    print(f"wrote {SEED} ({text.count(chr(10)) - 1} codes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
