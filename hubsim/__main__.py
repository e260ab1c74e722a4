"""``python -m hubsim``: serve the hub simulator on the configured address.

Address, database and the one client come from jiandu's settings (JIANDU_HUB_SIM_HOST,
JIANDU_HUB_SIM_PORT, the hub_db database, JIANDU_HUB_CLIENT_ID / JIANDU_HUB_CLIENT_SECRET),
read when it starts. The simulator's own knobs are options, or HUBSIM_* environment variables:
token lifetime, rate limit, and the fault configuration it starts with (JSON, see hubsim.faults).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import psycopg
import uvicorn
from psycopg import sql
from sqlalchemy.engine import make_url

from jiandu.db import libpq_url
from jiandu.settings import SettingsError, get_settings

from hubsim.app import create_app
from hubsim.faults import FaultConfig
from hubsim.server import uvicorn_config


def _create_database(admin_url: str, database_url: str) -> None:
    url = make_url(database_url)
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (url.database,)).fetchone():
            return
        conn.execute(sql.SQL("create database {} owner {} template template0 encoding 'UTF8'").format(
            sql.Identifier(url.database), sql.Identifier(url.username)))
        print(f"hubsim: created database {url.database}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m hubsim", description=__doc__.split("\n")[0])
    p.add_argument("--token-ttl", type=int, default=int(env("HUBSIM_TOKEN_TTL", "3600")),
                   help="token lifetime in seconds (HUBSIM_TOKEN_TTL, default 3600)")
    p.add_argument("--rate-limit-per-minute", type=int,
                   default=int(env("HUBSIM_RATE_LIMIT_PER_MINUTE", "0")) or None,
                   help="429 beyond this many calls a minute (HUBSIM_RATE_LIMIT_PER_MINUTE; default none)")
    p.add_argument("--faults", default=env("HUBSIM_FAULTS", ""),
                   help="JSON fault configuration to start with (HUBSIM_FAULTS), e.g. '{\"unavailable\": {\"count\": 2}}'")
    p.add_argument("--create-database", action="store_true",
                   help="create the hub database first if it does not exist (uses the admin connection)")
    p.add_argument("--log-level", default=env("HUBSIM_LOG_LEVEL", "info"))
    args = p.parse_args(argv)

    try:
        s = get_settings()
    except SettingsError as err:
        print(err, file=sys.stderr)
        return 2
    try:
        faults = FaultConfig.model_validate(json.loads(args.faults)) if args.faults else None
    except ValueError as err:
        print(f"hubsim: bad --faults / HUBSIM_FAULTS: {err}", file=sys.stderr)
        return 2
    if not s.hub_client_secret:
        print("hubsim: warning: JIANDU_HUB_CLIENT_SECRET is empty; the client authenticates with an empty secret",
              file=sys.stderr)
    try:
        if args.create_database:
            _create_database(s.admin_url, s.hub_db_url)
        app = create_app(s.hub_db_url, {s.hub_client_id: s.hub_client_secret},
                         token_ttl=args.token_ttl, rate_limit_per_minute=args.rate_limit_per_minute)
    except psycopg.OperationalError as err:
        print(f"hubsim: cannot open the hub database ({s.hub_db}): {err}".rstrip(), file=sys.stderr)
        return 1
    if faults is not None:
        app.state.faults.configure(faults)
    uvicorn.Server(uvicorn_config(app, host=s.hub_sim_host, port=s.hub_sim_port, log_level=args.log_level,
                                  access_log=args.log_level == "debug")).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
