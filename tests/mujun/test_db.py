"""The schema check a load makes: the migrations' head read from their source, Alembic run only when behind."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

import mujun.db
from mujun.db import alembic_config, database_url, ensure_schema, make_engine, migration_head, schema_is_current, stored_revisions
from mujun.localdb import drop_database
from mujun.settings import DatabaseSettings


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert migration_head() == ScriptDirectory.from_config(alembic_config("postgresql+psycopg://unused/x")).get_current_head()


def test_a_database_at_head_runs_no_migration(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_upgrade(url: str) -> None:
        raise AssertionError("Alembic ran on a database already at head")

    monkeypatch.setattr(mujun.db, "upgrade", no_upgrade)
    ensure_schema(db_url)


def test_a_new_database_is_created_and_one_behind_is_upgraded() -> None:
    url = make_url(database_url(DatabaseSettings())).set(database=f"mujun_test_schema_{os.getpid()}").render_as_string(hide_password=False)
    drop_database(url)
    engine = make_engine(url)
    try:
        assert stored_revisions(url) is None
        ensure_schema(url)
        assert schema_is_current(engine)
        command.downgrade(alembic_config(url), "-1")
        assert not schema_is_current(engine) and stored_revisions(url) not in (None, {migration_head()})
        ensure_schema(url)
        assert schema_is_current(engine)
    finally:
        engine.dispose()
        drop_database(url)
