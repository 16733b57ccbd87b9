"""Zones, parcels, projects, policies and the load history.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "policies",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "policy_thresholds",
        sa.Column("policy_code", sa.String(64), sa.ForeignKey("policies.code", ondelete="CASCADE"), primary_key=True),
        sa.Column("jurisdiction", sa.Text, primary_key=True),
        sa.Column("zone_class", sa.String(32), primary_key=True),
        sa.Column("threshold_wan_per_mu", sa.Numeric(12, 2), nullable=False),
    )
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("zone_code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("zone_class", sa.String(32), nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("area_m2", sa.Numeric(16, 2), nullable=False),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4490, spatial_index=False), nullable=False),
    )
    op.create_index("ix_zones_geom", "zones", ["geom"], postgresql_using="gist")
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text),
        sa.Column("enterprise", sa.Text),
        sa.Column("industry", sa.Text),
        sa.Column("project_type", sa.String(32), nullable=False),
        sa.Column("total_investment_wan", sa.Numeric(18, 2)),
        sa.Column("investment_amount", sa.Numeric(18, 4)),
        sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
        sa.Column("exchange_rate", sa.Numeric(12, 6)),
        sa.Column("exchange_rate_date", sa.Date),
        sa.Column("stage", sa.String(8)),
        sa.Column("level", sa.Text),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
    )
    op.create_table(
        "parcels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parcel_code", sa.String(64), nullable=False, unique=True),
        sa.Column("project_code", sa.String(64)),
        sa.Column("land_use", sa.Text),
        sa.Column("recorded_area_m2", sa.Numeric(16, 2)),
        sa.Column("supply_date", sa.Date),
        sa.Column("agreed_start_date", sa.Date),
        sa.Column("agreed_completion_date", sa.Date),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4490, spatial_index=False), nullable=False),
        sa.Column("area_m2", sa.Numeric(16, 2), nullable=False),
        sa.Column("geometry_repaired", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("zone_code", sa.String(64)),
        sa.Column("zone_share", sa.Numeric(6, 4)),
        sa.Column("area_mu", sa.Numeric(18, 6)),
        sa.Column("project_area_mu", sa.Numeric(18, 6)),
        sa.Column("parcel_count", sa.Integer),
        sa.Column("assessed_zone_code", sa.String(64)),
        sa.Column("intensity_wan_per_mu", sa.Numeric(14, 2)),
        sa.Column("threshold_wan_per_mu", sa.Numeric(12, 2)),
        sa.Column("ratio", sa.Numeric(10, 4)),
        sa.Column("status", sa.String(16)),
        sa.Column("band", sa.String(16)),
        sa.Column("shortfall_wan", sa.Numeric(18, 2)),
        sa.Column("flags", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("policy_code", sa.String(64)),
    )
    op.create_index("ix_parcels_geom", "parcels", ["geom"], postgresql_using="gist")
    op.create_index("ix_parcels_project_code", "parcels", ["project_code"])
    op.create_index("ix_parcels_zone_code", "parcels", ["zone_code"])
    op.create_index("ix_parcels_status", "parcels", ["status"])
    op.create_table(
        "loads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("policy_code", sa.String(64), nullable=False),
        sa.Column("files", JSONB, nullable=False, server_default="[]"),
        sa.Column("counts", JSONB, nullable=False, server_default="{}"),
        sa.Column("inferences", JSONB, nullable=False, server_default="[]"),
        sa.Column("warnings", JSONB, nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    for table in ("loads", "parcels", "projects", "zones", "policy_thresholds", "policies"):
        op.drop_table(table)
