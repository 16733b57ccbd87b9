"""Pinyin initials of project and enterprise names, for search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("name_initials", sa.Text))
    op.add_column("projects", sa.Column("enterprise_initials", sa.Text))
    op.create_index("ix_projects_name_initials", "projects", ["name_initials"], postgresql_ops={"name_initials": "text_pattern_ops"})
    op.create_index("ix_projects_enterprise_initials", "projects", ["enterprise_initials"],
                    postgresql_ops={"enterprise_initials": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_projects_enterprise_initials", "projects")
    op.drop_index("ix_projects_name_initials", "projects")
    op.drop_column("projects", "enterprise_initials")
    op.drop_column("projects", "name_initials")
