"""The check-character and credential macros (dbt/macros/cleaning/credentials.sql) against the
project's Python rules (jiandu.standard) on thousands of generated values, valid and broken.

The macros are compiled with `dbt compile --inline` (no database needed) and run in a throw-away
database over all values at once. An independent reference implementation of GB 11643 and
GB 32100 (below) says which side is wrong when they disagree.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import re

import psycopg
import pytest

from dbt_support import explain, run_dbt
from jiandu import standard
from jiandu.db import libpq_url
from jiandu.testing import temp_database

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def reference_resident_id_valid(v: str) -> bool:
    """GB 11643-1999 written out: 17 digits, ISO 7064 MOD 11-2 check character, a real date."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", v or ""):
        return False
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(v, RID_WEIGHTS)) % 11] == v[17]


def reference_uscc_valid(v: str) -> bool:
    """GB 32100-2015 written out: 18 characters of the 31-character alphabet, check mod 31."""
    if not re.fullmatch(r"[0-9A-HJ-NP-RTUW-Y]{18}", v or ""):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(v, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31] == v[17]


def resident_ids(rng: random.Random, n: int) -> list[str]:
    out = ["11010519491231002X", "440106198503120015", "44010619750615002X", "440106199201011234"]
    for _ in range(n):
        born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 120 * 365))
        body = f"{rng.randrange(110000, 660000)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        good = body + "10X98765432"[sum(int(c) * w for c, w in zip(body, RID_WEIGHTS)) % 11]
        kind = rng.randrange(8)
        if kind == 0:      # wrong check character
            good = good[:17] + rng.choice([c for c in "0123456789X" if c != good[17]])
        elif kind == 1:    # impossible dates: day 30-39 of February, month 13, year 0000
            good = good[:6] + rng.choice([f"{born:%Y}02{rng.randrange(30, 40)}", f"{born:%Y}13{born:%d}",
                                          f"0000{born:%m%d}"]) + good[14:]
        elif kind == 2:    # lower-case x, a wrong length, a letter in the body
            good = rng.choice([good[:17] + "x", good[:17], good + "0", good[:5] + "A" + good[6:]])
        out.append(good)
    return out


def credit_codes(rng: random.Random, n: int) -> list[str]:
    out = ["91440106MA59ABCD1M", "11440100MB2C92145A", "11440106MB2C921376", "92440106MA5ABCDE2X"]
    for _ in range(n):
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(17))
        total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS))
        good = body + USCC_ALPHABET[(31 - total % 31) % 31]
        kind = rng.randrange(8)
        if kind == 0:
            good = good[:17] + rng.choice([c for c in USCC_ALPHABET if c != good[17]])
        elif kind == 1:    # letters the alphabet leaves out, lower case, a wrong length
            pos = rng.randrange(18)
            good = rng.choice([good[:pos] + rng.choice("IOZSV") + good[pos + 1:], good.lower(), good[:17]])
        out.append(good)
    return out


def messy(rng: random.Random, value: str) -> str:
    """What LG and EX hold: full-width digits and letters, spaces, lower case."""
    chars = []
    for c in value:
        r = rng.random()
        if r < 0.2 and c.isalnum():
            c = chr(ord(c) + 0xFEE0)          # full width
        elif r < 0.3:
            c = c.lower()
        chars.append(c)
        if rng.random() < 0.05:
            chars.append(rng.choice([" ", "\u3000", "\u00a0", "\t"]))
    return rng.choice(["", " "]) + "".join(chars) + rng.choice(["", " ", "\u3000"])


