"""Accounts, tokens, sessions (and print passes), sign-in attempts and the audit trail.

Tokens and session keys are stored as their sha256 (they are 256 random bits: nothing to guess from the
hash); passwords as argon2id hashes. A change to an account, token or session notifies `mujun_access` at
commit, and every API process empties its cache of credentials: a revoked token or a disabled account
stops working at once. The audit trail only grows: UPDATE, DELETE and TRUNCATE are refused by triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ACCESS_TABLES = ("users", "api_tokens", "sessions")


def upgrade() -> None:
    now = sa.text("now()")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("jurisdictions", ARRAY(sa.Text)),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.CheckConstraint("role IN ('viewer', 'analyst', 'editor', 'admin')", name="users_role_known"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("address", sa.Text),
        # A print pass (geo_api.pdf): the server's printing browser asks as the account it prints for, GET only,
        # for minutes, and the pass is deleted once the print is done.
        sa.Column("printing", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        sa.Column("address", sa.Text),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.Column("username", sa.Text),
        sa.Column("role", sa.String(16)),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_username_at", "audit", ["username", "at"])
    op.execute(
        "CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the audit trail cannot be changed or deleted (%)', TG_OP USING ERRCODE = 'insufficient_privilege'; "
        "END $$"
    )
    op.execute("CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit "
               "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()")
    op.execute("CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()")
    op.execute(
        "CREATE FUNCTION notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('mujun_access', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    # Per row, so that a statement changing nothing (the expired sessions a sign-in clears, usually none) empties
    # no cache; PostgreSQL sends one notice per transaction however many rows notify alike.
    for table in ACCESS_TABLES:
        op.execute(f"CREATE TRIGGER {table}_notify_access AFTER UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION notify_access_change()")
        op.execute(f"CREATE TRIGGER {table}_notify_access_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION notify_access_change()")


def downgrade() -> None:
    for table in ACCESS_TABLES:
        op.execute(f"DROP TRIGGER {table}_notify_access ON {table}")
        op.execute(f"DROP TRIGGER {table}_notify_access_truncate ON {table}")
    op.execute("DROP FUNCTION notify_access_change()")
    op.execute("DROP TRIGGER audit_no_truncate ON audit")
    op.execute("DROP TRIGGER audit_no_update_or_delete ON audit")
    op.execute("DROP FUNCTION audit_refuse_change()")
    for table in ("audit", "login_attempts", "sessions", "api_tokens", "users"):
        op.drop_table(table)
