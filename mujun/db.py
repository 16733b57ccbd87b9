"""The database: its URL, engines, and schema upgrades through Alembic."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine

from mujun.localdb import LocalCluster, ensure_database
from mujun.settings import DatabaseSettings


def normalise_url(url: str) -> str:
    """SQLAlchemy URL with the psycopg 3 driver, whatever form `DATABASE_URL` was given in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def database_url(settings: DatabaseSettings, start_local: bool = True) -> str:
    """`DATABASE_URL` when set; otherwise the project's own cluster under `.var/` (started if needed)."""
    if settings.url:
        return normalise_url(settings.url)
    cluster = LocalCluster(settings.local_dir)
    if start_local:
        cluster.start()
    url = cluster.url(settings.local_name)
    if start_local:
        ensure_database(url)
    return url


def make_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("mujun") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    ensure_database(url)
    command.upgrade(alembic_config(url), "head")


def schema_is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False))).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
