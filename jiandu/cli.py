"""`jiandu`: the commands people run by hand (setup, demo, up/down, steps, tool pass-throughs)."""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

import click

from jiandu.settings import SettingsError, get_settings


def _settings():
    try:
        return get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """jiandu 监督: law-enforcement supervision data platform."""


@main.command()
@click.option("--demo/--no-demo", default=True, help="finish by running the main job on demo data")
def setup(demo: bool) -> None:
    """Create databases, roles and schemas; initialise Airflow, Superset and the services."""
    from jiandu.bootstrap import setup as do_setup  # noqa: PLC0415
    _settings()
    do_setup.run_setup()
    if demo:
        from jiandu.bootstrap import demo as do_demo  # noqa: PLC0415
        do_demo.run_demo()


@main.command()
@click.option("--cases", default=120, show_default=True, help="cases to generate across the three sources")
@click.option("--seed", default=20260301, show_default=True)
def demo(cases: int, seed: int) -> None:
    """The main job: demo data into the three sources, the pipeline DAG once, a summary."""
    from jiandu.bootstrap import demo as do_demo  # noqa: PLC0415
    _settings()
    do_demo.run_demo(cases=cases, seed=seed)


@main.command()
@click.option("--cases", required=True, type=click.IntRange(1), help="number of cases")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--as-of", "as_of", default=None, help="the generated world's today (YYYY-MM-DD)")
@click.option("--lp/--no-lp", default=True, help="also send the LP cases to the running case-entry service")
def generate(cases: int, seed: int, as_of: str | None, lp: bool) -> None:
    """Deterministic demo/benchmark data in all three sources (LG, EX files, LP through its API)."""
    from jiandu.bootstrap import demo as do_demo  # noqa: PLC0415
    s = _settings()
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    summary = do_demo.generate_sources(s, cases=cases, seed=seed, as_of=day, with_lp=lp)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


@main.command("run")
@click.argument("step", type=click.Choice(["ingest_lp", "ingest_lg", "ingest_ex", "transform", "quality_gate",
                                           "push_hub", "reconcile"]))
def run_step(step: str) -> None:
    """Run one pipeline step here, without Airflow."""
    from jiandu.pipeline.steps import STEPS  # noqa: PLC0415
    _settings()
    t0 = time.monotonic()
    out = STEPS[step]()
    click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    click.echo(f"{step}: {time.monotonic() - t0:.1f} s", err=True)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def airflow(args: tuple[str, ...]) -> None:
    """Airflow's CLI with the project's configuration (e.g. `jiandu airflow dags list`)."""
    from jiandu.bootstrap.airflow import run_airflow  # noqa: PLC0415
    _settings()
    sys.exit(run_airflow(list(args), check=False).returncode)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def dbt(args: tuple[str, ...]) -> None:
    """dbt (its own environment) against the warehouse (e.g. `jiandu dbt build -s zf10_case`)."""
    import subprocess  # noqa: PLC0415

    from jiandu.pipeline.dbt_runner import DBT_DIR, dbt_env  # noqa: PLC0415
    s = _settings()
    cmd = [str(s.dbt_executable), *args]
    if args and args[0] not in ("--version", "-h", "--help"):
        cmd += ["--project-dir", str(DBT_DIR), "--target-path", str(s.var_dir / "dbt" / "target"),
                "--log-path", str(s.var_dir / "dbt" / "logs")]
    sys.exit(subprocess.run(cmd, env=dbt_env(s)).returncode)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def superset(args: tuple[str, ...]) -> None:
    """Superset's CLI (its own environment) with the project's configuration."""
    import subprocess  # noqa: PLC0415

    from jiandu.bootstrap.superset import superset_env  # noqa: PLC0415
    s = _settings()
    sys.exit(subprocess.run([str(s.superset_executable), *args], env=superset_env(s)).returncode)


@main.group()
def dashboards() -> None:
    """Superset dashboards as code (dashboards/assets), roles and row-level security."""


@dashboards.command("import")
def dashboards_import() -> None:
    """Import dashboards/assets (overwriting by uuid), then roles, dashboard access and RLS."""
    from jiandu.bootstrap import superset as ss  # noqa: PLC0415
    ss.import_dashboards(_settings())


@dashboards.command("export")
def dashboards_export() -> None:
    """Export every dashboard from Superset into dashboards/assets (stable names, no passwords)."""
    from jiandu.bootstrap import superset as ss  # noqa: PLC0415
    ss.export_dashboards(_settings())


@dashboards.command("user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              help="监督人员, 数据管理员, 分析员, and a data scope: 数据范围-全市 or 数据范围-<区名>")
@click.password_option()
def dashboards_user(username: str, roles: tuple[str, ...], password: str) -> None:
    """Create or update a Superset user with the given roles."""
    from jiandu.bootstrap import superset as ss  # noqa: PLC0415
    ss.ensure_user(_settings(), username, password, list(roles))


@main.command()
@click.option("--only", multiple=True, help="start only these servers (names as `jiandu status` shows)")
def up(only: tuple[str, ...]) -> None:
    """Start the servers on localhost and print where each user goes."""
    from jiandu.bootstrap import servers  # noqa: PLC0415
    _settings()
    servers.up(list(only) or None)


@main.command()
def down() -> None:
    """Stop the servers `up` started."""
    from jiandu.bootstrap import servers  # noqa: PLC0415
    servers.down()


@main.command()
def status() -> None:
    """Which servers run, and where."""
    from jiandu.bootstrap import servers  # noqa: PLC0415
    servers.status()


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (passwords hidden)."""
    s = _settings()
    for name, value in s.model_dump().items():
        shown = "***" if ("password" in name or "secret" in name) and value else value
        click.echo(f"JIANDU_{name.upper()}={shown}")


@main.group()
def pg() -> None:
    """The embedded PostgreSQL (used when the machine has no server)."""


@pg.command("start")
def pg_start() -> None:
    from jiandu.bootstrap.postgres import start_embedded  # noqa: PLC0415
    start_embedded(_settings())


@pg.command("stop")
def pg_stop() -> None:
    from jiandu.bootstrap.postgres import stop_embedded  # noqa: PLC0415
    stop_embedded(_settings())


# data stewards: `jiandu steward list|show|correct|withdraw|waive|revalidate` (jiandu/steward/cli.py)
from jiandu.steward.cli import steward  # noqa: E402
main.add_command(steward)


if __name__ == "__main__":
    main()


# warning notices (jiandu/notices/cli.py): run, pending, confirm
from jiandu.notices.cli import notices as _notices  # noqa: E402

main.add_command(_notices)
