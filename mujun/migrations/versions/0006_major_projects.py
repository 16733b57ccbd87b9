"""Major projects through their six stages: their district and dates, each year's plan, every change of
stage or date with the load that made it, and monthly reports (every version kept).

A monthly report keeps the amounts as given (either may be blank) beside the figures in force: a figure not
given is derived from the previous reported month (`mujun.stages.derive_figures`) and follows a later
correction of that month. A later load's report for the same project and month supersedes the earlier one,
which stays, and `first_reported_on` carries the first version's date: it decides whether the month came on time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DATES = ("signed_date", "filed_date", "planned_start_date", "actual_start_date", "planned_completion_date",
         "actual_completion_date", "production_date", "capacity_date", "evaluation_date")
BUMPED = ("project_plans", "monthly_reports")


def upgrade() -> None:
    op.add_column("projects", sa.Column("jurisdiction", sa.Text))
    for name in DATES:
        op.add_column("projects", sa.Column(name, sa.Date))
    op.add_column("projects", sa.Column("reported_stage", sa.String(8)))
    op.add_column("projects", sa.Column("reported_stage_on", sa.Date))
    op.create_table(
        "project_plans",
        sa.Column("project_code", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("level", sa.Text),
        sa.Column("annual_planned_investment_wan", sa.Numeric(18, 2)),
        sa.Column("load_id", sa.Integer),
    )
    op.create_index("ix_project_plans_year", "project_plans", ["year"])
    op.create_table(
        "project_changes",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("project_code", sa.String(64), nullable=False, index=True),
        sa.Column("load_id", sa.Integer, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
    )
    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("project_code", sa.String(64), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("month_given_wan", sa.Numeric(18, 2)),
        sa.Column("ytd_given_wan", sa.Numeric(18, 2)),
        sa.Column("completed_month_wan", sa.Numeric(18, 2), nullable=False),
        sa.Column("completed_ytd_wan", sa.Numeric(18, 2), nullable=False),
        sa.Column("progress_note", sa.Text),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("first_reported_on", sa.Date, nullable=False),
        sa.Column("load_id", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("superseded_by", sa.BigInteger),
    )
    # One index finds a project's report in force for a month (superseded_by NULL, one per project and month: NULLs are
    # not distinct here) and every version of it (the project card), with the figures the progress statement reads.
    op.execute("CREATE UNIQUE INDEX ix_monthly_reports_versions ON monthly_reports (project_code, month, superseded_by) "
               "INCLUDE (completed_ytd_wan, first_reported_on) NULLS NOT DISTINCT")
    op.execute("CREATE INDEX ix_monthly_reports_month ON monthly_reports (month) WHERE superseded_by IS NULL")
    for table in BUMPED:
        op.execute(f"CREATE TRIGGER {table}_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")


def downgrade() -> None:
    for table in BUMPED:
        op.execute(f"DROP TRIGGER {table}_bump_data_version ON {table}")
    op.drop_table("monthly_reports")
    op.drop_table("project_changes")
    op.drop_table("project_plans")
    for name in (*DATES, "reported_stage", "reported_stage_on", "jurisdiction"):
        op.drop_column("projects", name)
