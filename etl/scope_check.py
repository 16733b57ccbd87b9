"""A scoped account's load may touch only its own districts: every row it inserts, changes or deletes (directly,
or through the rules it reruns) must lie in them before and after. Otherwise the load is refused, naming the rows.

A zone's district is its 辖区; a parcel's that of its zone (`mujun.scope`), so a parcel in no zone is in none of
an account's districts; a project's its 所属地区, else that of the zone its land is held against (one with neither is
in none, and may be loaded); a project's plans and monthly reports are its project's; a firm's figures are the
firm's 所属地区. Constraint layers (三区三线) and approval batches (批次) are the city's: only unscoped accounts load
them (`etl.load` refuses them before anything is read).

How: before anything is written, every row's district and a digest of the row are kept in a temporary table; once
all is written and reassessed, the rows whose digest changed (or which appeared or went) are compared with the
scope, in the load's transaction, so a refusal leaves the database as it was. Unscoped loads skip all of it.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from mujun.access import Access
from mujun.errors import InputError, Problem
from mujun.scope import SCOPE_PARAM, parcel_in_scope_sql, parcel_jurisdiction_sql, project_district_sql, project_in_scope_sql, scope_params

NAMED_ROWS = 1000
"""Rows named in a refusal (all are counted)."""
KIND_LABELS = {"zones": ("园区", "zone"), "parcels": ("宗地", "parcel"), "projects": ("项目", "project"),
               "constraints": ("管控区", "constraint area"), "project_plans": ("年度计划", "plan"), "monthly_reports": ("月报", "monthly report"),
               "firm_figures": ("企业亩均数据", "firm's figures")}
FILE_OF = {"project_plans": "projects", "monthly_reports": "monthly", "firm_figures": "evaluation"}
"""The file a row of these tables comes from, when it is not the table's own name."""
OF_A_PROJECT = ("projects", "project_plans", "monthly_reports")
"""Rows whose district is a project's: a project in no district yet (no 所属地区, no land) may be loaded with them."""

# Each row's districts (an array: none for a row in no district) and a digest of all its values.
_ROWS = sql.SQL(
    "SELECT 'zones'::text AS kind, z.zone_code AS code, ARRAY[z.jurisdiction] AS districts, md5(z::text) AS digest FROM zones z "
    "UNION ALL SELECT 'parcels', p.parcel_code, array_remove(ARRAY[{parcel_district}], NULL), md5(p::text) FROM parcels p "
    "UNION ALL SELECT 'projects', pr.project_code, array_remove(ARRAY[{project_district}], NULL), md5(pr::text) FROM projects pr "
    "UNION ALL SELECT 'project_plans', pl.project_code || ' ' || pl.year, "
    "coalesce((SELECT array_remove(ARRAY[{plan_district}], NULL) FROM projects pp WHERE pp.project_code = pl.project_code), '{{}}'), "
    "md5(pl::text) FROM project_plans pl "
    "UNION ALL SELECT 'monthly_reports', m.project_code || ' ' || to_char(m.month, 'YYYY-MM') || ' #' || m.id, "
    "coalesce((SELECT array_remove(ARRAY[{report_district}], NULL) FROM projects mp WHERE mp.project_code = m.project_code), '{{}}'), "
    "md5(m::text) FROM monthly_reports m "
    "UNION ALL SELECT 'firm_figures', f.firm_key || ' ' || f.year, ARRAY[f.jurisdiction], md5(f::text) FROM firm_figures f "
    "UNION ALL SELECT 'constraints', c.code, NULL, md5(c::text) FROM constraints c"
).format(parcel_district=parcel_jurisdiction_sql("p"), project_district=project_district_sql("pr"),
         plan_district=project_district_sql("pp"), report_district=project_district_sql("mp"))


def snapshot(conn: psycopg.Connection[Any], access: Access) -> None:
    """Keep every row's districts and digest before the load writes (nothing for an unscoped account)."""
    if access.scoped:
        conn.execute(sql.SQL("CREATE TEMP TABLE scope_before ON COMMIT DROP AS {}").format(_ROWS))


def replace_within(kind: str, access: Access) -> tuple[sql.Composable, dict[str, Any]]:
    """`--replace KIND` by a scoped account deletes only its own districts' rows missing from the file."""
    if not access.scoped:
        return sql.SQL(""), {}
    condition = {"zones": sql.SQL(" AND t.jurisdiction = ANY({})").format(sql.Placeholder(SCOPE_PARAM)),
                 "parcels": parcel_in_scope_sql("t"), "projects": project_in_scope_sql("t")}.get(kind, sql.SQL(" AND false"))
    return condition, scope_params(access)


def refuse_outside(conn: psycopg.Connection[Any], access: Access, files: dict[str, str]) -> None:
    """Refuse the load (InputError) if a row it changed lies outside the account's districts, before or after.

    `files`: each kind's file name, to say where a row came from (a row the rules changed is named as the database's).
    """
    if not access.scoped:
        return
    rows = conn.execute(sql.SQL(
        "WITH after AS ({rows}) "
        "SELECT coalesce(a.kind, b.kind), coalesce(a.code, b.code), b.districts, a.districts, count(*) OVER () "
        "FROM after a FULL JOIN scope_before b ON a.kind = b.kind AND a.code = b.code "
        "WHERE a.digest IS DISTINCT FROM b.digest AND ("
        "coalesce(a.kind, b.kind) = 'constraints' "
        "OR (b.kind IS NOT NULL AND NOT (b.districts <@ %(scope)s AND (b.kind = ANY(%(of_a_project)s) OR cardinality(b.districts) > 0))) "
        "OR (a.kind IS NOT NULL AND NOT (a.districts <@ %(scope)s AND (a.kind = ANY(%(of_a_project)s) OR cardinality(a.districts) > 0)))) "
        "ORDER BY 1, 2 LIMIT %(named)s").format(rows=_ROWS),
        {"scope": list(access.jurisdictions or ()), "named": NAMED_ROWS, "of_a_project": list(OF_A_PROJECT)}).fetchall()
    if not rows:
        return
    allowed = "、".join(access.jurisdictions or ()) or "（无）"
    problems = []
    for kind, code, before, after, _ in rows:
        label_zh, label_en = KIND_LABELS[kind]
        districts = sorted({*(before or ()), *(after or ())})
        seen = "、".join(districts) if districts else ("不属任何辖区" if kind != "constraints" else "全市")
        problems.append(Problem(
            files.get(FILE_OF.get(kind, kind), "数据库 database"), f"{label_zh} {code} / {label_en} {code}", "所属辖区 jurisdiction", seen,
            f"账户 {access.who} 只能载入或改动 {allowed} 的数据，本次载入会改动这一行",
            f"the account {access.who} may only load or change rows of {', '.join(access.jurisdictions or ()) or '(none)'}: "
            "this load would change this row"))
    more = int(rows[0][4]) - len(rows)
    if more > 0:
        problems.append(Problem("数据库 database", f"另有 {more} 行 / {more} more rows", None, None,
                                "同样超出账户的辖区", "likewise outside the account's districts"))
    raise InputError(problems)
