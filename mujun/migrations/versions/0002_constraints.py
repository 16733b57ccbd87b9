"""Constraint layers of 三区三线: permanent farmland, ecological red line, urban development boundary.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "constraints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("constraint_type", sa.String(32), nullable=False),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4490, spatial_index=False), nullable=False),
        sa.Column("area_m2", sa.Numeric(16, 2), nullable=False),
    )
    op.create_index("ix_constraints_geom", "constraints", ["geom"], postgresql_using="gist")
    op.create_index("ix_constraints_constraint_type", "constraints", ["constraint_type"])


def downgrade() -> None:
    op.drop_table("constraints")
