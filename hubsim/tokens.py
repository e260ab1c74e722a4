"""Access tokens (hub-api.md "Authentication"): issued per client, valid for a fixed TTL."""
from __future__ import annotations

import hmac
import secrets
import time
from typing import Callable


class Tokens:
    def __init__(self, clients: dict[str, str], ttl: int = 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.clients = dict(clients)
        self.ttl = ttl
        self.clock = clock
        self._issued: dict[str, tuple[str, float]] = {}      # token -> (client_id, expires at)

    def issue(self, client_id: str, client_secret: str) -> str | None:
        """A new token for good credentials; None for wrong ones."""
        expected = self.clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), client_secret.encode()):
            return None
        now = self.clock()
        self._issued = {t: v for t, v in self._issued.items() if v[1] > now}
        token = secrets.token_urlsafe(32)
        self._issued[token] = (client_id, now + self.ttl)
        return token

    def valid(self, authorization: str | None) -> bool:
        """``Authorization: Bearer <token>`` naming a token issued here and not yet expired."""
        if not authorization:
            return False
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        entry = self._issued.get(token.strip())
        return entry is not None and self.clock() < entry[1]
