"""The environment the compose files give each service, against what the code reads.

Forward: every variable a service receives is read by something: a field of jiandu/settings.py
(JIANDU_*), an option of Airflow's configuration (AIRFLOW__SECTION__KEY, checked against
Airflow's own configuration description, providers included), a variable the deployment's
scripts or the Superset configuration read, or a documented variable of a third-party image.

Reverse: every setting the code needs in a container is given to the service that runs it. What
each role needs is read from the code (the settings attributes its entry points use, derived
properties expanded), not listed by hand; only settings whose default is right in a container
may be left out, each with its reason.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest

from deploy_support import DOCKER_DIR, VENV, resolved
from jiandu.settings import PROJECT_ROOT, Settings

STACKS = [["compose.yaml", "--profile", "dev"], ["compose.yaml", "compose.scale.yaml"],
          ["compose.worker-host.yaml"]]

# Variables of third-party images and tools, as their documentation names them.
DOCUMENTED = {
    "AIRFLOW_HOME": "Airflow's home folder",
    "PYTHONPATH": "Python: the project runs from its source tree",
    "POSTGRES_USER": "postgres image", "POSTGRES_PASSWORD": "postgres image",
    "POSTGRES_INITDB_ARGS": "postgres image", "PGDATA": "postgres image and PostgreSQL",
    "PGUSER": "libpq: the role pg_dump and pg_restore connect as",
    "REDISCLI_AUTH": "redis-cli: the password, kept off the command line",
    "SUPERSET_CONFIG_PATH": "Superset: the configuration file", "SUPERSET_HOME": "Superset: its data folder",
}

# Settings left at their default in the containers, and why that default is right there.
DEFAULT_IS_RIGHT = {
    "dbt_executable": "the image installs dbt at the default path, PROJECT_ROOT/.venvs/dbt/bin/dbt",
    "superset_executable": "only `jiandu setup` on a host uses it; the Superset image runs superset itself",
    "airflow_port": "only `make up` uses it; in compose the api-server's command names its port",
    "superset_port": "only `make up` uses it; in compose gunicorn's command names its port",
    "hub_timeout_seconds": "behaviour fixed by standard/hub-api.md, not by the environment",
    "hub_max_attempts": "behaviour, not environment",
    "hub_circuit_failures": "behaviour, not environment",
    "notice_timeout_seconds": "behaviour, not environment",
    "notice_lookback_days": "behaviour, not environment",
    "notice_max_event_age_days": "behaviour, not environment",
}

# What runs in each service: (file, functions or None for the whole file). The settings these
# read are what the service must be given.
ROLE_CODE = {
    "airflow-worker": [("jiandu/pipeline/steps.py", None), ("jiandu/pipeline/dbt_runner.py", None),
                       ("jiandu/db.py", None), ("connectors/lp.py", ["sync_from_settings"])],
    "caseentry": [("docker/app/caseentry_asgi.py", None)],
    "hubsim": [("hubsim/__main__.py", ["main"])],
    "init": [("docker/bin/jiandu-init", None),
             ("jiandu/bootstrap/postgres.py", ["ensure_roles_and_databases", "grant_readers"])],
}


# Settings a role's code reads only on a path compose does not take.
NOT_ON_THIS_PATH = {
    "airflow-worker": {"service_host": "lp_api_url falls back to them only when JIANDU_SERVICE_URL is empty",
                       "service_port": "idem"},
    "hubsim": {"pg_admin_user": "only with --create-database; init creates the hub database",
               "pg_admin_password": "idem"},
}


def field_env(name: str) -> str:
    return "JIANDU_" + name.upper()


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, str]]:
    """{service: its environment} over every stack (a service in two stacks: the union)."""
    out: dict[str, dict[str, str]] = {}
    for stack in STACKS:
        for name, svc in resolved(stack)["services"].items():
            out.setdefault(name, {}).update(svc.get("environment") or {})
    return out


@pytest.fixture(scope="module")
def airflow_options(tmp_path_factory) -> set[str]:
    probe = ("import json; from airflow.configuration import conf; conf.load_providers_configuration();"
             "print('@@' + json.dumps({s: list(d['options']) for s, d in conf.configuration_description.items()}))")
    proc = subprocess.run([str(VENV / "bin" / "python"), "-c", probe], capture_output=True, text=True, timeout=180,
                          env={"PATH": "/usr/bin:/bin", "AIRFLOW_HOME": str(tmp_path_factory.mktemp("airflow_home"))})
    line = next((l for l in proc.stdout.splitlines() if l.startswith("@@")), None)
    assert line, proc.stderr[-3000:]
    return {f"AIRFLOW__{s.upper()}__{o.upper()}" for s, opts in json.loads(line[2:]).items() for o in opts}


def read_by_deployment_code() -> set[str]:
    """Variables the deployment's own scripts and the Superset configuration read."""
    names: set[str] = set()
    py = [DOCKER_DIR / "superset" / "superset_config_docker.py", PROJECT_ROOT / "dashboards" / "superset_config.py",
          DOCKER_DIR / "bin" / "jiandu-init"]
    for path in py:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"""os\.environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]*)["']""", text))
        names |= set(re.findall(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']""", text))
    sh = [DOCKER_DIR / "superset" / "superset-init", *DOCKER_DIR.glob("postgres/**/*.sh")]
    for path in sh:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text))
        names |= set(re.findall(r"""e(?:\.get)?[\[(]["']([A-Z][A-Z0-9_]*)["']""", text))
    return names


