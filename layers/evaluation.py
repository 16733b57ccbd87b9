"""The rows behind `/api/evaluation`: gathered here, scored by `mujun.evaluation`.

One statement gathers a year's firms (each county is scored over all its firms of the year, so a district filter
selects whole counties) with their quantities in 1/10 000 of their units; a firm without 用地面积 takes the area of
the parcels of its projects, matched on the enterprise name (企业名称): projects carry no credit code. The map's
classes colour the parcels of each firm's projects, matched the same way.

Every query takes the asker's `Access`: firms of its districts (a firm's is its 所属地区, and a county is scored over
all its own firms, so a district's scores are the same whoever asks), and their parcels within its districts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Connection

from mujun.access import Access
from mujun.evaluation import SCALE, Evaluation, EvaluationPolicy, Firms, evaluate, firms_of
from mujun.scope import district_in_scope_sql, parcel_in_scope_sql, scope_params

_FIRMS = """
WITH f AS (SELECT * FROM firm_figures t WHERE year = %(year)s AND (%(jurisdiction)s::text[] IS NULL OR jurisdiction = ANY(%(jurisdiction)s)){scope}),
land AS (SELECT pr.enterprise, sum(pa.area_mu) AS land_mu FROM projects pr JOIN parcels pa ON pa.project_code = pr.project_code
         WHERE pr.enterprise IN (SELECT enterprise FROM f WHERE land_mu IS NULL) GROUP BY pr.enterprise)
SELECT f.enterprise, f.credit_code, f.jurisdiction, f.production_date, f.land_mu IS NULL AND land.land_mu IS NOT NULL AS land_derived,
       (coalesce(f.land_mu, land.land_mu) * %(scale)s)::bigint AS land_mu,
       (f.tax_wan * %(scale)s)::bigint, (f.sales_wan * %(scale)s)::bigint, (f.value_added_wan * %(scale)s)::bigint,
       (f.energy_tce * %(scale)s)::bigint, (f.emissions_t * %(scale)s)::bigint, (f.employees * %(scale)s)::bigint,
       (f.rnd_wan * %(scale)s)::bigint
FROM f LEFT JOIN land ON land.enterprise = f.enterprise
ORDER BY f.jurisdiction, f.firm_key
"""


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def _firm_scope(access: Access) -> sql.Composable:
    return district_in_scope_sql(sql.Identifier("t", "jurisdiction")) if access.scoped else sql.SQL("")


def firms(conn: Connection, access: Access, year: int, jurisdictions: Sequence[str] = ()) -> Firms:
    rows = _driver(conn).execute(sql.SQL(_FIRMS).format(scope=_firm_scope(access)),
                                 {"year": year, "jurisdiction": list(jurisdictions) or None, "scale": SCALE, **scope_params(access)}).fetchall()
    return firms_of(rows, year)


def evaluation_of(conn: Connection, access: Access, year: int, policy: EvaluationPolicy, jurisdictions: Sequence[str] = ()) -> Evaluation:
    return evaluate(firms(conn, access, year, jurisdictions), policy)


def latest_year(conn: Connection, access: Access) -> int | None:
    """The latest year with figures of `access`'s districts' firms."""
    row = _driver(conn).execute(sql.SQL("SELECT max(t.year) FROM firm_figures t WHERE true{}").format(_firm_scope(access)),
                                scope_params(access)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def firm_parcels(conn: Connection, access: Access, enterprises: Sequence[str]) -> list[tuple[str, str]]:
    """(parcel code, enterprise) of the parcels of the firms' projects, matched on the enterprise name, in `access`'s districts."""
    statement = sql.SQL("SELECT t.parcel_code, pr.enterprise FROM parcels t JOIN projects pr ON pr.project_code = t.project_code "
                        "WHERE pr.enterprise = ANY(%(enterprises)s){scope} ORDER BY t.parcel_code").format(
        scope=parcel_in_scope_sql("t") if access.scoped else sql.SQL(""))
    return [(row[0], row[1]) for row in _driver(conn).execute(statement, {"enterprises": list(enterprises), **scope_params(access)})]


def firm_card(conn: Connection, access: Access, firm: str, policy: EvaluationPolicy) -> dict[str, Any] | None:
    """A firm (its credit code or name) in every year with figures in `access`'s districts: its indicators against its
    county's benchmarks, its terms, score, rank and class, and the parcels of its projects; None: no such firm there."""
    found = _driver(conn).execute(
        sql.SQL("SELECT t.year, t.jurisdiction, t.enterprise, t.credit_code FROM firm_figures t "
                "WHERE (t.firm_key = %(firm)s OR t.enterprise = %(firm)s){scope} ORDER BY t.year").format(scope=_firm_scope(access)),
        {"firm": firm, **scope_params(access)}).fetchall()
    if not found:
        return None
    years = []
    for year, jurisdiction, enterprise, credit_code in found:
        result = evaluation_of(conn, access, year, policy, [jurisdiction])
        mine = next(row for row in result.firms if row["enterprise"] == enterprise and row["credit_code"] == credit_code)
        years.append({"year": year, **mine, "benchmarks": result.benchmarks_json()[jurisdiction],
                      "graded": result.as_json()["graded"][jurisdiction]})
    latest = years[-1]
    parcels = [code for code, _ in firm_parcels(conn, access, [latest["enterprise"]])]
    return {"enterprise": latest["enterprise"], "credit_code": latest["credit_code"], "jurisdiction": latest["jurisdiction"],
            "years": years, "parcels": parcels}
