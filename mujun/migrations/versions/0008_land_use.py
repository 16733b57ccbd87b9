"""Land not used as agreed and the per-mu evaluation of firms.

Parcels gain the fields idle land is judged by (令第53号): 出让价款, their own 动工日期, 已开发面积, 停工日期 and whether a
delay is the government's. Approval batches (批次) are stored with their Gauss-Krüger areas, as zones are; `batch_cover`
holds, for each batch and each supplied parcel meeting it, the area of the batch that parcel covers beyond the parcels
supplied before it (by supply date, then code): the sum over the parcels supplied by a date is the batch's area within
their union, so 批而未供 on any date is the batch's area less one sum (rebuilt by every load that writes batches, or
parcels while batches are stored). `firm_figures` holds one row per firm and year for the evaluation, keyed by the
credit code, else the enterprise name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PARCEL_COLUMNS = (
    sa.Column("land_price_wan", sa.Numeric(18, 2)),
    sa.Column("start_date", sa.Date),
    sa.Column("developed_area_m2", sa.Numeric(16, 2)),
    sa.Column("stopped_date", sa.Date),
    sa.Column("government_delay", sa.Boolean),
)
BUMPED = ("approval_batches", "batch_cover", "firm_figures")
QUANTITIES = ("land_mu", "tax_wan", "sales_wan", "value_added_wan", "energy_tce", "emissions_t", "employees", "rnd_wan")


def upgrade() -> None:
    for column in PARCEL_COLUMNS:
        op.add_column("parcels", column)
    op.create_table(
        "approval_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_code", sa.String(64), nullable=False, unique=True),
        sa.Column("approved_date", sa.Date),
        sa.Column("approval_no", sa.Text),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4490, spatial_index=False), nullable=False),
        sa.Column("area_m2", sa.Numeric(16, 2), nullable=False),
    )
    op.create_index("ix_approval_batches_geom", "approval_batches", ["geom"], postgresql_using="gist")
    op.create_table(
        "batch_cover",
        sa.Column("batch_code", sa.String(64), primary_key=True),
        sa.Column("parcel_code", sa.String(64), primary_key=True),
        sa.Column("supply_date", sa.Date, nullable=False),
        sa.Column("covered_m2", sa.Numeric(16, 2), nullable=False),
    )
    op.create_table(
        "firm_figures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("firm_key", sa.Text, nullable=False),
        sa.Column("enterprise", sa.Text, nullable=False),
        sa.Column("credit_code", sa.String(18)),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        *(sa.Column(name, sa.Numeric(20, 4)) for name in QUANTITIES),
        sa.Column("production_date", sa.Date),
        sa.Column("attributes", JSONB, nullable=False, server_default="{}"),
        sa.Column("load_id", sa.Integer),
        sa.UniqueConstraint("year", "firm_key", name="uq_firm_figures_year_firm"),
    )
    op.create_index("ix_firm_figures_firm_key", "firm_figures", ["firm_key"])
    for table in BUMPED:
        op.execute(f"CREATE TRIGGER {table}_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")


def downgrade() -> None:
    for table in BUMPED:
        op.execute(f"DROP TRIGGER {table}_bump_data_version ON {table}")
    op.drop_table("firm_figures")
    op.drop_table("batch_cover")
    op.drop_table("approval_batches")
    for column in PARCEL_COLUMNS:
        op.drop_column("parcels", column.name)
