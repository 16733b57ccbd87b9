"""Issued bulletins (通报): the file as issued, with what it was made from, so that it opens the same after any load.

A bulletin is issued for a month and a scope (the whole city, or one 所属地区) in one format; the row keeps the
bytes, their sha256, the data version read when its figures were gathered, and the figures themselves as shown
(each table cell by section, table, row and column), so that the page can say which figures have changed since.
Issuing is not a change of the map's data: the table bumps no data version.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("jurisdiction", sa.Text),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("policy_code", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data_version", sa.BigInteger, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("figures", JSONB, nullable=False),
    )
    op.create_index("ix_bulletins_month", "bulletins", ["month", "jurisdiction"])


def downgrade() -> None:
    op.drop_table("bulletins")
