"""Every write of a published record, its audit entry and its change-feed entry, together.

Writing
-------
All inserts, updates and deletes of the published entities go through ``ChangeLog``, inside the
request's transaction. For each changed row it

1. sets ``record_version``: now, to the second, but at least one second after the row's previous
   version. The row is locked by the write itself, so versions of one record strictly increase in
   commit order even when two writes fall in the same second; the hub counts an equal version as
   stale and would drop the second change.
2. appends the row's new content, in the standard's form, to ``change_outbox``;
3. appends who/when/before/after to ``audit_log`` (personal data masked).

The outbox and audit rows of a transaction are collected and written by one statement just
before it commits (a ``commit`` event of the engine), not one statement each as they arise: a
registered case is three records, and six extra round trips were most of its latency. Because
all three still happen in the writer's transaction, a change is published exactly when it
commits, and never when it rolls back (a rollback drops what was collected).

Reading (the guarantee)
-----------------------
``change_outbox`` rows are keyed by (xid, seq): xid is ``pg_current_xact_id()``, the 64-bit id of
the writing transaction; seq comes from a sequence. Ids are handed out in increasing order, but
transactions commit in any order, so a row with a smaller key can become visible after a larger
one has been read: a reader that simply followed ``id > last_id`` would skip it forever.

The reader therefore serves only rows below a horizon H such that no row below H can ever appear
later. The textbook horizon is ``pg_snapshot_xmin(pg_current_snapshot())``, the oldest
transaction still running anywhere in the PostgreSQL cluster: every transaction with a smaller xid
has ended, and every later one gets a larger xid. It is safe but cluster-wide: on a server shared
with the warehouse, one long COPY or dbt build in another database would hold this feed back for
its whole duration. So the horizon here is the same rule restricted to the transactions that can
write this database's outbox, i.e. those connected to this database:

    H = least( xmax of a snapshot S1,
               the smallest xid in S1's in-progress list that belongs to a session (or a
               prepared transaction) of this database, read after S1 was taken )

and the rows are then read with a later snapshot S2, keeping those with xid < H. Why nothing is
skipped: take a writer X of this database with xid x < H. Since x < xmax(S1), x was assigned
before S1. If X had still been running when the sessions were read (after S1), its backend would
have shown backend_xid = x, x would be in S1's in-progress list, and H <= x. So X had ended before
the sessions were read, hence before S2: its rows, if it committed, are all visible to S2, and
none can appear later. Rows of transactions at or above H are simply served on a later call.
Serving the rows below H in (xid, seq) order from the cursor on therefore never skips and never
repeats a change, however commits interleave. (``pg_stat_clear_snapshot()`` first, so that the
session list is read now and not from a copy cached earlier in the transaction.)

A long-running write transaction *of this service* still holds the feed back until it ends, so
write transactions are kept short: one request each.

Order within a key: two transactions that change the same record are serialised by its row lock,
but their xids need not be in that order (a transaction can get its xid before waiting for the
lock), so the feed may list a record's newer change before its older one. Their record_versions
are always in the true order: consumers keep, per key, the change with the highest
record_version, exactly as the hub does.
"""
from __future__ import annotations

import functools
import json
import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import Connection, Engine, Table, and_, event, literal_column, select, text

from caseentry import tables as t
from caseentry.masking import mask_record
from caseentry.records import record_key, to_standard

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000

PUBLISHED: dict[str, Table] = {
    "subject": t.subject, "officer": t.officer, "item": t.item, "party": t.party,
    "case": t.enforcement_case, "inspection": t.inspection, "penalty": t.penalty,
    "coercion": t.coercion, "case_step": t.case_step, "publicity": t.publicity,
}

# Now, cut to the second (the standard's datetimes have no fraction), but never at or before the
# row's previous version. Evaluated under the row lock the UPDATE/DELETE holds.
_NEXT_VERSION = ("greatest(date_trunc('second', clock_timestamp()),"
                 " {table}.record_version + interval '1 second')")
_FIRST_VERSION = "date_trunc('second', clock_timestamp())"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str


SYSTEM = Actor(None, "system")


