"""`mujun users …`, `mujun tokens …` and `mujun audit`: accounts, API tokens and the audit trail from the shell.

These run as the machine's user: whoever has a shell on the server reaches the database as the portal does, so
the commands are theirs as an admin would have them, recorded in the audit trail under their OS name and host
(`cli@host`). `mujun load` may instead run as an account (`--user` / `MUJUN_USER`), which is held to its role
and districts (see `geo_api.cli`).
"""

from __future__ import annotations

import getpass
import json
import re
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from mujun import accounts, audit
from mujun.access import Via, access_policy, shell, token_expiry
from mujun.db import database_url, ensure_schema
from mujun.errors import MujunError
from mujun.localdb import LocalDatabaseError
from mujun.settings import Settings

users_app = typer.Typer(help="Accounts: add, list, change (role, districts, password, disabled).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for scripts, QGIS and GDAL: create, list, revoke.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

JurisdictionOption = Annotated[list[str] | None, typer.Option(
    "--jurisdiction", help="a district (辖区, e.g. 武进区) the account sees; repeat for several; none: every district")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")]


def fail(zh: str, en: str) -> typer.Exit:
    err.print(f"[bold red]✗[/] {zh}\n  {en}")
    return typer.Exit(code=1)


def cli_address() -> str:
    return f"cli@{socket.gethostname()}"


def shell_actor() -> audit.Actor:
    """The machine's user, running a command without naming an account."""
    return audit.Actor(shell(getpass.getuser()), cli_address())


def conninfo() -> str:
    try:
        url = database_url(Settings().database)
    except LocalDatabaseError as exc:
        raise fail("无法启动本地数据库", str(exc)) from exc
    ensure_schema(url)
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def connection() -> Iterator[psycopg.Connection[Any]]:
    """A connection to the primary, committed when the command succeeds; a refusal is printed, not raised."""
    try:
        with psycopg.connect(conninfo()) as conn:
            yield conn
    except MujunError as exc:
        raise fail(exc.zh, exc.en) from exc


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("密码 password", hide_input=True)
    if typer.prompt("再输一次 again", hide_input=True) != first:
        raise fail("两次输入的密码不一致", "the two passwords differ")
    return str(first)


def _scope_text(jurisdictions: tuple[str, ...] | list[str] | None) -> str:
    return "全部辖区 every district" if jurisdictions is None else "、".join(jurisdictions) or "（无）"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the user name")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst, editor or admin")],
    jurisdiction: JurisdictionOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account (password hashed with argon2id, at least 12 characters)."""
    password = read_password(password_stdin)
    with connection() as conn:
        added = accounts.add_user(conn, access_policy(), name, role, jurisdiction or [], password)
        audit.record(conn, shell_actor(), audit.Event.ACCOUNT_ADDED, {"account": added.username, "role": added.role.value,
                                                                       "jurisdictions": added.as_json()["jurisdictions"]})
    console.print(f"[green]✓[/] {added.username}: {added.role.value}, {_scope_text(added.jurisdictions)}")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False) -> None:
    """The accounts with their roles, districts and whether they are disabled."""
    with connection() as conn:
        found = accounts.accounts(conn)
    if as_json:
        typer.echo(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=1))
        return
    table = Table(title="用户 accounts")
    for column in ("user", "role", "jurisdictions", "disabled", "created", "updated"):
        table.add_column(column)
    for a in found:
        table.add_row(a.username, a.role.value, _scope_text(a.jurisdictions), "yes" if a.disabled else "",
                      f"{a.created_at:%Y-%m-%d %H:%M}", f"{a.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)


@users_app.command("set")
def users_set(
    name: Annotated[str, typer.Argument(help="the user name")],
    role: Annotated[str | None, typer.Option("--role", help="viewer, analyst, editor or admin")] = None,
    jurisdiction: JurisdictionOption = None,
    unscoped: Annotated[bool, typer.Option("--unscoped", help="every district (clears --jurisdiction)")] = False,
    disable: Annotated[bool, typer.Option("--disable", help="the account can no longer sign in; its sessions and tokens stop")] = False,
    enable: Annotated[bool, typer.Option("--enable", help="undo --disable")] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Change an account: role, districts, a new password (--password-stdin), disabled or enabled."""
    if disable and enable:
        raise fail("--disable 与 --enable 只能给出一个", "give either --disable or --enable")
    change = accounts.AccountChange(role=role, jurisdictions=jurisdiction, unscoped=unscoped,
                                    disabled=True if disable else False if enable else None,
                                    password=read_password(True) if password_stdin else None)
    with connection() as conn:
        changed = accounts.set_user(conn, access_policy(), name, change)
        audit.record(conn, shell_actor(), audit.Event.ACCOUNT_CHANGED, {"account": changed.username, **change.as_json()})
    state = "disabled" if changed.disabled else "enabled"
    console.print(f"[green]✓[/] {changed.username}: {changed.role.value}, {_scope_text(changed.jurisdictions)}, {state}")


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="the account the token acts as")],
    expires: Annotated[str | None, typer.Option("--expires", help="how long it lasts: 90d (the default), 12h, …")] = None,
) -> None:
    """A new token for scripts, QGIS and GDAL (Authorization: Bearer TOKEN); printed once, on the last line."""
    policy = access_policy()
    lasts = token_expiry(policy, expires)
    if not isinstance(lasts, timedelta):
        raise fail(*lasts)
    with connection() as conn:
        secret, info = accounts.create_token(conn, name, lasts)
        audit.record(conn, shell_actor(), audit.Event.TOKEN_CREATED, {"account": name, "token": info.prefix,
                                                                       "expires_at": info.expires_at.isoformat()})
    err.print(f"[green]✓[/] token {info.prefix}… for {name}, until {info.expires_at:%Y-%m-%d %H:%M}; it is shown only now:")
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(name: Annotated[str | None, typer.Argument(help="only this account's tokens")] = None) -> None:
    """Tokens by their first characters, with their account, expiry and whether they were revoked."""
    with connection() as conn:
        found = accounts.tokens(conn, name)
    table = Table(title="令牌 tokens")
    for column in ("token", "user", "created", "expires", "revoked"):
        table.add_column(column)
    for t in found:
        table.add_row(f"{t.prefix}…", t.username, f"{t.created_at:%Y-%m-%d %H:%M}", f"{t.expires_at:%Y-%m-%d %H:%M}",
                      f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "")
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token: Annotated[str, typer.Argument(help="the token, or its first characters as `tokens list` shows them")]) -> None:
    """Revoke a token: it stops working at once on every API process."""
    with connection() as conn:
        info = accounts.revoke_token(conn, token.rstrip("…"))
        audit.record(conn, shell_actor(), audit.Event.TOKEN_REVOKED, {"account": info.username, "token": info.prefix})
    console.print(f"[green]✓[/] token {info.prefix}… of {info.username} revoked")


