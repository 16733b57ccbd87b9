"""Who may see and change what (权限): roles, the actions each may take, an account's districts, signing in.

Roles include the one before: viewer < analyst < editor < admin. Each action needs a least role, and the
numbers of signing in (password length, failed attempts, session and token lifetimes) are policy data in
`policies/access/default.yaml`. `Access` is who is asking and which districts (辖区) they may see: one value,
handed down from the API's one dependency (or the command line) to every query and load, so nothing that
reads or writes data can leave it out. Pure functions over plain values; no web framework, no SQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml


class Role(StrEnum):
    VIEWER = "viewer"  # 查看: the map, records, search, lookup, siting review, progress
    ANALYST = "analyst"  # 分析: + every report and export
    EDITOR = "editor"  # 编辑: + loads
    ADMIN = "admin"  # 管理: + accounts and the audit trail


ROLES = (Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN)
"""In order: each role may do what the ones before it may."""


class Action(StrEnum):
    VIEW = "view"
    REPORT = "report"
    LOAD = "load"
    ADMINISTER = "administer"


class Via(StrEnum):
    """How the one asking was identified."""

    SESSION = "session"  # the page's cookie
    TOKEN = "token"  # Authorization: Bearer (scripts, QGIS, GDAL)
    PRINT = "print"  # the server's printing browser, with a pass of one print (GET only, minutes long)
    ANONYMOUS = "anonymous"  # no credentials
    CLI = "cli"  # the command line, as an account named with --user / MUJUN_USER
    SHELL = "shell"  # the command line as the machine's user, with no account (see the README)


@dataclass(frozen=True)
class AccessPolicy:
    actions: Mapping[Action, Role]
    anonymous_roles: frozenset[Role]
    password_min_length: int
    password_max_length: int
    username_max_length: int
    failed_attempts: int
    window: timedelta
    session_lifetime: timedelta
    print_pass_lifetime: timedelta
    token_default_expiry: timedelta
    token_max_expiry: timedelta


def policy_from_dict(data: Mapping[str, Any]) -> AccessPolicy:
    actions = {Action(name): Role(role) for name, role in data["actions"].items()}
    missing = set(Action) - set(actions)
    if missing:
        raise ValueError(f"access policy: no role given for {', '.join(sorted(missing))}")
    anonymous = frozenset(Role(role) for role in data["anonymous_roles"])
    if anonymous & {Role.EDITOR, Role.ADMIN}:
        raise ValueError("access policy: editor and admin can never be anonymous")
    return AccessPolicy(
        actions=actions, anonymous_roles=anonymous,
        password_min_length=int(data["password"]["min_length"]), password_max_length=int(data["password"]["max_length"]),
        username_max_length=int(data["username"]["max_length"]),
        failed_attempts=int(data["sign_in"]["failed_attempts"]), window=timedelta(minutes=int(data["sign_in"]["window_minutes"])),
        session_lifetime=timedelta(hours=float(data["session"]["hours"])),
        print_pass_lifetime=timedelta(minutes=float(data["print_pass"]["minutes"])),
        token_default_expiry=timedelta(days=int(data["token"]["default_expiry_days"])),
        token_max_expiry=timedelta(days=int(data["token"]["max_expiry_days"])),
    )


@cache
def access_policy() -> AccessPolicy:
    path = resources.files("mujun") / "policies" / "access" / "default.yaml"
    return policy_from_dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Access:
    """Who is asking, with which role, and which districts they may see.

    `jurisdictions` None: every district (unscoped); otherwise only rows of those 辖区 (a parcel's is that of
    the zone its project is held against, or else the zone it lies in; zones themselves stay visible to all).
    """

    user: str | None
    role: Role | None
    jurisdictions: tuple[str, ...] | None
    via: Via

    @property
    def scoped(self) -> bool:
        return self.jurisdictions is not None

    def sees(self, jurisdiction: str | None) -> bool:
        """Whether a row of this 辖区 (None: in no zone, so of no district) is visible."""
        return self.jurisdictions is None or (jurisdiction is not None and jurisdiction in self.jurisdictions)

    def scope_key(self) -> str:
        """The scope as text for cache keys: empty when unscoped."""
        return "" if self.jurisdictions is None else "\x1f".join(self.jurisdictions) or "\x1e"

    @property
    def who(self) -> str:
        """The name records carry (the load history, the audit trail)."""
        return self.user or self.via.value

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role.value if self.role else None,
                "jurisdictions": list(self.jurisdictions) if self.jurisdictions is not None else None, "via": self.via.value}


def scope_of(jurisdictions: Iterable[str] | None) -> tuple[str, ...] | None:
    """An account's stored districts as a scope: none given means every district."""
    chosen = tuple(sorted({j.strip() for j in jurisdictions or () if j.strip()}))
    return chosen or None


