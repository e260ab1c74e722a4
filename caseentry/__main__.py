"""``python -m caseentry``: serve the case-entry service (and small admin commands).

    python -m caseentry                  migrate, then serve on JIANDU_SERVICE_HOST:JIANDU_SERVICE_PORT
    python -m caseentry serve [--no-migrate]
    python -m caseentry migrate
    python -m caseentry ensure-user USERNAME --role pipeline   (password from JIANDU_USER_PASSWORD or a prompt)

Settings are read when the command runs (jiandu.settings), never at import.
"""
from __future__ import annotations

import os
import sys

import click


def _settings():
    from jiandu.settings import SettingsError, load_settings
    try:
        return load_settings()
    except SettingsError as err:
        raise click.ClickException(str(err)) from None


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--no-migrate", is_flag=True, help="do not bring the schema up to date first")
def serve(no_migrate: bool) -> None:
    """Serve the API and web UI with uvicorn."""
    settings = _settings()
    if not settings.service_secret_key:
        raise click.ClickException("JIANDU_SERVICE_SECRET_KEY is empty: the service needs a secret to sign tokens")
    import uvicorn

    from caseentry.app import create_app
    from caseentry.migrate import upgrade

    if not no_migrate:
        upgrade(settings.service_db_url)
    app = create_app(settings.service_db_url, settings.service_secret_key)
    uvicorn.run(app, host=settings.service_host, port=settings.service_port, log_level="info")


@main.command()
def migrate() -> None:
    """Bring the service's database schema up to date."""
    from caseentry.migrate import upgrade
    upgrade(_settings().service_db_url)
    click.echo("caseentry schema up to date")


@main.command("ensure-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["officer", "leader", "legal_reviewer", "supervisor",
                                                            "admin", "pipeline"]))
@click.option("--subject-code", default=None, help="the unit, for every role but admin and pipeline")
@click.option("--full-name", default=None, help="姓名; required for a leader, who signs approvals with it")
def ensure_user_command(username: str, role: str, subject_code: str | None, full_name: str | None) -> None:
    """Create the user or reset its password."""
    from caseentry.users import ensure_user
    password = os.environ.get("JIANDU_USER_PASSWORD") or click.prompt("password", hide_input=True,
                                                                       confirmation_prompt=True)
    try:
        ensure_user(_settings().service_db_url, username, password, role, subject_code, full_name)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"user {username} ({role}) ready")


if __name__ == "__main__":
    sys.exit(main())
