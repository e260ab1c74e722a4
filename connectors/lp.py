"""LP, the case-entry service: its change feed into raw.lp_<entity>.

The service's cursor never skips nor repeats a change (see caseentry's change feed), but it
follows the writing transactions' ids, not their commit order: two changes of one record may
arrive newest first. So staging keeps, per key, the row with the highest record_version, never
simply the last one loaded. This connector stores the cursor of the last page it committed, in
the same transaction as the page's rows, so a run that dies midway resumes exactly where the
warehouse is.
"""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import msgspec
import psycopg
import requests
from psycopg import sql

from connectors.batches import get_position, load_batch
from connectors.http import make_session

log = logging.getLogger(__name__)

SOURCE, STREAM = "LP", "changes"
ENTITIES = ("subject", "officer", "item", "party", "case", "inspection", "penalty", "coercion",
            "case_step", "publicity")


class LPFeedError(RuntimeError):
    """A feed page that cannot be read at all: nothing of it is loaded and the cursor stays."""


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

    def changes(self, after: str | None, limit: int) -> "_Page":
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
            try:
                return _decode_page(r.content)
            except msgspec.DecodeError as exc:   # not JSON, or not the feed's shape
                raise LPFeedError(
                    f"本地执法办案平台（LP）变更流 after={after or '（起点）'} 的响应无法读取：{exc}。"
                    "游标未前移，平台修复后重跑即从这一页继续") from exc
        raise RuntimeError("unreachable")


def sync_lp(client: LPClient, conn: psycopg.Connection, *, page_size: int = 10000,
            max_pages: int | None = None) -> dict[str, int]:
    """Read the feed from the stored cursor to its end; one load batch per page.

    The next page is fetched in a background thread while this one is loaded: the service (and
    its database) serve the feed while the warehouse takes the COPY, so the two overlap instead
    of taking turns. Only the fetch runs ahead; the cursor stored is still the one of the last
    page committed, so a run that dies with a page fetched but not loaded resumes at that page.
    Pages of 10,000 (the feed's largest): each page is a batch with its own bookkeeping, and at
    1M changes 5,000 a page cost a tenth more time.
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
                changes = page.changes
                if not changes:
                    break
                pages += 1
                next_position = page.next_cursor or changes[-1].cursor
                if page.has_more and (max_pages is None or pages < max_pages):
                    pending = fetcher.submit(client.changes, next_position, page_size)
                _load_page(conn, position, changes, next_position, totals)
                position = next_position
                totals["_pages"] += 1
                if not page.has_more:
                    break
        finally:
            # A page fetched ahead of a failed load is not wanted: drop it if it has not started
            # (leaving the executor waits for one in flight, whose outcome no longer matters).
            if pending is not None:
                pending.cancel()
    return dict(totals)


class _Change(msgspec.Struct):
    """One change as the feed sends it. ``data`` stays the JSON text received: it is only stored,
    and PostgreSQL parses it once, as it lands in the jsonb column."""
    cursor: Any = None
    entity: Any = None
    key: Any = None
    op: Any = None
    changed_at: Any = None
    data: msgspec.Raw = msgspec.Raw(b"null")       # absent or null: no payload


class _Page(msgspec.Struct):
    changes: list[_Change] = msgspec.field(default_factory=list)
    next_cursor: str | None = None
    has_more: bool = False


_decode_page = msgspec.json.Decoder(_Page).decode

_canonical = msgspec.json.Encoder(order="sorted").encode


def content_hash(op: str, data: bytes | None) -> str:
    """An LP row's content hash: sha256 of the op and the payload in a canonical JSON form (keys
    sorted at every level, no spacing), so that equal content hashes equally however the feed
    spaced or ordered it. Computed here, beside the decoding, because in PostgreSQL (jsonb to
    text, then sha256) it was the largest part of the load's time."""
    body = _canonical(msgspec.json.decode(data)) if data is not None else b""
    return hashlib.sha256(op.encode("ascii") + b":" + body).hexdigest()