def at_least(role: Role | None, needed: Role) -> bool:
    return role is not None and ROLES.index(role) >= ROLES.index(needed)


def role_for(policy: AccessPolicy, action: Action) -> Role:
    return policy.actions[action]


def allowed(policy: AccessPolicy, access: Access, action: Action) -> bool:
    return at_least(access.role, policy.actions[action])


class Refusal(StrEnum):
    UNAUTHENTICATED = "unauthenticated"  # 401: sign in (or send a token)
    FORBIDDEN = "forbidden"  # 403: signed in, but the role is short of the action's


def refusal(policy: AccessPolicy, access: Access, action: Action | None) -> Refusal | None:
    """Why `access` may not take `action` (None: it may; an action of None is open to anyone)."""
    if action is None or allowed(policy, access, action):
        return None
    return Refusal.UNAUTHENTICATED if access.user is None else Refusal.FORBIDDEN


def abilities(policy: AccessPolicy, access: Access) -> dict[str, bool]:
    """Each action and whether `access` may take it (the page shows only what may be used)."""
    return {action.value: allowed(policy, access, action) for action in Action}


def anonymous(policy: AccessPolicy, role: str | None) -> Access:
    """Requests without credentials: no role, or the one a deployment gives them (a wall screen, a closed intranet)."""
    if role is None or role == "":
        return Access(None, None, None, Via.ANONYMOUS)
    given = Role(role)
    if given not in policy.anonymous_roles:
        allowed_roles = ", ".join(sorted(r.value for r in policy.anonymous_roles))
        raise ValueError(f"MUJUN_ANONYMOUS_ROLE={role}: requests without credentials may only be {allowed_roles}")
    return Access(None, given, None, Via.ANONYMOUS)


def shell(os_user: str) -> Access:
    """The command line run by the machine's user without naming an account: whoever has a shell on the server can
    reach the database as the portal does, so they load as an unscoped admin, recorded under their OS name."""
    return Access(os_user, Role.ADMIN, None, Via.SHELL)


# ---- accounts --------------------------------------------------------------------------------------

Message = tuple[str, str]
"""A refusal in Chinese and English."""

_USERNAME = re.compile(r"[\w.@-]+")


def username_problem(policy: AccessPolicy, name: str) -> Message | None:
    if not name or len(name) > policy.username_max_length or not _USERNAME.fullmatch(name):
        cap = policy.username_max_length
        return (f"用户名应为 1–{cap} 个字母、汉字、数字或 . _ - @", f"a user name is 1–{cap} letters, digits or . _ - @")
    return None


def password_problem(policy: AccessPolicy, password: str) -> Message | None:
    low, high = policy.password_min_length, policy.password_max_length
    if len(password) < low:
        return f"密码至少 {low} 个字符", f"a password has at least {low} characters"
    if len(password) > high:
        return f"密码最多 {high} 个字符", f"a password has at most {high} characters"
    if password.strip() == "" or any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        return "密码不能为空白或含控制字符", "a password cannot be blank or hold control characters"
    return None


def role_problem(text: str) -> Message | None:
    if text in {role.value for role in ROLES}:
        return None
    names = "、".join(role.value for role in ROLES)
    return f"角色应为 {names} 之一", f"a role is one of {', '.join(role.value for role in ROLES)}"


_EXPIRY = re.compile(r"(\d{1,5})([dh])")


def token_expiry(policy: AccessPolicy, text: str | None) -> timedelta | Message:
    """How long a token lasts: `90d`, `12h` (the policy's default when not given; never past its maximum)."""
    if text is None:
        return policy.token_default_expiry
    found = _EXPIRY.fullmatch(text.strip())
    if found is None:
        return "有效期应写作天数或小时数，如 90d、12h", "give the expiry in days or hours, e.g. 90d or 12h"
    amount = int(found.group(1))
    lasts = timedelta(days=amount) if found.group(2) == "d" else timedelta(hours=amount)
    if not timedelta(0) < lasts <= policy.token_max_expiry:
        days = policy.token_max_expiry.days
        return f"有效期应大于零且不超过 {days} 天", f"the expiry must be more than zero and at most {days} days"
    return lasts


def sign_in_retry_after(policy: AccessPolicy, failures: Sequence[datetime], last_success: datetime | None,
                        now: datetime) -> int | None:
    """Seconds until a name may try to sign in again, or None when it may now.

    Failed attempts count within the policy's window (and only since the name's last success): at the limit,
    the name waits until the oldest of the last `failed_attempts` failures leaves the window.
    """
    since = now - policy.window
    if last_success is not None and last_success > since:
        since = last_success
    recent = sorted(at for at in failures if at > since)
    if len(recent) < policy.failed_attempts:
        return None
    frees_at = recent[-policy.failed_attempts] + policy.window
    return max(1, math.ceil((frees_at - now).total_seconds()))
