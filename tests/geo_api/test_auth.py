"""Signing in and out on the real PostGIS: the session cookie, CSRF, tokens, the sign-in limit, the audit trail."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from etl.load import LoadRequest, libpq_conninfo, load
from geo_api.app import create_app
from mujun import accounts
from mujun.access import access_policy
from mujun.settings import DatabaseSettings, RuleSettings, Settings, WebSettings
from tests.access import PASSWORD, SHELL, add_account
from tests.conftest import settings_for
from tests.geodata import gk_rect
from tests.world import POLICY

SITE = {"geometry": {"type": "Polygon", "coordinates": [list(gk_rect(1700, 1700, 50, 50).exterior.coords)]},
        "total_investment_wan": 100, "project_type": "industrial"}


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[TestClient]:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False) as client:
        yield client


def sign_in(client: TestClient, name: str, password: str = PASSWORD, **headers: str) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/auth/login", json={"username": name, "password": password}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def audit_of(url: str, name: str) -> list[str]:
    with psycopg.connect(libpq_conninfo(url)) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit WHERE username = %s ORDER BY id", [name])]


def test_a_session_reads_with_its_cookie_and_writes_only_with_its_csrf_token(client: TestClient, db_url: str) -> None:
    name = add_account(db_url, "analyst", ("武进区",))
    assert client.get("/api/parcels/P3").status_code == 401
    body = sign_in(client, name)
    assert (body["user"], body["role"], body["jurisdictions"], body["via"]) == (name, "analyst", ["武进区"], "session")
    assert body["may"] == {"view": True, "report": True, "load": False, "administer": False} and len(body["csrf_token"]) > 30
    cookie = client.cookies.jar and next(iter(client.cookies.jar))
    assert cookie and cookie.name == "mujun_session" and not cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    assert client.get("/api/parcels/P3").status_code == 200
    assert client.get("/api/auth/me").json()["csrf_token"] == body["csrf_token"]
    assert client.post("/api/siting/review", json=SITE).json()["error"]["code"] == "csrf"
    assert client.post("/api/siting/review", json=SITE, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/siting/review", json=SITE, headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 200
    assert client.post("/api/auth/logout").status_code == 403  # a sign-out is a POST too
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204
    assert client.get("/api/parcels/P3").status_code == 401
    assert audit_of(db_url, name) == ["sign_in", "sign_out"]


def test_the_cookie_is_secure_behind_tls_and_a_proxy_is_believed_only_when_trusted(db_url: str, empty_db: str) -> None:
    name = add_account(db_url, "viewer")
    for trusted in (False, True):
        settings = Settings(database=DatabaseSettings(url=db_url), web=WebSettings(trust_proxy=trusted))
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            response = client.post("/api/auth/login", json={"username": name, "password": PASSWORD},
                                   headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
            set_cookie = response.headers["set-cookie"].lower()
            assert "httponly" in set_cookie and "samesite=lax" in set_cookie and ("secure" in set_cookie) is trusted
        with TestClient(create_app(settings), base_url="https://portal.example", raise_server_exceptions=False) as tls:
            assert "secure" in tls.post("/api/auth/login", json={"username": name, "password": PASSWORD}).headers["set-cookie"].lower()
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        addresses = [row[0] for row in conn.execute("SELECT address FROM audit WHERE username = %s AND action = 'sign_in' ORDER BY id", [name])]
    assert addresses == ["testclient", "testclient", "10.1.2.3", "testclient"]


def test_a_token_needs_no_csrf_and_stops_at_once_when_revoked(client: TestClient, db_url: str) -> None:
    name = add_account(db_url, "viewer")
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        token, info = accounts.create_token(conn, name, timedelta(days=1))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/siting/review", json=SITE, headers=auth).status_code == 200
    assert client.get("/api/parcels/P3", headers=auth).status_code == 200  # now known to this process
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        accounts.revoke_token(conn, info.prefix)
    deadline = time.monotonic() + 2
    while client.get("/api/parcels/P3", headers=auth).status_code == 200:
        assert time.monotonic() < deadline, "a revoked token still works"
        time.sleep(0.02)
    refused = client.get("/api/parcels/P3", headers=auth)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    for bad in ("Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 300):
        assert client.get("/api/parcels/P3", headers={"Authorization": bad}).status_code == 401


def test_a_disabled_account_loses_its_session(client: TestClient, db_url: str) -> None:
    name = add_account(db_url, "viewer")
    sign_in(client, name)
    assert client.get("/api/parcels/P3").status_code == 200
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        accounts.set_user(conn, access_policy(), name, accounts.AccountChange(disabled=True))
    deadline = time.monotonic() + 2
    while client.get("/api/parcels/P3").status_code == 200:
        assert time.monotonic() < deadline, "a disabled account's session still works"
        time.sleep(0.02)
    assert client.post("/api/auth/login", json={"username": name, "password": PASSWORD}).status_code == 401


def test_ten_failed_sign_ins_for_a_name_answer_429_until_the_window_passes(client: TestClient, db_url: str) -> None:
    name, other = add_account(db_url, "viewer"), add_account(db_url, "viewer")
    for _ in range(10):
        wrong = client.post("/api/auth/login", json={"username": name, "password": "not the password"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    unknown = client.post("/api/auth/login", json={"username": "no-such-user", "password": "not the password"})
    assert unknown.json() == wrong.json()  # no hint whether the name exists
    locked = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})  # even the right one
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    assert 14 * 60 < int(locked.headers["retry-after"]) <= 15 * 60
    sign_in(client, other)  # another name is not held up
    with psycopg.connect(libpq_conninfo(db_url)) as conn:  # a quarter of an hour later
        conn.execute("UPDATE login_attempts SET at = at - interval '15 minutes' WHERE username = %s", [name])
    sign_in(client, name)
    assert audit_of(db_url, name) == ["sign_in_failed"] * 10 + ["sign_in_locked", "sign_in"]


def test_the_audit_trail_refuses_to_be_changed(db_url: str, empty_db: str) -> None:
    name = add_account(db_url, "viewer")
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False) as client:
        sign_in(client, name)
    for statement in ("UPDATE audit SET username = 'someone else'", "DELETE FROM audit", "TRUNCATE audit"):
        with psycopg.connect(libpq_conninfo(db_url)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    assert audit_of(db_url, name) == ["sign_in"]


def test_a_print_pass_reads_as_its_account_and_nothing_more_until_it_is_ended(client: TestClient, db_url: str) -> None:
    name = add_account(db_url, "analyst", ("武进区",))
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        key = accounts.start_print_pass(conn, access_policy(), name)
        lasts = conn.execute("SELECT expires_at - created_at FROM sessions WHERE printing").fetchone()
    assert lasts == (timedelta(minutes=5),)  # the policy's minutes, not a working day's session
    client.cookies.set("mujun_session", key)
    who = client.get("/api/auth/me").json()
    assert (who["user"], who["via"], who["jurisdictions"], who["csrf_token"]) == (name, "print", ["武进区"], None)
    assert client.get("/api/parcels/P3").status_code == 200 and client.get("/api/parcels/P8").status_code == 404  # its districts
    refused = client.post("/api/siting/review", json=SITE, headers={"X-CSRF-Token": "anything"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "print_pass_read_only")
    assert client.post("/api/auth/logout").status_code == 403
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        accounts.end_session(conn, key)
    deadline = time.monotonic() + 5  # every process forgets it once the row goes (the access channel)
    while client.get("/api/parcels/P3").status_code != 401:
        assert time.monotonic() < deadline, "the ended pass still reads"
        time.sleep(0.05)
