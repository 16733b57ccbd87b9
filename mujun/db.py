"""The database: its URL, engines, and schema upgrades through Alembic.

SQLAlchemy and Alembic are imported inside the functions that use them: the command line imports this
module on every start, and a load that finds the schema already at head (`ensure_schema`) needs neither.
"""

from __future__ import annotations

import ast
from importlib import resources
from typing import TYPE_CHECKING

import psycopg

from mujun.localdb import ensure_database, place_cluster
from mujun.settings import PROJECT_ROOT, DatabaseSettings

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = resources.files("mujun") / "migrations"


def normalise_url(url: str) -> str:
    """SQLAlchemy URL with the psycopg 3 driver, whatever form `DATABASE_URL` was given in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def database_url(settings: DatabaseSettings) -> str:
    """`DATABASE_URL` when set; otherwise the project's own cluster (started if needed), with its database."""
    if settings.url:
        return normalise_url(settings.url)
    cluster = place_cluster(settings.local_dir, PROJECT_ROOT)
    cluster.start()
    url = cluster.url(settings.local_name)
    ensure_database(url)
    return url


def make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command

    ensure_database(url)
    command.upgrade(alembic_config(url), "head")


def migration_head() -> str | None:
    """The newest revision of the migration scripts, read from their source without running them.

    Alembic's `ScriptDirectory` imports every script, and with them SQLAlchemy and GeoAlchemy2 (~0.3 s);
    the scripts' module-level `revision` and `down_revision` literals are all a head needs. The files are
    those Alembic reads: `versions/*.py` but `__init__` and editor lock files. None when a script does not
    declare them as plain literals or the scripts have more than one head: the caller then asks Alembic.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith(("__init__", ".#")):
            continue
        declared = _module_literals(script.read_text(encoding="utf-8"))
        revision, down = declared.get("revision"), declared.get("down_revision")
        downs = () if down is None else (down,) if isinstance(down, str) else down  # a merge revises a tuple
        if not isinstance(revision, str) or not isinstance(downs, tuple | list) or not all(isinstance(d, str) for d in downs):
            return None
        revisions.add(revision)
        revised.update(downs)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _module_literals(source: str) -> dict[str, object]:
    """Names assigned a literal at the top of a module (`revision = "0004"`); other assignments are left out."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            try:
                found[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError):  # not a literal: unknown, rather than an older value
                found.pop(target.id, None)
    return found


def stored_revisions(url: str) -> set[str] | None:
    """The revisions in the database's `alembic_version`; None when there is no such table or database yet."""
    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
            return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except (psycopg.errors.UndefinedTable, psycopg.OperationalError):
        return None


def ensure_schema(url: str) -> None:
    """`upgrade` only when the database is not at the migrations' head: one query when it is, for every load.

    `mujun db up` still runs Alembic whatever the stored revision, the way to settle any doubt.
    """
    head = migration_head()
    if head is None or stored_revisions(url) != {head}:
        upgrade(url)


def schema_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False))).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
