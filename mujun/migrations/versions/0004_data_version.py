"""A data version bumped by every statement that changes the map's data, notified at commit.

Tiles carry it in their ETags and the API's tile cache listens on `mujun_data_version`, so no tile outlives
a load. The sequence belongs to no table: `TRUNCATE … RESTART IDENTITY` never turns it back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("zones", "parcels", "projects", "constraints", "policies", "policy_thresholds", "loads")


def upgrade() -> None:
    op.execute("CREATE SEQUENCE data_version")
    op.execute(
        "CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('mujun_data_version', nextval('data_version')::text); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_bump_data_version ON {table}")
    op.execute("DROP FUNCTION bump_data_version()")
    op.execute("DROP SEQUENCE data_version")
