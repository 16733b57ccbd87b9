"""The benchmarks' account: an analyst of every district in the bench database, with a password (for the page)
and a token (for the HTTP load), as an official's script would have; access control stays on while measured."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from etl.load import libpq_conninfo
from mujun import accounts
from mujun.access import Access, Role, Via, access_policy
from mujun.audit import Actor

USER = "bench-analyst"
PASSWORD = "bench passphrase, not a secret"
EVERY_DISTRICT = Access("bench", Role.ADMIN, None, Via.CLI)
"""For the queries and loads a benchmark makes in-process."""
ACTOR = Actor(EVERY_DISTRICT, "cli@bench")


def bench_token(url: str, role: str = "analyst") -> str:
    """A token of the benchmark's account (made, or its password reset, in the database of `url`)."""
    name = f"bench-{role}"
    with psycopg.connect(libpq_conninfo(url)) as conn:
        if name in {a.username for a in accounts.accounts(conn)}:
            accounts.set_user(conn, access_policy(), name, accounts.AccountChange(role=role, unscoped=True, disabled=False, password=PASSWORD))
        else:
            accounts.add_user(conn, access_policy(), name, role, [], PASSWORD)
        token, _ = accounts.create_token(conn, name, timedelta(days=1))
    return token


def bearer(url: str, role: str = "analyst") -> dict[str, str]:
    return {"Authorization": f"Bearer {bench_token(url, role)}"}
