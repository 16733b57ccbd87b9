"""Accounts, API tokens and sessions, stored in PostgreSQL (migration 0009).

Passwords are argon2id hashes (argon2-cffi's defaults: RFC 9106's second recommended set, 64 MiB, 3 passes).
Tokens and session keys are 256 random bits, stored as their sha256 and shown once. The rules (who may do
what, password length, when a name is locked out) are `mujun.access`; this module keeps the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg import AsyncConnection
from psycopg.rows import tuple_row

from mujun.access import Access, AccessPolicy, Role, Via, password_problem, role_problem, scope_of, sign_in_retry_after, username_problem
from mujun.errors import MujunError, NotFound

HASHER = PasswordHasher()
TOKEN_PREFIX = "mj_"
SHOWN_PREFIX = 11
"""A token is named by its first characters (`mj_` and 8 more) in lists and when it is revoked."""
# Verified when the name is unknown, so that a wrong name takes as long as a wrong password.
_NO_SUCH_USER = HASHER.hash(secrets.token_urlsafe(16))


class AccountError(MujunError):
    status_code = 422
    code = "invalid_account"


def _refuse(message: tuple[str, str] | None, field: str) -> None:
    if message is not None:
        raise AccountError(*message, details=[{"field": field}])


def digest(secret: str) -> str:
    """What is stored of a token or session key."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    jurisdictions: tuple[str, ...] | None
    disabled: bool
    created_at: datetime
    updated_at: datetime

    def access(self, via: Via) -> Access:
        return Access(self.username, self.role, self.jurisdictions, via)

    def as_json(self) -> dict[str, Any]:
        return {"user": self.username, "role": self.role.value,
                "jurisdictions": list(self.jurisdictions) if self.jurisdictions is not None else None,
                "disabled": self.disabled, "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat()}


_ACCOUNT_COLUMNS = "id, username, role, jurisdictions, disabled, created_at, updated_at"


def _stored_scope(value: list[str] | None) -> tuple[str, ...] | None:
    """NULL: every district. An array (even an empty one: no district at all) is a scope."""
    return None if value is None else tuple(sorted(value))


def _account(row: Sequence[Any]) -> Account:
    return Account(row[0], row[1], Role(row[2]), _stored_scope(row[3]), row[4], row[5], row[6])


def account(conn: psycopg.Connection[Any], username: str) -> Account:
    row = conn.cursor(row_factory=tuple_row).execute(f"SELECT {_ACCOUNT_COLUMNS} FROM users WHERE username = %s", [username]).fetchone()
    if row is None:
        raise NotFound(f"没有用户 {username}", f"no user {username}", code="user_not_found")
    return _account(row)


def accounts(conn: psycopg.Connection[Any]) -> list[Account]:
    cursor = conn.cursor(row_factory=tuple_row).execute(f"SELECT {_ACCOUNT_COLUMNS} FROM users ORDER BY username")
    return [_account(row) for row in cursor]


def add_user(conn: psycopg.Connection[Any], policy: AccessPolicy, username: str, role: str, jurisdictions: Sequence[str],
             password: str) -> Account:
    _refuse(username_problem(policy, username), "username")
    _refuse(role_problem(role), "role")
    _refuse(password_problem(policy, password), "password")
    scope = scope_of(jurisdictions)
    try:
        row = conn.cursor(row_factory=tuple_row).execute(
            f"INSERT INTO users (username, password_hash, role, jurisdictions) VALUES (%s, %s, %s, %s) RETURNING {_ACCOUNT_COLUMNS}",
            [username, HASHER.hash(password), role, list(scope) if scope is not None else None]).fetchone()
    except psycopg.errors.UniqueViolation:
        raise AccountError(f"用户 {username} 已存在", f"user {username} exists already", code="user_exists") from None
    assert row is not None
    return _account(row)


@dataclass(frozen=True)
class AccountChange:
    """What `set_user` changes; None leaves a field as it is."""

    role: str | None = None
    jurisdictions: Sequence[str] | None = None
    unscoped: bool = False
    """Every district (clears `jurisdictions`)."""
    disabled: bool | None = None
    password: str | None = None

    def as_json(self) -> dict[str, Any]:
        """For the audit trail: what changed, never the password itself."""
        changed: dict[str, Any] = {name: value for name, value in (("role", self.role), ("disabled", self.disabled)) if value is not None}
        if self.unscoped:
            changed["jurisdictions"] = None
        elif self.jurisdictions is not None:
            changed["jurisdictions"] = list(scope_of(self.jurisdictions) or ())
        if self.password is not None:
            changed["password"] = "changed"
        return changed


def set_user(conn: psycopg.Connection[Any], policy: AccessPolicy, username: str, change: AccountChange) -> Account:
    current = account(conn, username)
    if change.role is not None:
        _refuse(role_problem(change.role), "role")
    if change.password is not None:
        _refuse(password_problem(policy, change.password), "password")
    if change.unscoped and change.jurisdictions:
        raise AccountError("--unscoped 与 --jurisdiction 只能给出一个", "give either --unscoped or --jurisdiction, not both")
    scope = None if change.unscoped else scope_of(change.jurisdictions) if change.jurisdictions is not None else current.jurisdictions
    row = conn.cursor(row_factory=tuple_row).execute(
        "UPDATE users SET role = coalesce(%s, role), jurisdictions = %s, disabled = coalesce(%s, disabled), "
        f"password_hash = coalesce(%s, password_hash), updated_at = now() WHERE id = %s RETURNING {_ACCOUNT_COLUMNS}",
        [change.role, list(scope) if scope is not None else None, change.disabled,
         HASHER.hash(change.password) if change.password is not None else None, current.id]).fetchone()
    assert row is not None
    return _account(row)


# ---- signing in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the account (None: refused), or how long the name must wait."""

    account: Account | None
    retry_after_s: int | None = None


def sign_in(conn: psycopg.Connection[Any], policy: AccessPolicy, username: str, password: str, address: str | None) -> SignIn:
    """Check a name and password, recording the attempt; a name with too many recent failures is not even checked."""
    cursor = conn.cursor(row_factory=tuple_row)
    row = cursor.execute("SELECT now()").fetchone()
    assert row is not None
    now: datetime = row[0]
    history = cursor.execute(
        "SELECT at, succeeded FROM login_attempts WHERE username = %s AND at > %s ORDER BY at", [username, now - policy.window]).fetchall()
    successes = [at for at, succeeded in history if succeeded]
    wait = sign_in_retry_after(policy, [at for at, succeeded in history if not succeeded], successes[-1] if successes else None, now)
    if wait is not None:
        return SignIn(None, wait)
    found = cursor.execute("SELECT id, password_hash, disabled FROM users WHERE username = %s", [username]).fetchone()
    stored = found[1] if found is not None else _NO_SUCH_USER
    try:
        verified = HASHER.verify(stored, password) and found is not None and not found[2]
    except (VerificationError, InvalidHashError):
        verified = False
    cursor.execute("INSERT INTO login_attempts (username, succeeded, address) VALUES (%s, %s, %s)", [username, verified, address])
    if not verified:
        return SignIn(None)
    assert found is not None
    if HASHER.check_needs_rehash(stored):
        cursor.execute("UPDATE users SET password_hash = %s WHERE id = %s", [HASHER.hash(password), found[0]])
    return SignIn(account(conn, username))


@dataclass(frozen=True)
class NewSession:
    key: str
    """The cookie's value (only its sha256 is stored)."""
    csrf_token: str
    expires_at: datetime


def start_session(conn: psycopg.Connection[Any], policy: AccessPolicy, user: Account, address: str | None) -> NewSession:
    key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = conn.cursor(row_factory=tuple_row).execute(
        "INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at, address) VALUES (%s, %s, %s, now() + %s, %s) "
        "RETURNING expires_at", [user.id, digest(key), csrf, policy.session_lifetime, address]).fetchone()
    assert row is not None
    return NewSession(key, csrf, row[0])


def start_print_pass(conn: psycopg.Connection[Any], policy: AccessPolicy, username: str) -> str:
    """A pass for the server's printing browser to ask as `username` while it prints (the cookie's value): a session
    marked `printing`, GET only (`Via.PRINT`), lasting the policy's minutes; its CSRF token is never shown. End it
    with `end_session` once the print is done."""
    key = secrets.token_urlsafe(32)
    row = conn.execute(
        "INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at, printing) "
        "SELECT id, %s, %s, now() + %s, true FROM users WHERE username = %s AND NOT disabled RETURNING id",
        [digest(key), secrets.token_urlsafe(32), policy.print_pass_lifetime, username]).fetchone()
    if row is None:
        raise NotFound(f"没有用户 {username}", f"no user {username}", code="user_not_found")
    return key


def end_session(conn: psycopg.Connection[Any], key: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = %s", [digest(key)])


def forget_expired(conn: psycopg.Connection[Any], policy: AccessPolicy) -> None:
    """Sessions past their end, and sign-in attempts older than the window: nothing reads them any more."""
    conn.execute("DELETE FROM sessions WHERE expires_at < now()")
    conn.execute("DELETE FROM login_attempts WHERE at < now() - %s", [policy.window])


# ---- tokens ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    prefix: str
    username: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"token": self.prefix, "user": self.username, "created_at": self.created_at.isoformat(),
                "expires_at": self.expires_at.isoformat(), "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None}


_TOKEN_COLUMNS = "t.prefix, u.username, t.created_at, t.expires_at, t.revoked_at"


def create_token(conn: psycopg.Connection[Any], username: str, lasts: timedelta) -> tuple[str, TokenInfo]:
    """A new token for `username`: the secret (shown once, never stored) and what is kept of it."""
    user = account(conn, username)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = conn.cursor(row_factory=tuple_row).execute(
        "WITH t AS (INSERT INTO api_tokens (user_id, token_hash, prefix, expires_at) VALUES (%s, %s, %s, now() + %s) "
        f"RETURNING *) SELECT {_TOKEN_COLUMNS} FROM t JOIN users u ON u.id = t.user_id",
        [user.id, digest(secret), secret[:SHOWN_PREFIX], lasts]).fetchone()
    assert row is not None
    return secret, TokenInfo(*row)


def tokens(conn: psycopg.Connection[Any], username: str | None = None) -> list[TokenInfo]:
    cursor = conn.cursor(row_factory=tuple_row).execute(
        f"SELECT {_TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE %(user)s::text IS NULL OR u.username = %(user)s "
        "ORDER BY t.created_at", {"user": username})
    return [TokenInfo(*row) for row in cursor]


def revoke_token(conn: psycopg.Connection[Any], given: str) -> TokenInfo:
    """Revoke a token named by itself or by its shown prefix (which must name one token)."""
    cursor = conn.cursor(row_factory=tuple_row)
    if len(given) > SHOWN_PREFIX:
        rows = cursor.execute(f"SELECT t.id, {_TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = %s",
                              [digest(given)]).fetchall()
    else:
        rows = cursor.execute(f"SELECT t.id, {_TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.prefix = %s",
                              [given]).fetchall()
    if not rows:
        raise NotFound(f"没有令牌 {given[:SHOWN_PREFIX]}", f"no token {given[:SHOWN_PREFIX]}", code="token_not_found")
    if len(rows) > 1:
        raise AccountError(f"{given} 对应多个令牌，请给出完整令牌", f"{given} names several tokens: give the whole token", code="token_ambiguous")
    row = cursor.execute(
        "WITH t AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s RETURNING *) "
        f"SELECT {_TOKEN_COLUMNS} FROM t JOIN users u ON u.id = t.user_id", [rows[0][0]]).fetchone()
    assert row is not None
    return TokenInfo(*row)


# ---- who is asking (the API's hot path: one indexed row per request, cached by the API) --------------


@dataclass(frozen=True)
class Credential:
    """What a session key or token stands for: the access, its CSRF token (sessions only), when it ends."""

    access: Access
    csrf_token: str | None
    expires_at: datetime

    def csrf_matches(self, given: str | None) -> bool:
        return self.csrf_token is not None and given is not None and hmac.compare_digest(self.csrf_token.encode(), given.encode())


_SESSION_SQL = ("SELECT u.username, u.role, u.jurisdictions, s.csrf_token, s.expires_at, s.printing FROM sessions s "
                "JOIN users u ON u.id = s.user_id WHERE s.token_hash = %s AND s.expires_at > now() AND NOT u.disabled")
_TOKEN_SQL = ("SELECT u.username, u.role, u.jurisdictions, NULL, t.expires_at, false FROM api_tokens t JOIN users u ON u.id = t.user_id "
              "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled")


async def credential(conn: AsyncConnection[Any], via: Via, secret: str) -> Credential | None:
    """The live session (`via` SESSION; a print pass is one, `Via.PRINT`) or token (TOKEN) `secret` stands for; None when
    unknown, ended or its account disabled."""
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute(_SESSION_SQL if via is Via.SESSION else _TOKEN_SQL, [digest(secret)])
        row = await cursor.fetchone()
    if row is None:
        return None
    username, role, jurisdictions, csrf, expires_at, printing = row
    return Credential(Access(username, Role(role), _stored_scope(jurisdictions), Via.PRINT if printing else via), csrf, expires_at)
