"""A case read in one round trip (parts as JSON, rowjson.py) must equal what one plain SELECT per
part returns, value for value and type for type: the rules compare old and new values, and a
float where a Decimal was, or a string where a datetime was, would look like a change."""
from __future__ import annotations

from sqlalchemy import select

from caseentry import tables as t
from caseentry.cases import load_refs, load_state, load_view
from caseentry.database import make_engine


def _typed(conn, table, column, value, order=None):
    q = select(table).where(table.c[column] == value)
    if order is not None:
        q = q.order_by(order)
    return [dict(r) for r in conn.execute(q).mappings()]


def _same(a, b):
    assert a == b
    for key in a:
        assert type(a[key]) is type(b[key]), (key, a[key], b[key])


def test_every_case_reads_as_plain_selects(db_url, officer, world):
    # the session's other tests have entered cases of every type with their parts; make sure at
    # least one penalty with amounts and steps exists whatever ran before
    from service_support import case_body
    officer.post("/api/v1/cases", json=case_body(world, "2"))
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ids = list(conn.execute(select(t.enforcement_case.c.id)).scalars())
            assert ids
            for case_id in ids:
                state = load_state(conn, case_id)
                _same(state.case, _typed(conn, t.enforcement_case, "id", case_id)[0])
                for part, table in (("inspection", t.inspection), ("penalty", t.penalty),
                                    ("publicity", t.publicity)):
                    rows = _typed(conn, table, "case_id", case_id)
                    got = getattr(state, part)
                    if rows:
                        _same(got, rows[0])
                    else:
                        assert got is None
                for got, want in zip(state.coercion, _typed(conn, t.coercion, "case_id", case_id,
                                                            t.coercion.c.measure_seq), strict=True):
                    _same(got, want)
                for got, want in zip(state.steps, _typed(conn, t.case_step, "case_id", case_id, t.case_step.c.seq),
                                     strict=True):
                    _same(got, want)
                refs = load_refs(conn, state)
                # the API's view reads the case and the names it shows in one statement: the same
                view_state, view_refs = load_view(conn, case_id)
                assert view_state == state
                for got, want in ((view_refs.subject, refs.subject), (view_refs.item, refs.item),
                                  (view_refs.party, refs.party)):
                    if want is None:
                        assert got is None
                    else:
                        _same(got, want)
                assigned = state.case["assigned_to"]
                assert view_refs.assignee == (conn.execute(select(t.app_user.c.username).where(
                    t.app_user.c.id == assigned)).scalar_one() if assigned is not None else None)
                for ref, table, column, value in ((refs.subject, t.subject, "subject_code", state.case["subject_code"]),
                                                  (refs.item, t.item, "item_code", state.case["item_code"]),
                                                  (refs.party, t.party, "party_id", state.case["party_id"])):
                    rows = _typed(conn, table, column, value) if value else []
                    if rows:
                        _same(ref, rows[0])
                    else:
                        assert ref is None
                for cert, officer_row in refs.officers.items():
                    _same(officer_row, _typed(conn, t.officer, "cert_no", cert)[0])
    finally:
        engine.dispose()
