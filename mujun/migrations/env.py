"""Alembic environment: runs migrations on the URL `mujun.db.alembic_config` puts in the config."""

from alembic import context
from sqlalchemy import create_engine

from mujun.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
