"""The audit trail (审计日志): who did what, when and from where; it only grows (migration 0009's triggers).

Recorded: every sign-in and failed or refused attempt, sign-out, load (files with sha256, counts) and refused
load, export and report download (format, filters, rows), bulletin made, opened or issued (month, district,
format, sha256), printed map, account change and token. Written on the
primary in the transaction of what it records where there is one (a load), so a rolled-back load leaves
its refusal recorded but never a load that did not happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mujun.access import Access


class Event(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"  # refused unchecked: too many failures for the name
    SIGN_OUT = "sign_out"
    LOAD = "load"
    LOAD_REFUSED = "load_refused"
    EXPORT = "export"  # a download: a report, list or bulletin as a file, a printed map
    BULLETIN_ISSUED = "bulletin_issued"
    ACCOUNT_ADDED = "account_added"
    ACCOUNT_CHANGED = "account_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"


@dataclass(frozen=True)
class Actor:
    """Who acted (their access) and from where: the client's address, or `cli@host` for the command line."""

    access: Access
    address: str | None


def record(conn: psycopg.Connection[Any], actor: Actor, event: Event, detail: dict[str, Any]) -> None:
    access = actor.access
    conn.execute("INSERT INTO audit (username, role, via, address, action, detail) VALUES (%s, %s, %s, %s, %s, %s)",
                 [access.who, access.role.value if access.role else None, access.via.value, actor.address, event.value, Jsonb(detail)])


@dataclass(frozen=True)
class AuditQuery:
    since: datetime | None = None
    user: str | None = None
    event: str | None = None
    limit: int = 1000


def entries(conn: psycopg.Connection[Any], query: AuditQuery) -> list[dict[str, Any]]:
    """The newest entries first, as JSON values."""
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(
            "SELECT id, at, username AS user, role, via, address, action, detail FROM audit "
            "WHERE (%(since)s::timestamptz IS NULL OR at >= %(since)s) AND (%(user)s::text IS NULL OR username = %(user)s) "
            "AND (%(event)s::text IS NULL OR action = %(event)s) ORDER BY at DESC, id DESC LIMIT %(limit)s",
            {"since": query.since, "user": query.user, "event": query.event, "limit": query.limit})
        return [{**row, "at": row["at"].isoformat()} for row in cursor]
