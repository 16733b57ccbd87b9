"""Accounts for the tests: real users and tokens made in the test database, never access turned off.

`bearer(url, role, districts)` gives the headers of a token of such an account (made once per database, role and
districts); `SHELL` is the command line's actor, for loads made by the tests themselves.
"""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

import psycopg

from etl.load import libpq_conninfo
from mujun import accounts
from mujun.access import Access, Role, Via, access_policy, shell
from mujun.audit import Actor

SHELL = Actor(shell("tests"), "cli@tests")
PASSWORD = "correct horse battery staple"


def add_account(url: str, role: str, jurisdictions: tuple[str, ...] = (), name: str | None = None) -> str:
    """A new account (a unique name unless given) with the test password; its name."""
    name = name or f"{role}-{secrets.token_hex(4)}"
    with psycopg.connect(libpq_conninfo(url)) as conn:
        accounts.add_user(conn, access_policy(), name, role, list(jurisdictions), PASSWORD)
    return name


@functools.cache
def token(url: str, role: str = "admin", jurisdictions: tuple[str, ...] = ()) -> str:
    name = add_account(url, role, jurisdictions)
    with psycopg.connect(libpq_conninfo(url)) as conn:
        secret, _ = accounts.create_token(conn, name, timedelta(days=1))
    return secret


def bearer(url: str, role: str = "admin", jurisdictions: tuple[str, ...] = ()) -> dict[str, str]:
    """`Authorization: Bearer …` of an account of `role` seeing `jurisdictions` (none: every district)."""
    return {"Authorization": f"Bearer {token(url, role, jurisdictions)}"}

UNSCOPED = Access("tests", Role.ADMIN, None, Via.CLI)
"""For the layers' queries called straight by a test: every district."""
