"""What a projects load changes in a project's course: every change of stage or date, and of a year's plan, kept
with the load that made it (`project_changes`); the plans written by project and year (`project_plans`), so
that loading 2018's list keeps 2017's plan of the same project.

A stage reported ahead of its dates keeps the day it was first reported while later loads report it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from etl import binary_copy as bc
from etl.check import Checked
from mujun.stages import DATE_FIELDS

TRACKED = ("stage", "reported_stage", *DATE_FIELDS)
PLAN_FIELDS = ("category", "level", "annual_planned_investment_wan")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


@dataclass(frozen=True)
class Before:
    """The file's projects as stored before the load: tracked fields and plans, by project code."""

    projects: dict[str, dict[str, Any]]
    plans: dict[tuple[str, int], dict[str, Any]]


def read_before(conn: psycopg.Connection[Any], projects: Checked) -> Before:
    codes = [code for code in projects.columns["project_code"] if code is not None]
    names = ("project_code", "reported_stage_on", *TRACKED)
    query = sql.SQL("SELECT {} FROM projects WHERE project_code = ANY(%s)").format(sql.SQL(", ").join(map(sql.Identifier, names)))
    stored = {row[0]: dict(zip(names, row, strict=True)) for row in conn.execute(query, [codes])}
    plans = {(row[0], row[1]): dict(zip(PLAN_FIELDS, row[2:], strict=True)) for row in conn.execute(
        "SELECT project_code, year, category, level, annual_planned_investment_wan FROM project_plans WHERE project_code = ANY(%s)",
        [codes])}
    return Before(stored, plans)


def keep_report_days(projects: Checked, before: Before) -> None:
    """A stage reported again without its date keeps the day it was first reported on."""
    c = projects.columns
    for i, code in enumerate(c["project_code"]):
        old = before.projects.get(code)
        if old is not None and c["reported_stage"][i] is not None and old["reported_stage"] == c["reported_stage"][i]:
            c["reported_stage_on"][i] = old["reported_stage_on"]


def _plan(c: dict[str, Any], i: int) -> dict[str, Any]:
    return {"category": c["category"][i], "level": c["level"][i], "annual_planned_investment_wan": c["annual_planned_investment_wan"][i]}


def record_changes(conn: psycopg.Connection[Any], projects: Checked, before: Before, load_id: int) -> int:
    """Every tracked field and plan field this load changes, with its old and new value; their count."""
    c = projects.columns
    found: list[tuple[str, str, str | None, str | None]] = []
    for i, code in enumerate(c["project_code"]):
        old = before.projects.get(code, {})
        for name in TRACKED:
            was, now = _text(old.get(name)), _text(c[name][i])
            if was != now:
                found.append((code, name, was, now))
        year = c["year"][i]
        if year is not None:
            old_plan, new_plan = before.plans.get((code, year), {}), _plan(c, i)
            for name in PLAN_FIELDS:
                was, now = _text(old_plan.get(name)), _text(new_plan[name])
                if was != now:
                    found.append((code, f"plan.{year}.{name}", was, now))
    if found:
        codes, fields, olds, news = (list(column) for column in zip(*found, strict=True))
        with bc.copy_into(conn, "project_changes", ["project_code", "load_id", "field", "old_value", "new_value"]) as send:
            send([bc.text(codes), bc.int4(np.full(len(found), load_id)), bc.text(fields), bc.text(olds), bc.text(news)])
    return len(found)


def write_plans(conn: psycopg.Connection[Any], projects: Checked, load_id: int) -> int:
    """Each row with 年度 written as that project's plan for that year (other years' plans stay); their count."""
    c = projects.columns
    rows = [i for i, year in enumerate(c["year"]) if year is not None]
    if not rows:
        return 0
    plans = [(c["project_code"][i], c["year"][i], *_plan(c, i).values()) for i in rows]
    conn.execute("CREATE TEMP TABLE stage_plans (LIKE project_plans) ON COMMIT DROP")
    with conn.cursor().copy("COPY stage_plans (project_code, year, category, level, annual_planned_investment_wan) FROM STDIN") as copy:
        for plan in plans:
            copy.write_row(plan)
    conn.execute("INSERT INTO project_plans AS p (project_code, year, category, level, annual_planned_investment_wan, load_id) "
                 "SELECT project_code, year, category, level, annual_planned_investment_wan, %s FROM stage_plans "
                 "ON CONFLICT (project_code, year) DO UPDATE SET category = EXCLUDED.category, level = EXCLUDED.level, "
                 "annual_planned_investment_wan = EXCLUDED.annual_planned_investment_wan, load_id = EXCLUDED.load_id "
                 "WHERE (p.category, p.level, p.annual_planned_investment_wan) IS DISTINCT FROM "
                 "(EXCLUDED.category, EXCLUDED.level, EXCLUDED.annual_planned_investment_wan)", [load_id])
    return len(rows)