class ChangeLog:
    """Writes published rows with their version, outbox entry and audit entry."""

    def __init__(self, conn: Connection, actor: Actor):
        self.conn = conn
        self.actor = actor
        _watch(conn.engine)

    # --- writes --------------------------------------------------------------------------
    def insert(self, entity: str, values: Mapping[str, Any]) -> dict[str, Any]:
        # One statement per entity, the values passed as parameters: building .values(**values)
        # anew on every call cost more Python time than the insert's round trip.
        row = dict(self.conn.execute(_insert_statement(entity), dict(values)).mappings().one())
        self._publish(entity, "insert", None, row)
        return row

    def update(self, entity: str, key: Mapping[str, Any], values: Mapping[str, Any],
               *, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Update the row with ``key``; a no-op (no version, no outbox) when nothing differs."""
        table = PUBLISHED[entity]
        before = dict(current) if current is not None else self._load(table, key)
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if not changed:
            return before
        stmt = (table.update()
                .where(_key_clause(table, key))
                .values(**changed, record_version=literal_column(_NEXT_VERSION.format(table=table.name)))
                .returning(*table.c))
        row = dict(self.conn.execute(stmt).mappings().one())
        self._publish(entity, "update", before, row)
        return row

    def delete(self, entity: str, key: Mapping[str, Any]) -> None:
        table = PUBLISHED[entity]
        before = self._load(table, key, lock=True)
        version = self.conn.execute(
            select(literal_column(_NEXT_VERSION.format(table=table.name))).where(_key_clause(table, key))
        ).scalar_one()
        self.conn.execute(table.delete().where(_key_clause(table, key)))
        data = to_standard(entity, before)
        rkey = record_key(entity, data)
        _pending(self.conn).outbox.append(
            {"entity": entity, "record_key": rkey, "op": "delete", "changed_at": version, "data": None})
        self._audit("delete", entity, rkey, data, None)

    def audit_only(self, action: str, entity: str, key: str, before: Any, after: Any) -> None:
        """For records the feed does not publish (users)."""
        _pending(self.conn).audit.append(
            {"actor_user_id": self.actor.user_id, "actor_username": self.actor.username,
             "action": action, "entity": entity, "record_key": key, "before": before, "after": after})

    # --- internals -----------------------------------------------------------------------
    def _load(self, table: Table, key: Mapping[str, Any], lock: bool = False) -> dict[str, Any]:
        stmt = select(table).where(_key_clause(table, key))
        if lock:
            stmt = stmt.with_for_update()
        return dict(self.conn.execute(stmt).mappings().one())

    def _publish(self, entity: str, action: str, before: Mapping[str, Any] | None,
                 row: Mapping[str, Any]) -> None:
        data = to_standard(entity, row)
        rkey = record_key(entity, data)
        _pending(self.conn).outbox.append(
            {"entity": entity, "record_key": rkey, "op": "upsert", "changed_at": row["record_version"], "data": data})
        self._audit(action, entity, rkey, to_standard(entity, before) if before else None, data)

    def _audit(self, action: str, entity: str, rkey: str, before: dict | None, after: dict | None) -> None:
        self.audit_only(action, entity, rkey,
                        mask_record(entity, before) if before else None,
                        mask_record(entity, after) if after else None)


@functools.cache
def _insert_statement(entity: str):
    table = PUBLISHED[entity]
    return table.insert().values(record_version=literal_column(_FIRST_VERSION)).returning(*table.c)


def _key_clause(table: Table, key: Mapping[str, Any]):
    return and_(*(table.c[k] == v for k, v in key.items()))


# --- collected rows, written at commit -------------------------------------------------------

@dataclass
class _Pending:
    outbox: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


# Keyed by the Connection (one checkout), so nothing collected can outlive it into another use
# of the same pooled database connection.
_PENDING: "weakref.WeakKeyDictionary[Connection, _Pending]" = weakref.WeakKeyDictionary()

# One statement for all of a transaction's outbox and audit rows. ``n`` keeps the outbox's
# sequence in the order the changes were made.
_FLUSH = text("""
    with outbox as (
        insert into change_outbox (entity, record_key, op, changed_at, data)
        select x.entity, x.record_key, x.op, x.changed_at, x.data
          from jsonb_to_recordset(cast(:outbox as jsonb))
               as x(n integer, entity text, record_key text, op text, changed_at timestamptz, data jsonb)
         order by x.n)
    insert into audit_log (actor_user_id, actor_username, action, entity, record_key, before, after)
    select x.actor_user_id, x.actor_username, x.action, x.entity, x.record_key, x.before, x.after
      from jsonb_to_recordset(cast(:audit as jsonb))
           as x(n integer, actor_user_id bigint, actor_username text, action text, entity text,
                record_key text, before jsonb, after jsonb)
     order by x.n
""")


def _pending(conn: Connection) -> _Pending:
    pending = _PENDING.get(conn)
    if pending is None:
        pending = _PENDING[conn] = _Pending()
    return pending


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def flush(conn: Connection) -> None:
    """Write what the connection's transaction collected (also done by the commit event)."""
    pending = _PENDING.pop(conn, None)
    if pending is None or not (pending.outbox or pending.audit):
        return
    conn.execute(_FLUSH, {
        "outbox": json.dumps([{"n": i, **r} for i, r in enumerate(pending.outbox)], default=_json_default,
                             ensure_ascii=False),
        "audit": json.dumps([{"n": i, **r} for i, r in enumerate(pending.audit)], default=_json_default,
                            ensure_ascii=False)})


def _discard(conn: Connection) -> None:
    _PENDING.pop(conn, None)


def _watch(engine: Engine) -> None:
    """Flush before every commit and forget on rollback, on whatever engine a ChangeLog is used."""
    if not event.contains(engine, "commit", flush):
        event.listen(engine, "commit", flush)
        event.listen(engine, "rollback", _discard)


# --- the feed ------------------------------------------------------------------------------

_CURSOR_RE = re.compile(r"^(\d{1,20})\.(\d{1,20})$")


@dataclass(frozen=True)
class Cursor:
    xid: int
    seq: int

    def __str__(self) -> str:
        return f"{self.xid}.{self.seq}"

    @classmethod
    def parse(cls, value: str) -> "Cursor":
        m = _CURSOR_RE.match(value.strip())
        if not m:
            raise ValueError(value)
        return cls(int(m[1]), int(m[2]))


ZERO = Cursor(0, 0)

# The horizon (see the module docstring). pg_current_snapshot() is this statement's snapshot S1;
# the session list is read while the statement runs, after S1 was taken. backend_xid is a 32-bit
# xid: matched against the low 32 bits of the 64-bit ids in S1's in-progress list.
_HORIZON = text("""
    with snap as (select pg_current_snapshot() as s),
    ours as (
        select backend_xid::text::bigint as xid32 from pg_stat_activity
         where datname = current_database() and backend_xid is not null
        union all
        select transaction::text::bigint from pg_prepared_xacts where database = current_database()
    )
    select least(
        (select pg_snapshot_xmax(s) from snap),
        (select min(x) from snap, pg_snapshot_xip(snap.s) as x
          where (x::text::numeric % 4294967296)::bigint in (select xid32 from ours))
    )::text
""")

# Read with a later snapshot S2 (READ COMMITTED takes a new one per statement). Each change is
# rendered as its JSON item by PostgreSQL itself: decoding every jsonb payload into Python dicts
# and encoding it again was most of a page's time. changed_at as the API writes datetimes
# (timefmt: China Standard Time, a fixed +08:00, to the second); "data" only for an upsert. As
# UTF-8 bytes (convert_to; a cast to bytea would read backslashes as escapes), so that a page is
# joined as bytes, never decoded; fetched in binary (bytea in the text protocol is hex, whose
# decoding cost a third of the page's time).
_READ = """
    select c.cursor,
           convert_to(case when o.op = 'upsert'
                then json_build_object('cursor', c.cursor, 'entity', o.entity, 'key', o.record_key, 'op', o.op,
                                       'changed_at', c.changed_at, 'data', o.data)
                else json_build_object('cursor', c.cursor, 'entity', o.entity, 'key', o.record_key, 'op', o.op,
                                       'changed_at', c.changed_at)
           end::text, 'UTF8') as item
    from change_outbox o,
         lateral (select o.xid::text || '.' || o.seq::text as cursor,
                         to_char(date_trunc('second', o.changed_at at time zone 'UTC') + interval '8 hours',
                                 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') as changed_at) c
    where (o.xid, o.seq) > (cast(%(xid)s as xid8), %(seq)s)
      and o.xid < cast(%(horizon)s as xid8)
    order by o.xid, o.seq
    limit %(limit)s
"""


def horizon(conn: Connection) -> int:
    """Every outbox row below this xid that will ever exist is visible now."""
    conn.execute(text("select pg_stat_clear_snapshot()"))
    return int(conn.execute(_HORIZON).scalar_one())


@dataclass(frozen=True)
class ChangePage:
    items: list[bytes]        # each change as its JSON object in UTF-8, rendered by PostgreSQL
    last: Cursor | None       # the cursor of the last item
    has_more: bool            # more changes are ready now

    def json(self, after: str | None) -> bytes:
        """The feed's response body: {"changes": [...], "next_cursor": ..., "has_more": ...}."""
        next_cursor = str(self.last) if self.last else (after or None)
        return b"".join((b'{"changes":[', b",".join(self.items), b'],"next_cursor":',
                         json.dumps(next_cursor).encode("ascii"), b',"has_more":',
                         b"true" if self.has_more else b"false", b"}"))


def read_changes(conn: Connection, after: Cursor | None, limit: int) -> ChangePage:
    """Up to ``limit`` changes after ``after`` and whether more are ready now."""
    # The proof needs a fresh snapshot per statement; REPEATABLE READ would reuse S1 and skip.
    if conn.get_isolation_level() != "READ COMMITTED":
        raise RuntimeError("the change feed must be read at READ COMMITTED")
    start = after or ZERO
    bound = horizon(conn)
    with conn.connection.driver_connection.cursor(binary=True) as cur:   # psycopg, on this transaction
        rows = cur.execute(_READ, {"xid": str(start.xid), "seq": start.seq, "horizon": str(bound),
                                   "limit": limit + 1}).fetchall()
    page = rows[:limit]
    return ChangePage([item for _, item in page], Cursor.parse(page[-1][0]) if page else None, len(rows) > limit)
