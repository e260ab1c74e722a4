"""`make docs`: the analysts' catalogue. dbt docs generate must describe the standard layer in
Chinese (from the live database's comments and the model yml), and dbt docs serve must serve it."""
from __future__ import annotations

import json
import socket
import subprocess
import time

import requests

from dbt_support import DBT_BIN, DBT_DIR, dbt_env, explain, run_dbt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_docs_generate_and_serve(built_warehouse, tmp_path):
    proc = run_dbt(["docs", "generate"], tmp_path, built_warehouse.url)
    assert proc.returncode == 0, explain(proc)
    target = tmp_path / "target"
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))

    node = catalog["nodes"]["model.jiandu.zf10_case"]
    # the catalogue reads the table from PostgreSQL: persist_docs put the Chinese comments there
    assert node["metadata"]["schema"] == "standard"
    assert node["metadata"]["comment"], "zf10_case has no table comment in the database"
    case_id = node["columns"]["case_id"]
    assert case_id["comment"] and any("\u4e00" <= ch <= "\u9fff" for ch in case_id["comment"]), case_id
    described = manifest["nodes"]["model.jiandu.zf10_case"]["columns"]
    assert all(c.get("description") for c in described.values()), \
        [n for n, c in described.items() if not c.get("description")]

    port = _free_port()
    server = subprocess.Popen(
        [str(DBT_BIN), "docs", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-browser",
         "--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_DIR, env=dbt_env(built_warehouse.url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "dbt docs serve did not answer within 60 s"
                time.sleep(0.3)
        assert page.status_code == 200 and "dbt" in page.text.lower()
        served = requests.get(f"http://127.0.0.1:{port}/catalog.json", timeout=5).json()
        assert "model.jiandu.zf10_case" in served["nodes"]
    finally:
        server.terminate()
        server.wait(timeout=20)
