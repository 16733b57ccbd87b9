"""Tables: zones, parcels, projects, policies, the load history and the issued bulletins.

Geometries are stored in CGCS2000 geographic (EPSG:4490) as MultiPolygons; areas are Gauss-Krüger areas
computed by the rules module when the data are loaded. The rule results (zone, threshold, intensity,
status, shortfall) are stored on each parcel by the ETL, so that the map, lookups and reports read one
consistent answer rather than recomputing it in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mujun.rules import Status

SRID = 4490


class Base(DeclarativeBase):
    pass


class PolicyRow(Base):
    """A threshold policy as loaded from its data file (name, city, year)."""

    __tablename__ = "policies"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")


class PolicyThreshold(Base):
    __tablename__ = "policy_thresholds"

    policy_code: Mapped[str] = mapped_column(ForeignKey("policies.code", ondelete="CASCADE"), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(Text, primary_key=True)
    zone_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    threshold_wan_per_mu: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Zone(Base):
    """A development zone (开发区) or industrial cluster (工业集中区)."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    zone_class: Mapped[str] = mapped_column(String(32))
    jurisdiction: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))


class Project(Base):
    """A project (no geometry): its investment, type and stage."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    enterprise: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(Text)
    project_type: Mapped[str] = mapped_column(String(32))
    total_investment_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    investment_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    exchange_rate_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str | None] = mapped_column(String(8))
    level: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Pinyin initials of the name and enterprise (江苏源丰 → jsyf), so officials can search as they type.
    name_initials: Mapped[str | None] = mapped_column(Text)
    enterprise_initials: Mapped[str | None] = mapped_column(Text)
    # The county-level district (a project at 签约 has no parcel yet) and the dates of its stages (mujun.stages).
    jurisdiction: Mapped[str | None] = mapped_column(Text)
    signed_date: Mapped[date | None] = mapped_column(Date)
    filed_date: Mapped[date | None] = mapped_column(Date)
    planned_start_date: Mapped[date | None] = mapped_column(Date)
    actual_start_date: Mapped[date | None] = mapped_column(Date)
    planned_completion_date: Mapped[date | None] = mapped_column(Date)
    actual_completion_date: Mapped[date | None] = mapped_column(Date)
    production_date: Mapped[date | None] = mapped_column(Date)
    capacity_date: Mapped[date | None] = mapped_column(Date)
    evaluation_date: Mapped[date | None] = mapped_column(Date)
    reported_stage: Mapped[str | None] = mapped_column(String(8))
    """A 项目阶段 given ahead of its dates (its own date blank), kept as reported on `reported_stage_on`."""
    reported_stage_on: Mapped[date | None] = mapped_column(Date)


class ProjectPlan(Base):
    """A project on a year's list of major projects: its category and the year's planned investment."""

    __tablename__ = "project_plans"

    project_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    category: Mapped[str] = mapped_column(String(8))
    level: Mapped[str | None] = mapped_column(Text)
    annual_planned_investment_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    load_id: Mapped[int | None] = mapped_column(Integer)


class ProjectChange(Base):
    """A change of a project's stage, dates or plan, with the load that made it."""

    __tablename__ = "project_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_code: Mapped[str] = mapped_column(String(64), index=True)
    load_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class MonthlyReport(Base):
    """One version of a project's report for a month (migration 0006 says how versions and figures work)."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        Index("ix_monthly_reports_versions", "project_code", "month", "superseded_by", unique=True, postgresql_nulls_not_distinct=True,
              postgresql_include=["completed_ytd_wan", "first_reported_on"]),
        Index("ix_monthly_reports_month", "month", postgresql_where=text("superseded_by IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_code: Mapped[str] = mapped_column(String(64))
    month: Mapped[date] = mapped_column(Date)
    month_given_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    ytd_given_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    completed_month_wan: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    completed_ytd_wan: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    progress_note: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[date] = mapped_column(Date)
    first_reported_on: Mapped[date] = mapped_column(Date)
    load_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    superseded_by: Mapped[int | None] = mapped_column(BigInteger)


class Parcel(Base):
    """A land parcel (宗地) with its project and the rule results the ETL stored on it."""

    __tablename__ = "parcels"
    __table_args__ = (Index("ix_parcels_status_unmet", "status", postgresql_where=text(f"status <> '{Status.MEETS.value}'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_code: Mapped[str] = mapped_column(String(64), unique=True)
    project_code: Mapped[str | None] = mapped_column(String(64), index=True)
    land_use: Mapped[str | None] = mapped_column(Text)
    recorded_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    supply_date: Mapped[date | None] = mapped_column(Date)
    agreed_start_date: Mapped[date | None] = mapped_column(Date)
    agreed_completion_date: Mapped[date | None] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    geometry_repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rule results, written by etl.assess for the policy named in policy_code.
    zone_code: Mapped[str | None] = mapped_column(String(64), index=True)
    zone_share: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    area_mu: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    project_area_mu: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    parcel_count: Mapped[int | None] = mapped_column(Integer)
    assessed_zone_code: Mapped[str | None] = mapped_column(String(64))
    intensity_wan_per_mu: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    threshold_wan_per_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    ratio: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    status: Mapped[str | None] = mapped_column(String(16))  # indexed where it is not `meets` (migration 0005)
    band: Mapped[str | None] = mapped_column(String(16))
    shortfall_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    policy_code: Mapped[str | None] = mapped_column(String(64))
    # What idle land is judged by (mujun.idle_land): 出让价款, the parcel's own 动工日期, 已开发面积, 停工日期, 政府原因.
    land_price_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    start_date: Mapped[date | None] = mapped_column(Date)
    developed_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    stopped_date: Mapped[date | None] = mapped_column(Date)
    government_delay: Mapped[bool | None] = mapped_column(Boolean)


class ApprovalBatch(Base):
    """A batch of land approved for construction (批次): its approval and its Gauss-Krüger area."""

    __tablename__ = "approval_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(64), unique=True)
    approved_date: Mapped[date | None] = mapped_column(Date)
    approval_no: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(16, 2))


class BatchCover(Base):
    """The area of a batch a supplied parcel covers beyond the parcels supplied before it (migration 0008)."""

    __tablename__ = "batch_cover"

    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parcel_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    supply_date: Mapped[date] = mapped_column(Date)
    covered_m2: Mapped[Decimal] = mapped_column(Numeric(16, 2))


class FirmFigures(Base):
    """A firm's figures for a year, for the per-mu evaluation (mujun.evaluation); keyed by credit code, else name."""

    __tablename__ = "firm_figures"
    __table_args__ = (UniqueConstraint("year", "firm_key", name="uq_firm_figures_year_firm"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    firm_key: Mapped[str] = mapped_column(Text, index=True)
    enterprise: Mapped[str] = mapped_column(Text)
    credit_code: Mapped[str | None] = mapped_column(String(18))
    jurisdiction: Mapped[str] = mapped_column(Text)
    land_mu: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    tax_wan: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    sales_wan: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    value_added_wan: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    energy_tce: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    emissions_t: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    employees: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    rnd_wan: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    production_date: Mapped[date | None] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    load_id: Mapped[int | None] = mapped_column(Integer)


class Load(Base):
    """One run of `mujun load`: what was read, what changed, what was inferred or warned."""

    __tablename__ = "loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(Text)
    policy_code: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    inferences: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSONB, default=list)


class Constraint(Base):
    """A constraint area of 三区三线: 永久基本农田, 生态保护红线 or 城镇开发边界 (`mujun.siting.ConstraintType`)."""

    __tablename__ = "constraints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    constraint_type: Mapped[str] = mapped_column(String(32), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(16, 2))


class BulletinRow(Base):
    """An issued bulletin (通报): the file as issued for a month and scope, and the figures it was made from."""

    __tablename__ = "bulletins"
    __table_args__ = (Index("ix_bulletins_month", "month", "jurisdiction"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    """The first day of the month it reports on."""
    jurisdiction: Mapped[str | None] = mapped_column(Text)
    """The 所属地区 it is scoped to; None: the whole city."""
    format: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    policy_code: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    data_version: Mapped[int] = mapped_column(BigInteger)
    """`data_version` when its figures were gathered (migration 0004)."""
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    content: Mapped[bytes] = mapped_column(LargeBinary)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """Every figure shown, as text, by key (section / table / row / column): what a later issue is compared with."""
