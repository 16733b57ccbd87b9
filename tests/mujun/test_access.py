"""The rules of who may do what and of signing in, with numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mujun.access import (
    Access,
    Action,
    Refusal,
    Role,
    Via,
    abilities,
    access_policy,
    anonymous,
    password_problem,
    refusal,
    sign_in_retry_after,
    token_expiry,
    username_problem,
)

POLICY = access_policy()
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def test_each_role_includes_the_one_before() -> None:
    table = {role: abilities(POLICY, Access("u", role, None, Via.SESSION)) for role in Role}
    assert table[Role.VIEWER] == {"view": True, "report": False, "load": False, "administer": False}
    assert table[Role.ANALYST] == {"view": True, "report": True, "load": False, "administer": False}
    assert table[Role.EDITOR] == {"view": True, "report": True, "load": True, "administer": False}
    assert table[Role.ADMIN] == {"view": True, "report": True, "load": True, "administer": True}


def test_no_credentials_is_unauthenticated_a_short_role_forbidden() -> None:
    nobody = anonymous(POLICY, None)
    assert refusal(POLICY, nobody, Action.VIEW) is Refusal.UNAUTHENTICATED
    assert refusal(POLICY, nobody, None) is None
    viewer = Access("li", Role.VIEWER, ("武进区",), Via.TOKEN)
    assert refusal(POLICY, viewer, Action.VIEW) is None
    assert refusal(POLICY, viewer, Action.REPORT) is Refusal.FORBIDDEN
    wall = anonymous(POLICY, "analyst")  # a wall screen: reports, but still no user
    assert refusal(POLICY, wall, Action.REPORT) is None and refusal(POLICY, wall, Action.LOAD) is Refusal.UNAUTHENTICATED


@pytest.mark.parametrize("role", ["editor", "admin", "root"])
def test_editor_and_admin_are_never_anonymous(role: str) -> None:
    with pytest.raises(ValueError):
        anonymous(POLICY, role)


def test_districts_seen() -> None:
    scoped = Access("li", Role.VIEWER, ("武进区", "新北区"), Via.SESSION)
    assert scoped.sees("武进区") and not scoped.sees("溧阳市") and not scoped.sees(None)
    assert Access("wang", Role.ADMIN, None, Via.SESSION).sees(None)
    assert Access("nobody", Role.VIEWER, (), Via.SESSION).sees("武进区") is False


def test_passwords_have_at_least_twelve_characters() -> None:
    assert password_problem(POLICY, "a" * 11) is not None
    assert password_problem(POLICY, "a" * 12) is None
    assert password_problem(POLICY, " " * 12) is not None
    assert password_problem(POLICY, "twelve chars\x00") is not None
    assert username_problem(POLICY, "王丽") is None and username_problem(POLICY, "wang.li@wj") is None
    assert username_problem(POLICY, "") is not None and username_problem(POLICY, "a b") is not None


def test_token_expiry() -> None:
    assert token_expiry(POLICY, None) == timedelta(days=90)
    assert token_expiry(POLICY, "12h") == timedelta(hours=12)
    assert token_expiry(POLICY, "730d") == timedelta(days=730)
    assert isinstance(token_expiry(POLICY, "731d"), tuple) and isinstance(token_expiry(POLICY, "0d"), tuple)
    assert isinstance(token_expiry(POLICY, "soon"), tuple)


def test_ten_failures_within_fifteen_minutes_lock_the_name_until_the_oldest_leaves_the_window() -> None:
    # Failures at 08:46, 08:47, … 08:55 (ten, one a minute). At 09:00 the oldest is 14 minutes old: locked
    # until 08:46 + 15 min = 09:01, i.e. 60 s. Nine failures do not lock.
    failures = [NOW - timedelta(minutes=14 - i) for i in range(10)]
    assert sign_in_retry_after(POLICY, failures, None, NOW) == 60
    assert sign_in_retry_after(POLICY, failures[1:], None, NOW) is None
    # At 09:01 the oldest has left: nine remain, the name may try.
    assert sign_in_retry_after(POLICY, failures, None, NOW + timedelta(minutes=1)) is None
    # Eleven failures: the limit is reached by the ten newest (from 08:47), so 09:02 − 09:00 = 120 s.
    eleven = [NOW - timedelta(minutes=15, seconds=-30), *failures[1:], NOW - timedelta(minutes=4, seconds=30)]
    assert sign_in_retry_after(POLICY, eleven, None, NOW) == 120
    # A success after some of them: only the failures since count (five), not locked.
    assert sign_in_retry_after(POLICY, failures, NOW - timedelta(minutes=10), NOW) is None
