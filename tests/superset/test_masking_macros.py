"""The masking macros (dbt/macros/masking, and cleaning's mask_person_name) against the standard's
Python helpers (jiandu.standard) on the same generated and hand-picked values: both sides must mask
every value identically, since the marts mask in SQL and the notices and logs in Python."""
from __future__ import annotations

import random

import psycopg

from dbt_support import explain, run_dbt
from jiandu import standard
from jiandu.db import libpq_url
from jiandu.testing import temp_database

EDGE = ["", "张", "张三", "张三丰", "欧阳娜娜", "A", "abcd", "abcde", "1234567890", "12345678901",
        "440106198503120015", "44010619750615002X", "ＡＢＣ１２３", "𠀋𠀌𠀍", "Müller Ö", " 王 五 "]
TEXTS = ["身份证440106198503120015，电话13800138000", "x440106198503120015", "44010619850312001",
         "440106198503120015x", "4401061985031200151", "两个：440106198503120015、11010519491231002X",
         "小写44010619750615002x结尾", "全角４４０１０６１９８５０３１２００１５", "无号码", "", "11010519491231002X"]


def _values(rng: random.Random, n: int) -> list[str]:
    alphabet = "张王李赵欧阳翊瑾0123456789XxAb*-（） "
    return EDGE + TEXTS + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24))) for _ in range(n)]


def test_masking_macros_equal_python_helpers(tmp_path):
    values = _values(random.Random(20261123), 1500)
    party_types, credential_types = ["1", "2", "3", "4"], ["01", "02", "10", "99"]
    sql = ("select v, pt, ct,"
           " {{ mask_person_name('v') }}, {{ mask_resident_id('v') }}, {{ mask_other_credential('v') }},"
           " {{ mask_credential('ct', 'v') }}, {{ mask_resident_ids_in_text('v') }},"
           " {{ mask_party_name('pt', 'v') }}, {{ mask_party_credential('pt', 'ct', 'v') }}"
           " from unnest(%(values)s::text[]) v cross join unnest(%(pts)s::text[]) pt cross join unnest(%(cts)s::text[]) ct")
    proc = run_dbt(["compile", "--quiet", "--no-introspect", "--no-populate-cache", "--inline", sql], tmp_path)
    assert proc.returncode == 0, explain(proc)
    compiled = proc.stdout.strip()
    with temp_database("test_mask") as url, psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(compiled, {"values": values + [None], "pts": party_types, "cts": credential_types}).fetchall()
    assert len(rows) == (len(values) + 1) * 16

    def party_name(pt, v):
        return standard.mask_person_name(v) if pt == "1" else standard.mask_resident_ids_in_text(v)

    def party_credential(pt, ct, v):
        if pt == "1":
            return standard.mask_credential(ct, v)
        return standard.mask_resident_id(v) if ct == "01" else standard.mask_resident_ids_in_text(v)

    wrong = []
    for v, pt, ct, name, rid, other, cred, text, pname, pcred in rows:
        expected = (standard.mask_person_name(v), standard.mask_resident_id(v), standard.mask_other_credential(v),
                    standard.mask_credential(ct, v), standard.mask_resident_ids_in_text(v), party_name(pt, v),
                    party_credential(pt, ct, v))
        if (name, rid, other, cred, text, pname, pcred) != expected:
            wrong.append((v, pt, ct, (name, rid, other, cred, text, pname, pcred), expected))
    assert not wrong, f"{len(wrong)} differences, e.g. {wrong[:3]}"


def test_masked_values_reveal_nothing_of_the_examples():
    """The standard's own examples, as the masking section writes them."""
    assert standard.mask_person_name("张三丰") == "张**"
    assert standard.mask_resident_id("44010319850312123X") == "440103********123X"
