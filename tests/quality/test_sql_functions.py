"""The SQL check-character and masking functions (ddl/030_quality_functions.sql) against
python-stdnum and jiandu.standard on thousands of generated values, valid and broken."""
from __future__ import annotations

import datetime as dt
import random

import psycopg
import pytest
from stdnum.cn import ric, uscc

from jiandu import standard
from jiandu.db import libpq_url

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _resident_ids(rng: random.Random, n: int) -> list[str]:
    out = ["440106198001010019", "440106198503120015", "11010519491231002X", "440106200002290011"]
    for _ in range(n):
        born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 125 * 365))
        body = f"{rng.randrange(110000, 660000)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        good = body + ric.calc_check_digit(body + "0")
        kind = rng.randrange(6)
        if kind == 0:
            good = good[:17] + rng.choice([c for c in "0123456789X" if c != good[17]])
        elif kind == 1:
            good = good[:6] + rng.choice([f"{born:%Y}02{rng.randrange(29, 40)}", f"{born:%Y}13{born:%d}",
                                          f"0000{born:%m%d}", f"{born:%Y%m}00", f"{born:%Y}0431"]) + good[14:]
        elif kind == 2:
            good = rng.choice([good[:17] + "x", good[:17], good + "0", good[:5] + "A" + good[6:], ""])
        out.append(good)
    return out


def _usccs(rng: random.Random, n: int) -> list[str]:
    out = ["91440101MA59TEST0X", "11440106MB2C921376"]
    for _ in range(n):
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(17))
        good = body + uscc.calc_check_digit(body)
        kind = rng.randrange(5)
        if kind == 0:
            good = good[:17] + rng.choice([c for c in USCC_ALPHABET if c != good[17]])
        elif kind == 1:
            good = good[:4] + rng.choice("IOSVZa") + good[5:]
        elif kind == 2:
            good = rng.choice([good[:17], good + "1"])
        out.append(good)
    return out


@pytest.fixture(scope="module")
def conn(warehouse_db_url):
    with psycopg.connect(libpq_url(warehouse_db_url)) as c:
        yield c


def test_resident_id_check_character_and_validity_match_stdnum(conn):
    values = _resident_ids(random.Random(7), 4000)
    rows = conn.execute(
        "select v, quality.resident_id_check_char(left(v, 17)), quality.resident_id_valid(v)"
        " from unnest(%s::text[]) v where v ~ '^[0-9]{17}'", (values,)).fetchall()
    assert len(rows) > 3500
    valid_seen = 0
    for v, check, valid in rows:
        assert check == ric.calc_check_digit(v[:17] + "0"), v
        assert valid == standard.resident_id_valid(v), v
        valid_seen += valid
    assert 1000 < valid_seen < len(rows) - 500
    others = conn.execute("select v, quality.resident_id_valid(v) from unnest(%s::text[]) v", (values,)).fetchall()
    assert all(valid == standard.resident_id_valid(v) for v, valid in others)


def test_region_at_birth_is_not_part_of_validity(conn):
    # stdnum rejects the first (district 440106 dates from 1985); the standard's rule does not
    assert not ric.is_valid("440106198001010019") and ric.is_valid("440106198503120015")
    got = conn.execute("select quality.resident_id_valid('440106198001010019'),"
                       " quality.resident_id_valid('440106198503120015')").fetchone()
    assert got == (True, True)


def test_uscc_check_character_and_validity_match_stdnum(conn):
    values = _usccs(random.Random(11), 4000)
    rows = conn.execute("select v, quality.uscc_valid(v) from unnest(%s::text[]) v", (values,)).fetchall()
    valid_seen = 0
    for v, valid in rows:
        assert valid == standard.uscc_valid(v), v
        valid_seen += valid
    assert 800 < valid_seen < len(rows) - 500
    bodies = [v[:17] for v in values if len(v) >= 17 and all(c in USCC_ALPHABET for c in v[:17])]
    checks = conn.execute("select b, quality.uscc_check_char(b) from unnest(%s::text[]) b", (bodies,)).fetchall()
    assert all(c == uscc.calc_check_digit(b) for b, c in checks)


def test_credential_valid_by_type(conn):
    cases = [("01", "440106198503120015", True), ("01", "440106198503120016", False), ("10", "91440101MA59TEST0X",
             standard.uscc_valid("91440101MA59TEST0X")), ("02", "E12345678", True), ("99", "x" * 51, False),
             ("02", "", False), ("02", None, False)]
    for t, no, want in cases:
        assert conn.execute("select quality.credential_valid(%s, %s)", (t, no)).fetchone()[0] is want
        assert standard.credential_valid(t, no) is want


def test_masks_match_the_standard(conn):
    rng = random.Random(3)
    names = ["张三丰", "欧阳", "李", "", "Zhang San"]
    ids = _resident_ids(rng, 300)
    texts = [f"当事人{i}身份证号{v}，地址…" for i, v in enumerate(ids[:50])] + ["无证号", "证号123456789012345678X多"]
    for n in names:
        assert conn.execute("select quality.mask_person_name(%s)", (n,)).fetchone()[0] == standard.mask_person_name(n)
    for v in ids:
        got = conn.execute("select quality.mask_resident_id(%s), quality.mask_other_credential(%s)",
                           (v, v)).fetchone()
        assert got == (standard.mask_resident_id(v), standard.mask_other_credential(v))
    for t in texts:
        got = conn.execute("select quality.mask_ids_in_text(%s)", (t,)).fetchone()[0]
        assert got == standard.mask_resident_ids_in_text(t), t


def test_field_text_forms(conn):
    row = conn.execute("""select quality.field_text('2024-03-01 10:00:05+08'::timestamptz),
        quality.field_text('2024-03-01'::date), quality.field_text(5000::numeric(18,2)),
        quality.field_text(12.5::numeric), quality.field_text(3), quality.field_text(true),
        quality.field_text(array['a','b']::varchar(32)[]), quality.field_text('x'::varchar(2)),
        quality.field_text(null::timestamptz)""").fetchone()
    assert row == ("2024-03-01T10:00:05+08:00", "2024-03-01", "5000.00", "12.50", "3", "true", "a,b", "x", None)
