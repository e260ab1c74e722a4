"""Passwords, signed tokens, and who is calling.

Tokens are ``<payload>.<signature>``: the payload (base64url JSON: user id, token generation,
expiry) signed with HMAC-SHA256 under the app's secret key. A token stops working when it
expires, when its user is deactivated, or when the user's password is reset (the user's
``token_generation`` moves on).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request
from sqlalchemy import Connection, select

from caseentry import tables as t
from caseentry.changes import Actor
from caseentry.database import request_connection
from caseentry.errors import unauthorised

ROLES = ("officer", "leader", "legal_reviewer", "supervisor", "admin", "pipeline")
ROLE_TITLES = {
    "officer": "执法人员", "leader": "负责人", "legal_reviewer": "法制审核人员",
    "supervisor": "执法监督人员", "admin": "系统管理员", "pipeline": "数据管道",
}
UNBOUND_ROLES = ("admin", "pipeline")     # the only roles not bound to a unit

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A valid hash to verify against when the user does not exist, so that a wrong username takes as
# long as a wrong password and does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("caseentry-no-such-user")


def verify_or_waste_time(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(password_hash, password)


# --- tokens -----------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret_key: str, payload: str) -> str:
    return _b64(hmac.new(secret_key.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest())


def issue_token(secret_key: str, user_id: int, generation: int, ttl_seconds: int,
                *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    payload = _b64(json.dumps({"uid": user_id, "gen": generation, "exp": issued + ttl_seconds},
                              separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(secret_key, payload)}"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    generation: int
    expires_at: int


def read_token(secret_key: str, token: str, *, now: float | None = None) -> TokenClaims | None:
    """The token's claims if its signature is ours and it has not expired; else None."""
    try:
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, _sign(secret_key, payload)):
            return None
        claims = json.loads(_unb64(payload))
        result = TokenClaims(int(claims["uid"]), int(claims["gen"]), int(claims["exp"]))
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    if result.expires_at <= (time.time() if now is None else now):
        return None
    return result


# --- the calling user -------------------------------------------------------------------------

@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    subject_code: str | None
    region_code: str | None    # the unit's region, for supervisors
    full_name: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.username)


def load_user(conn: Connection, user_id: int, generation: int | None = None) -> User | None:
    row = conn.execute(
        select(t.app_user.c.id, t.app_user.c.username, t.app_user.c.role, t.app_user.c.subject_code,
               t.app_user.c.token_generation, t.app_user.c.is_active, t.subject.c.region_code,
               t.app_user.c.full_name)
        .select_from(t.app_user.outerjoin(t.subject, t.subject.c.subject_code == t.app_user.c.subject_code))
        .where(t.app_user.c.id == user_id)
    ).mappings().first()
    if row is None or not row["is_active"]:
        return None
    if generation is not None and row["token_generation"] != generation:
        return None
    return User(row["id"], row["username"], row["role"], row["subject_code"], row["region_code"], row["full_name"])


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def authenticate(request: Request, token: str | None) -> User:
    if not token:
        raise unauthorised("未提供登录令牌，请先登录")
    state = request.app.state
    claims = read_token(state.secret_key, token)
    if claims is None:
        raise unauthorised("登录令牌无效或已过期，请重新登录")
    user = load_user(request_connection(request), claims.user_id, claims.generation)
    if user is None:
        raise unauthorised("登录令牌已失效（账号已停用或密码已重置），请重新登录")
    return user


def current_user(request: Request) -> User:
    """FastAPI dependency: the user of the request's bearer token, or 401."""
    return authenticate(request, bearer_token(request))