_RELATIVE = re.compile(r"(\d{1,5})([dhm])")


def parse_since(text: str) -> datetime:
    """`7d`, `12h`, `30m` ago, or an ISO date or time (`2026-12-01`, `2026-12-01T08:00+08:00`)."""
    found = _RELATIVE.fullmatch(text.strip())
    if found:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[found.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(found.group(1))})
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"--since 无法识别：{text}", f"--since takes 7d, 12h, 30m or an ISO date or time, not {text!r}") from None


def audit_command(
    since: Annotated[str | None, typer.Option("--since", help="7d, 12h, 30m, or an ISO date or time")] = None,
    user: Annotated[str | None, typer.Option("--user", help="only this account's entries")] = None,
    action: Annotated[str | None, typer.Option("--action", help=f"only this kind: {', '.join(e.value for e in audit.Event)}")] = None,
    limit: Annotated[int, typer.Option(help="at most this many entries, newest first")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """The audit trail, newest first: sign-ins, loads, exports, account and token changes (who, when, from where)."""
    if action is not None and action not in {e.value for e in audit.Event}:
        raise fail(f"--action 无效：{action}", f"--action takes one of {', '.join(e.value for e in audit.Event)}")
    query = audit.AuditQuery(parse_since(since) if since else None, user, action, limit)
    with connection() as conn:
        found = audit.entries(conn, query)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    table = Table(title="审计日志 audit trail")
    for column in ("time", "user", "role", "via", "from", "action", "detail"):
        table.add_column(column, overflow="fold")
    for entry in found:
        table.add_row(entry["at"][:19].replace("T", " "), entry["user"] or "", entry["role"] or "", entry["via"],
                      entry["address"] or "", entry["action"], json.dumps(entry["detail"], ensure_ascii=False))
    console.print(table)


def cli_user_actor(user: str) -> audit.Actor:
    """`mujun load --user NAME`: the account, held to its role and districts."""
    with connection() as conn:
        found = accounts.account(conn, user)
    if found.disabled:
        raise fail(f"账户 {user} 已停用", f"the account {user} is disabled")
    return audit.Actor(found.access(Via.CLI), cli_address())