def test_every_variable_passed_is_read_by_something(services, airflow_options):
    fields = {field_env(f) for f in Settings.model_fields}
    scripts = read_by_deployment_code()
    unknown = []
    for service, env in services.items():
        for var in env:
            if var.startswith("JIANDU_"):
                ok = var in fields or var in scripts
            elif var.startswith("AIRFLOW__"):
                ok = var in airflow_options
            else:
                ok = var in DOCUMENTED or var in scripts
            if not ok:
                unknown.append(f"{service}: {var}")
    assert not unknown, "passed but read by nothing:\n" + "\n".join(sorted(unknown))


def test_the_check_catches_an_unknown_variable(airflow_options):
    # the forward check is only as good as its sources: a misspelt name must not pass
    assert "AIRFLOW__CORE__EXECUTOR" in airflow_options
    assert "AIRFLOW__CORE__EXECUTER" not in airflow_options
    assert field_env("pipeline_password") in {field_env(f) for f in Settings.model_fields}
    assert "JIANDU_PIPELINE_PASSWD" not in {field_env(f) for f in Settings.model_fields}


def _property_fields() -> dict[str, set[str]]:
    """Settings' derived properties and methods -> the fields they read (recursively)."""
    tree = ast.parse((PROJECT_ROOT / "jiandu" / "settings.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    direct = {}
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef):
            direct[fn.name] = {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                               and isinstance(n.value, ast.Name) and n.value.id == "self"}
    # the URL builders take the database, user and password as arguments: only host and port are theirs
    resolved: dict[str, set[str]] = {}

    def expand(name: str, seen=()) -> set[str]:
        out = set()
        for attr in direct.get(name, ()):
            if attr in Settings.model_fields:
                out.add(attr)
            elif attr in direct and attr not in seen:
                out |= expand(attr, (*seen, name))
        return out
    for name in direct:
        resolved[name] = expand(name)
    return resolved


def needed_by(role: str) -> set[str]:
    props = _property_fields()
    needed: set[str] = set()
    for rel, functions in ROLE_CODE[role]:
        tree = ast.parse((PROJECT_ROOT / rel).read_text(encoding="utf-8"))
        nodes = [tree] if functions is None else [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in functions]
        assert functions is None or len(nodes) == len(functions), f"{rel}: {functions} not all found"
        for node in nodes:
            for n in ast.walk(node):
                if isinstance(n, ast.Attribute) and (
                        (isinstance(n.value, ast.Name) and n.value.id in ("s", "settings"))
                        or (isinstance(n.value, ast.Call) and getattr(n.value.func, "id", "") == "get_settings")):
                    if n.attr in Settings.model_fields:
                        needed.add(n.attr)
                    elif n.attr in props:
                        needed |= props[n.attr]
    return needed


@pytest.mark.parametrize("role", ROLE_CODE)
def test_each_service_is_given_what_its_code_reads(services, role):
    needed = needed_by(role)
    assert needed, f"found no settings read by {role}'s code: the scan is broken"
    given = {var for var in services[role] if var.startswith("JIANDU_")}
    skipped = NOT_ON_THIS_PATH.get(role, {})
    missing = sorted(field_env(f) for f in needed - set(DEFAULT_IS_RIGHT) - set(skipped) if field_env(f) not in given)
    assert not missing, f"{role} reads these settings but compose does not set them: {missing}"
    assert set(skipped) <= needed, f"NOT_ON_THIS_PATH[{role}] names settings its code no longer reads"
    if role == "airflow-worker":
        assert services[role].get("JIANDU_SERVICE_URL"), "the worker's LP address must be explicit"


def test_every_setting_is_set_somewhere_or_its_default_is_right(services):
    given = {var for env in services.values() for var in env}
    missing = sorted(field_env(f) for f in Settings.model_fields
                     if f not in DEFAULT_IS_RIGHT and field_env(f) not in given)
    assert not missing, f"settings no compose service sets (set them, or add a reason to DEFAULT_IS_RIGHT): {missing}"
    stale = sorted(set(DEFAULT_IS_RIGHT) - set(Settings.model_fields))
    assert not stale, f"DEFAULT_IS_RIGHT names settings that no longer exist: {stale}"


def test_superset_services_get_what_its_configuration_requires(services):
    required = set()
    for path in (DOCKER_DIR / "superset" / "superset_config_docker.py", PROJECT_ROOT / "dashboards" / "superset_config.py"):
        required |= set(re.findall(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]""", path.read_text(encoding="utf-8")))
    assert required
    for name in ("superset", "superset-worker", "superset-beat", "superset-init"):
        assert required <= set(services[name]), f"{name} lacks {sorted(required - set(services[name]))}"


def test_every_interpolated_variable_is_in_env_example():
    """The operator's checklist is complete: .env.example names every ${VAR} of every compose
    file, and holds nothing the files do not use."""
    example = {line.split("=", 1)[0] for line in (DOCKER_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
               if re.match(r"[A-Z_][A-Z0-9_]*=", line)}
    used = set()
    for path in DOCKER_DIR.glob("compose*.yaml"):
        used |= set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", path.read_text(encoding="utf-8")))
    assert sorted(used - example) == [], "interpolated but not in .env.example"
    assert sorted(example - used) == [], "in .env.example but used by no compose file"