@pytest.fixture(scope="module")
def evaluated(dbt_available, tmp_path_factory):
    """Each generated value with what the SQL macros say about it."""
    rng = random.Random(20260320)
    rids, usccs = resident_ids(rng, 2500), credit_codes(rng, 2500)
    raw = [messy(rng, v) for v in rng.sample(rids + usccs, 1500)] + ["", "   ", "ｘ"]
    sql = ("select v, {{ resident_id_valid('v') }}, {{ uscc_valid('v') }}, {{ normalise_credential('v') }},"
           " {{ infer_credential_type(normalise_credential('v')) }},"
           " {{ party_id(infer_credential_type(normalise_credential('v')), normalise_credential('v')) }}"
           " from check_values order by pos")
    work = tmp_path_factory.mktemp("dbt_compile")
    proc = run_dbt(["compile", "--quiet", "--no-introspect", "--no-populate-cache", "--inline", sql], work)
    assert proc.returncode == 0, explain(proc)
    compiled = proc.stdout.strip()
    values = rids + usccs + raw
    with temp_database("jiandu_dbt_checks") as url, psycopg.connect(libpq_url(url)) as conn:
        conn.execute("create temporary table check_values (pos int, v text)")
        with conn.cursor().copy("copy check_values (pos, v) from stdin") as copy:
            for pos, v in enumerate(values):
                copy.write_row((pos, v))
        rows = conn.execute(compiled).fetchall()
    assert len(rows) == len(values)
    return {"rows": rows, "rids": set(rids), "usccs": set(usccs)}


def test_resident_id_macro_matches_gb_11643(evaluated):
    wrong = [(v, rid) for v, rid, *_ in evaluated["rows"] if rid != reference_resident_id_valid(v)]
    assert not wrong, f"SQL resident_id_valid disagrees with GB 11643 on {len(wrong)} values, e.g. {wrong[:5]}"
    assert sum(1 for v in evaluated["rids"] if reference_resident_id_valid(v)) > 1500   # many valid ones


def test_uscc_macro_matches_gb_32100(evaluated):
    wrong = [(v, u) for v, _, u, *_ in evaluated["rows"] if u != reference_uscc_valid(v)]
    assert not wrong, f"SQL uscc_valid disagrees with GB 32100 on {len(wrong)} values, e.g. {wrong[:5]}"
    assert sum(1 for v in evaluated["usccs"] if reference_uscc_valid(v)) > 1500


def test_check_macros_match_jiandu_standard(evaluated):
    """The project has one interpretation of the standard: jiandu.standard. If this fails while the
    two tests above pass, jiandu.standard is the one that is wrong (it is named in the message)."""
    rid_diff = [v for v, rid, *_ in evaluated["rows"] if rid != standard.resident_id_valid(v)]
    uscc_diff = [v for v, _, u, *_ in evaluated["rows"] if u != standard.uscc_valid(v)]
    python_wrong = [v for v in rid_diff if standard.resident_id_valid(v) != reference_resident_id_valid(v)]
    assert not rid_diff, (
        f"resident_id_valid: the SQL macro and jiandu.standard disagree on {len(rid_diff)} values, e.g. {rid_diff[:3]}; "
        f"jiandu.standard.resident_id_valid is the one against GB 11643 on {len(python_wrong)} of them "
        f"(e.g. 11010519491231002X: {standard.resident_id_valid('11010519491231002X')}; "
        "stdnum's ric.calc_check_digit expects the number with its check digit, not the first 17)")
    assert not uscc_diff, f"uscc_valid: SQL and jiandu.standard disagree on {uscc_diff[:5]}"


def test_normalisation_type_and_party_id_match_jiandu_standard(evaluated):
    for v, _, _, normalised, inferred, pid in evaluated["rows"]:
        expected = standard.normalise_credential(v) or None
        assert normalised == expected, (v, normalised, expected)
        if expected is None:
            assert inferred is None and pid is None
            continue
        ref_type = ("01" if reference_resident_id_valid(expected)
                    else "10" if reference_uscc_valid(expected) else "99")
        assert inferred == ref_type, (v, inferred, ref_type)
        assert pid == standard.party_id(ref_type, v) == hashlib.sha256((ref_type + expected).encode()).hexdigest()
