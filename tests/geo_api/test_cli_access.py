"""`mujun users`, `mujun tokens`, `mujun audit` and `mujun load --user` against the test database."""

from __future__ import annotations

import json
import secrets

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from etl.load import LoadRequest
from geo_api.app import create_app
from geo_api.cli import _demo_admin, app
from tests.access import PASSWORD
from tests.conftest import settings_for

runner = CliRunner()


@pytest.fixture
def env(empty_db: str, db_url: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "COLUMNS": "250"}


def name() -> str:
    return f"official-{secrets.token_hex(3)}"


def test_users_add_list_set_and_the_account_signs_in(env: dict[str, str], db_url: str) -> None:
    official = name()
    short = runner.invoke(app, ["users", "add", official, "--role", "viewer", "--password-stdin"], input="too short\n", env=env)
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    added = runner.invoke(app, ["users", "add", official, "--role", "analyst", "--jurisdiction", "武进区", "--password-stdin"],
                          input=PASSWORD + "\n", env=env)
    assert added.exit_code == 0, added.output
    again = runner.invoke(app, ["users", "add", official, "--role", "viewer", "--password-stdin"], input=PASSWORD + "\n", env=env)
    assert again.exit_code == 1 and "exists already" in again.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).output)
    mine = next(a for a in listed if a["user"] == official)
    assert (mine["role"], mine["jurisdictions"], mine["disabled"]) == ("analyst", ["武进区"], False)
    with TestClient(create_app(settings_for(db_url))) as client:
        signed = client.post("/api/auth/login", json={"username": official, "password": PASSWORD}).json()
        assert (signed["role"], signed["jurisdictions"]) == ("analyst", ["武进区"])
        changed = runner.invoke(app, ["users", "set", official, "--role", "editor", "--unscoped", "--disable"], env=env)
        assert changed.exit_code == 0 and "editor" in changed.output and "disabled" in changed.output
        assert client.post("/api/auth/login", json={"username": official, "password": PASSWORD}).status_code == 401
    assert runner.invoke(app, ["users", "set", "no-such-user", "--enable"], env=env).exit_code == 1
    trail = json.loads(runner.invoke(app, ["audit", "--json", "--since", "1h", "--action", "account_changed"], env=env).output)
    entry = next(e for e in trail if e["detail"]["account"] == official)
    assert entry["detail"] == {"account": official, "role": "editor", "disabled": True, "jurisdictions": None}
    assert entry["via"] == "shell" and entry["address"].startswith("cli@")


def test_tokens_are_printed_once_work_for_scripts_and_stop_when_revoked(env: dict[str, str], db_url: str) -> None:
    official = name()
    runner.invoke(app, ["users", "add", official, "--role", "viewer", "--password-stdin"], input=PASSWORD + "\n", env=env)
    assert runner.invoke(app, ["tokens", "create", official, "--expires", "1000d"], env=env).exit_code == 1
    created = runner.invoke(app, ["tokens", "create", official, "--expires", "30d"], env=env)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("mj_") and len(token) > 40
    with TestClient(create_app(settings_for(db_url))) as client:
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["user"] == official
        listed = runner.invoke(app, ["tokens", "list", official], env=env)
        assert token[:11] in listed.output and token not in listed.output  # the secret is never shown again
        assert runner.invoke(app, ["tokens", "revoke", token[:11]], env=env).exit_code == 0
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    actions = [e["action"] for e in json.loads(runner.invoke(app, ["audit", "--json", "--since", "1h"], env=env).output)
               if e["detail"].get("account") == official]
    assert actions == ["token_revoked", "token_created", "account_added"]


def test_a_load_runs_as_the_account_named_and_is_held_to_its_district(env: dict[str, str], world: LoadRequest) -> None:
    official = name()
    runner.invoke(app, ["users", "add", official, "--role", "editor", "--jurisdiction", "武进区", "--password-stdin"],
                  input=PASSWORD + "\n", env=env)
    args = ["load", "--zones", str(world.zones), "--parcels", str(world.parcels), "--projects", str(world.projects)]
    refused = runner.invoke(app, [*args, "--user", official], env=env)
    assert refused.exit_code == 1 and "parcel P8" in refused.output and "nothing was loaded" in refused.output
    viewer = name()
    runner.invoke(app, ["users", "add", viewer, "--role", "viewer", "--password-stdin"], input=PASSWORD + "\n", env=env)
    assert "editor role" in runner.invoke(app, args, env={**env, "MUJUN_USER": viewer}).output
    loaded = runner.invoke(app, args, env=env)  # the machine's user: every district
    assert loaded.exit_code == 0, loaded.output
    trail = json.loads(runner.invoke(app, ["audit", "--json", "--action", "load", "--limit", "1"], env=env).output)
    files = trail[0]["detail"]["files"]
    assert [f["name"] for f in files] == ["zones.geojson", "projects.xlsx", "parcels.geojson"] and all(len(f["sha256"]) == 64 for f in files)
    assert trail[0]["detail"]["counts"]["parcels"]["inserted"] == 9 and trail[0]["via"] == "shell"
    refusals = json.loads(runner.invoke(app, ["audit", "--json", "--user", official], env=env).output)
    assert [e["action"] for e in refusals] == ["load_refused"]


def test_the_demo_admin_gets_a_new_random_password_each_run(env: dict[str, str], db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    first, second = _demo_admin(), _demo_admin()
    assert first != second and len(second) >= 12
    with TestClient(create_app(settings_for(db_url))) as client:
        assert client.post("/api/auth/login", json={"username": "admin", "password": first}).status_code == 401
        assert client.post("/api/auth/login", json={"username": "admin", "password": second}).json()["role"] == "admin"
