"""Data Docs: the static HTML site GX renders from this run's suites and results.

Built into a fresh folder beside the target and swapped in, so a reader never sees half a site
and pages of earlier runs do not linger. The site shows the sample failing rows of each rule as
our SQL returned them: already masked (expectations/sql_rules.py), which
tests/quality/test_data_docs.py proves by searching every built file for the full ID numbers.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from expectations.gate import DOCS_SITE


SAMPLES = 10


def _add_samples(context) -> None:
    """GX renders a failed UnexpectedRowsExpectation as a count only; the steward also needs to
    see which records. The first rows GX itself returned (masked by our SQL) are written into the
    result's description, which the validation page shows."""
    store = context.validation_results_store
    for key in store.list_keys():
        suite_result = store.get(key)
        for r in suite_result.results:
            rows = ((r.result or {}).get("details") or {}).get("unexpected_rows") or []
            if rows and r.expectation_config.description:
                shown = "；".join(f"{x.get('record_key')} {x.get('field')}={x.get('value') or '（空）'}"
                                 for x in rows[:SAMPLES])
                r.expectation_config.description += f" — 样例（已脱敏，前 {min(len(rows), SAMPLES)} 条）：{shown}"
        store.set(key, suite_result)


def build_docs(context, docs_dir: Path) -> Path:
    """Render the context's suites and results into ``docs_dir``; returns its index.html."""
    _add_samples(context)
    docs_dir = Path(docs_dir).resolve()
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = docs_dir.with_name(docs_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    context.add_data_docs_site(site_name=DOCS_SITE, site_config={
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(staging)},
    })
    context.build_data_docs(site_names=[DOCS_SITE])
    old = docs_dir.with_name(docs_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if docs_dir.exists():
        docs_dir.rename(old)
    staging.rename(docs_dir)
    shutil.rmtree(old, ignore_errors=True)
    return docs_dir / "index.html"