def _text(value: Any) -> str | None:
    """A field kept as text, whatever JSON type the feed gave it."""
    if value is None or isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode("utf-8")


def _load_page(conn: psycopg.Connection, position: str | None, changes: list[_Change], next_position: str,
               totals: dict[str, int]) -> None:
    """One page in one load batch: its rows, its set-aside records and its cursor commit together.

    The page is COPY'd once into a temporary table, then each entity's new versions go to its
    raw.lp_<entity> in one INSERT ... SELECT: a version is new when its key's previous row (in
    this page, else in the raw table) has another content hash or op, so a page read twice adds
    nothing.
    """
    with load_batch(conn, SOURCE, STREAM, position) as batch:
        read: dict[str, int] = defaultdict(int)
        unreadable: list[tuple[int, _Change]] = []
        with conn.cursor() as cur:
            cur.execute("create temporary table if not exists _in_lp (_ord bigserial, entity text, _source_key text,"
                        " _op text, _hash text, _changed_at text, _change_cursor text, payload jsonb) on commit drop")
            cur.execute("truncate _in_lp")
            with cur.copy("copy _in_lp (entity, _source_key, _op, _hash, _changed_at, _change_cursor, payload)"
                          " from stdin") as copy:
                for i, ch in enumerate(changes):
                    entity, key, op = ch.entity, ch.key, ch.op
                    if entity not in ENTITIES or not key or op not in ("upsert", "delete"):
                        unreadable.append((i, ch))   # set aside once the COPY is done (one connection)
                        continue
                    data = bytes(ch.data) if op == "upsert" else None
                    if data in (b"null", b""):
                        data = None
                    copy.write_row((entity, str(key), op, content_hash(op, data), _text(ch.changed_at),
                                    _text(ch.cursor), None if data is None else data.decode("utf-8")))
                    read[entity] += 1
            for i, ch in unreadable:
                batch.reject(f"变更流 cursor={ch.cursor}（第{i + 1}条）",
                             f"无法识别的变更记录：实体“{ch.entity}”、主键“{ch.key}”、操作“{ch.op}”，"
                             "应为已知实体的 upsert 或 delete",
                             record_key=str(ch.key) if ch.key else None, field_name="entity",
                             raw_content=msgspec.json.encode(ch).decode("utf-8")[:4000])
            for entity, count in read.items():
                cur.execute(sql.SQL(_INSERT).format(target=sql.Identifier("raw", f"lp_{entity}")),
                            {"batch_id": batch.batch_id, "extracted_at": batch.extracted_at, "entity": entity})
                batch.add_counts(count, cur.rowcount)
                totals[entity] += cur.rowcount
        batch.position_to = next_position


# record_version: the payload's own (the service's version of the record), else the change's time.
_INSERT = """
    insert into {target} (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,
                          _change_cursor, payload)
    select %(batch_id)s, i._source_key, i._op, i._hash, %(extracted_at)s,
           coalesce(i.payload ->> 'record_version', i._changed_at), i._change_cursor, i.payload
    from (
        select i.*, lag(i._hash) over w as _prev_hash, lag(i._op) over w as _prev_op
        from _in_lp i where i.entity = %(entity)s
        window w as (partition by i._source_key order by i._ord)
    ) i
    left join lateral (
        select r._content_hash, r._op from {target} r
        where r._source_key = i._source_key order by r._raw_id desc limit 1
    ) l on true
    where (i._prev_hash is null and (l._content_hash is distinct from i._hash or l._op is distinct from i._op))
       or (i._prev_hash is not null and (i._prev_hash <> i._hash or i._prev_op <> i._op))
    order by i._ord
"""


def sync_from_settings(conn: psycopg.Connection) -> dict[str, int]:
    from jiandu.settings import get_settings  # noqa: PLC0415
    s = get_settings()
    client = LPClient(s.lp_api_url, s.service_feed_user, s.service_feed_password)
    try:
        return sync_lp(client, conn)
    except requests.ConnectionError as exc:
        raise RuntimeError(f"本地执法办案平台（LP）无法连接：{s.lp_api_url}（{exc}）") from exc
