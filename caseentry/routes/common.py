"""What every route needs: a transaction, the caller, pagination."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Iterator

from fastapi import Depends, Query, Request
from sqlalchemy import Connection

from caseentry.auth import User, current_user
from caseentry.database import request_connection
from caseentry.errors import not_found
from caseentry.records import parse_case_key

CurrentUser = Annotated[User, Depends(current_user)]
Limit = Annotated[int, Query(ge=1, le=500, description="每页条数（1-500）")]
Offset = Annotated[int, Query(ge=0, description="跳过的条数")]


@contextmanager
def transaction(request: Request) -> Iterator[Connection]:
    """One short transaction: committed on success, rolled back on any error. It runs on the
    request's connection and so takes in the reads made before it (the caller's authentication)."""
    conn = request_connection(request)
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


@contextmanager
def reading(request: Request) -> Iterator[Connection]:
    """Reads on the request's connection (READ COMMITTED: each statement sees what is committed)."""
    yield request_connection(request)


def case_id_of(value: str) -> int:
    """Path ids: '12' or 'LP:12'."""
    case_id = parse_case_key(value)
    if case_id is None:
        raise not_found(f"案件“{value}”")
    return case_id
