"""Helpers shared by the LG and EX connectors."""
import datetime as dt
import hashlib
import json

import pytest

from connectors.lg import packed, packed_to_copy, unpack
from connectors.raw_versions import content_hash_fast, copy_line, record_version_text


def content_hash(values) -> str:
    """The reference: sha256 over the canonical JSON form of the row's content."""
    payload = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("values", [
    ["CG2023-0001", "行政处罚", None, "", "5,000.00"],
    ['引号"与\\反斜杠', "tab\tnew\nline\rcr", "\x01\x1f控制", "𠀋", "\u2028"],
    [None, None],
])
def test_fast_hash_is_the_reference_hash(values):
    assert content_hash_fast("upsert", values) == content_hash(["upsert", values])
    assert content_hash_fast("delete", values) == content_hash(["delete", values])


@pytest.mark.parametrize("values", [["a", None, "b"], [None, "b"], ["a", None], [None, None, None, "x", None],
                                    ["a=b", "=c", ""], [None], ["某路12号", "2023-07-10 16:02:11"]])
def test_packed_rows_become_copy_fields(values):
    line = packed(values)
    assert unpack(line) == values
    assert packed_to_copy(line) + "\n" == copy_line(values)


def test_copy_line_escapes():
    assert copy_line(["a\tb", None, "x\\y", "n\nl\rc", 3]) == "a\\tb\t\\N\tx\\\\y\tn\\nl\\rc\t3\n"


def test_record_version_text_is_the_standards_form():
    moment = dt.datetime(2026, 3, 1, 2, 3, 4, 567, tzinfo=dt.timezone.utc)
    assert record_version_text(moment) == "2026-03-01T10:03:04+08:00"
