"""The project ships its own copy of the province's documents: it must equal ../shared."""
import os
from pathlib import Path

import pytest

from jiandu.settings import PROJECT_ROOT

SHARED = Path(os.environ.get("JIANDU_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
FILES = ["standard/supervision-standard.yaml", "standard/supervision-rules.md", "standard/hub-api.md",
         "legacy/README.md", "legacy/ex-template.md", "legacy/lg-schema.sql", "legacy/lg-sample.sql"]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (the province's originals) is not beside this clone")
@pytest.mark.parametrize("rel", FILES)
def test_copy_equals_the_original(rel):
    ours = PROJECT_ROOT / "standard" / rel.removeprefix("standard/")
    assert ours.read_bytes() == (SHARED / rel).read_bytes(), f"{ours} differs from {SHARED / rel}"
