"""LP, the case-entry service: its change feed into raw.lp_<entity>.

The service's cursor never skips nor repeats a change (see caseentry's change feed), but it
follows the writing transactions' ids, not their commit order: two changes of one record may
arrive newest first. So staging keeps, per key, the row with the highest record_version, never
simply the last one loaded. This connector stores the cursor of the last page it committed, in
the same transaction as the page's rows, so a run that dies midway resumes exactly where the
warehouse is.
"""
from __future__ import annotations

import contextlib
import json
import logging
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
import requests

from connectors.batches import get_position, load_batch
from connectors.http import make_session
from connectors.raw_loader import RawRow, load_raw

log = logging.getLogger(__name__)

SOURCE, STREAM = "LP", "changes"
ENTITIES = ("subject", "officer", "item", "party", "case", "inspection", "penalty", "coercion",
            "case_step", "publicity")


class LPClient:
    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username, self.password = username, password
        self.session = make_session(timeout=timeout)
        self._token: str | None = None

    def _login(self) -> None:
        r = self.session.post(f"{self.base_url}/api/v1/auth/token",
                              json={"username": self.username, "password": self.password})
        r.raise_for_status()
        self._token = r.json()["access_token"]

    def changes(self, after: str | None, limit: int) -> dict:
        if self._token is None:
            self._login()
        params = {"limit": limit}
        if after:
            params["after"] = after
        for attempt in (1, 2):
            r = self.session.get(f"{self.base_url}/api/v1/changes", params=params,
                                 headers={"Authorization": f"Bearer {self._token}"})
            if r.status_code == 401 and attempt == 1:
                self._login()   # the token expired between pages
                continue
            r.raise_for_status()
            return r.json()
        raise RuntimeError("unreachable")


def sync_lp(client: LPClient, conn: psycopg.Connection, *, page_size: int = 5000,
            max_pages: int | None = None) -> dict[str, int]:
    """Read the feed from the stored cursor to its end; one load batch per page.

    The next page is fetched in a background thread while this one is loaded: the service (and
    its database) serve the feed while the warehouse takes the COPY, so the two overlap instead
    of taking turns. Only the fetch runs ahead; the cursor stored is still the one of the last
    page committed, so a run that dies with a page fetched but not loaded resumes at that page.
    """
    totals: dict[str, int] = defaultdict(int)
    position = get_position(conn, SOURCE, STREAM)
    conn.commit()
    pages = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-prefetch") as fetcher:
        pending: Future | None = fetcher.submit(client.changes, position, page_size)
        try:
            while pending is not None and (max_pages is None or pages < max_pages):
                page = pending.result()
                pending = None
                changes = page.get("changes") or []
                if not changes:
                    break
                pages += 1
                next_position = page.get("next_cursor") or changes[-1].get("cursor")
                if page.get("has_more") and (max_pages is None or pages < max_pages):
                    pending = fetcher.submit(client.changes, next_position, page_size)
                _load_page(conn, position, changes, next_position, totals)
                position = next_position
                totals["_pages"] += 1
                if not page.get("has_more"):
                    break
        finally:
            if pending is not None and not pending.cancel():
                # A page still in flight when loading failed: wait for it (its outcome no longer
                # matters) so that the client is not left in use by a thread nobody waits for.
                with contextlib.suppress(Exception):
                    pending.result()
    return dict(totals)


def _load_page(conn: psycopg.Connection, position: str | None, changes: list[dict], next_position: str,
               totals: dict[str, int]) -> None:
    """One page in one load batch: its rows, its set-aside records and its cursor commit together."""
    with load_batch(conn, SOURCE, STREAM, position) as batch:
        by_entity: dict[str, list[RawRow]] = defaultdict(list)
        for i, ch in enumerate(changes):
            entity, key, op = ch.get("entity"), ch.get("key"), ch.get("op")
            if entity not in ENTITIES or not key or op not in ("upsert", "delete"):
                batch.reject(f"变更流 cursor={ch.get('cursor')}（第{i + 1}条）",
                             f"无法识别的变更记录：实体“{entity}”、主键“{key}”、操作“{op}”，应为已知实体的 upsert 或 delete",
                             record_key=str(key) if key else None, field_name="entity",
                             raw_content=json.dumps(ch, ensure_ascii=False)[:4000])
                continue
            data = ch.get("data") if op == "upsert" else None
            version = (data or {}).get("record_version") or ch.get("changed_at")
            by_entity[entity].append(RawRow(source_key=str(key), values={"payload": data}, op=op,
                                            record_version=version,
                                            extra={"_change_cursor": ch.get("cursor")}))
        for entity, rows in by_entity.items():
            counts = load_raw(conn, f"lp_{entity}", ["payload"], rows, batch_id=batch.batch_id,
                              extracted_at=batch.extracted_at, extra_columns=["_change_cursor"])
            batch.add_counts(counts.read, counts.loaded)
            totals[entity] += counts.loaded
        batch.position_to = next_position


def sync_from_settings(conn: psycopg.Connection) -> dict[str, int]:
    from jiandu.settings import get_settings  # noqa: PLC0415
    s = get_settings()
    client = LPClient(s.lp_api_url, s.service_feed_user, s.service_feed_password)
    try:
        return sync_lp(client, conn)
    except requests.ConnectionError as exc:
        raise RuntimeError(f"本地执法办案平台（LP）无法连接：{s.lp_api_url}（{exc}）") from exc
