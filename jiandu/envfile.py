"""``var/jiandu.env``: the values setup discovered or generated (ports, passwords).

A plain KEY=VALUE file, readable by pydantic-settings, by `make` and by a shell. Only setup
writes it; it is git-ignored and readable by its owner alone, since it holds passwords.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from jiandu.settings import _env_file, get_settings


def read(path: Path | None = None) -> dict[str, str]:
    path = path or _env_file()
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                values[k.strip()] = v.strip().strip("'\"")
    return values


def update(values: dict[str, str], path: Path | None = None) -> None:
    """Merge ``values`` into the file and reload the cached settings."""
    path = path or _env_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = read(path)
    current.update(values)
    body = "# Written by `jiandu setup`: discovered ports and generated secrets. Do not commit.\n"
    body += "".join(f"{k}={v}\n" for k, v in sorted(current.items()))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    get_settings.cache_clear()


def ensure_secret(name: str, nbytes: int = 18) -> str:
    """Return the secret ``name`` from the environment or the file, generating it once."""
    if os.environ.get(name):
        return os.environ[name]
    current = read()
    if current.get(name):
        return current[name]
    value = secrets.token_urlsafe(nbytes)
    update({name: value})
    return value
