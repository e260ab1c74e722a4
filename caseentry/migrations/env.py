"""Alembic environment of the case-entry service; run through ``caseentry.migrate``.

Online only: the service's database is PostgreSQL, reached with the URL that ``caseentry.migrate``
passes in ``config.attributes`` (not through alembic.ini, whose interpolation would mangle a '%'
in a password).
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from caseentry.database import normalise_url
from caseentry.tables import metadata

# One upgrade at a time: a second process waits, then finds nothing left to do.
_LOCK = "select pg_advisory_xact_lock(hashtext('caseentry.migrate'))"


def run() -> None:
    config = context.config
    url = normalise_url(config.attributes["database_url"])
    engine = create_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata,
                              transaction_per_migration=False)
            with context.begin_transaction():
                connection.execute(text(_LOCK))
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("caseentry migrations run online only (caseentry.migrate.upgrade)")
run()
