"""Data Docs are built as a static site after a run and show sample failing values masked: no full
resident ID number appears anywhere in the built site."""
from __future__ import annotations

import copy
import re

import psycopg

from expectations.gate import run_gate
from jiandu import standard
from jiandu.db import libpq_url
from jiandu.testing import temp_database
from jiandu.warehouse.migrate import apply
from standard_rows import AS_OF, OFFICER_ID, PARTY_ID_NO, base_rows, build, insert

BAD_OFFICER_ID = "440106198503120016"          # check character wrong
BAD_PARTY_ID = "110105194912310021"            # check character wrong


def test_data_docs_site_shows_masked_samples_and_no_full_id(tmp_path):
    with temp_database("test_quality_docs") as url:
        apply(url)
        with psycopg.connect(libpq_url(url)) as conn:
            rows = build(conn, base_rows())
            officer = copy.deepcopy(rows["zf02_officer"][0])
            officer.update(cert_no="C9", record_key="C9", id_no=BAD_OFFICER_ID)
            insert(conn, "zf02_officer", officer)
            party = copy.deepcopy(rows["zf04_party"][0])
            party.update(credential_no=BAD_PARTY_ID, party_id=standard.party_id("01", BAD_PARTY_ID))
            party["record_key"] = party["party_id"]
            insert(conn, "zf04_party", party)
            conn.commit()
        site = tmp_path / "data_docs"
        report = run_gate(url, as_of=AS_OF, docs_dir=site)
    index = site / "index.html"
    assert report.docs_index == str(index) and index.exists()
    files = [p for p in site.rglob("*") if p.is_file()]
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    assert len([p for p in files if p.suffix == ".html"]) > 10          # suites and results, not only the index
    assert "440106********0016" in text and "110105********0021" in text   # the samples are shown, masked
    for full in (BAD_OFFICER_ID, BAD_PARTY_ID, OFFICER_ID, PARTY_ID_NO):
        assert full not in text
    # nor any other 18-character resident-ID shape with a valid check character
    for m in re.finditer(r"(?<![0-9A-Za-z])[0-9]{17}[0-9X](?![0-9A-Za-z])", text):
        assert not standard.resident_id_valid(m.group(0)), m.group(0)
