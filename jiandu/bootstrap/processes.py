"""Background servers on localhost for `make up`: start, wait until they answer, stop.

Each server writes its pid to var/run/<name>.pid and its output to var/log/<name>.log.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jiandu.settings import get_settings


@dataclass(frozen=True)
class Server:
    name: str
    cmd: list[str]
    port: int | None          # None: a worker with no port (scheduler, dag-processor ...)
    env: dict[str, str] | None = None
    url: str | None = None    # what to print for a person


def _run_dir() -> Path:
    d = get_settings().var_dir / "run"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _log_dir() -> Path:
    d = get_settings().var_dir / "log"
    d.mkdir(parents=True, exist_ok=True)
    return d


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pid_of(name: str) -> int | None:
    pid_file = _run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (ValueError, ProcessLookupError, PermissionError):
        pid_file.unlink(missing_ok=True)
        return None


def start(server: Server, wait_seconds: float = 120) -> str:
    """Start ``server`` unless it (or something on its port) already runs; wait for its port."""
    if pid_of(server.name):
        return "already running"
    if server.port and port_open(server.port):
        return f"port {server.port} already in use (left as it is)"
    log = open(_log_dir() / f"{server.name}.log", "ab")
    proc = subprocess.Popen(server.cmd, env=server.env or dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    (_run_dir() / f"{server.name}.pid").write_text(str(proc.pid))
    if server.port is None:
        time.sleep(1)
        if proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited at once; see {_log_dir() / (server.name + '.log')}")
        return "started"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if port_open(server.port):
            return "started"
        if proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {proc.returncode}; see {_log_dir() / (server.name + '.log')}")
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not open port {server.port} within {wait_seconds:.0f} s")


def stop(name: str, timeout: float = 20) -> bool:
    pid = pid_of(name)
    if not pid:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    (_run_dir() / f"{name}.pid").unlink(missing_ok=True)
    return True
