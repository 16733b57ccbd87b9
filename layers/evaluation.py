"""The rows behind `/api/evaluation`: gathered here, scored by `mujun.evaluation`.

One statement gathers a year's firms (each county is scored over all its firms of the year, so a district filter
selects whole counties) with their quantities in 1/10 000 of their units; a firm without 用地面积 takes the area of
the parcels of its projects, matched on the enterprise name (企业名称): projects carry no credit code. The map's
classes colour the parcels of each firm's projects, matched the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection

from mujun.evaluation import SCALE, Evaluation, EvaluationPolicy, Firms, evaluate, firms_of

_FIRMS = """
WITH f AS (SELECT * FROM firm_figures WHERE year = %(year)s AND (%(jurisdiction)s::text[] IS NULL OR jurisdiction = ANY(%(jurisdiction)s))),
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


def firms(conn: Connection, year: int, jurisdictions: Sequence[str] = ()) -> Firms:
    rows = _driver(conn).execute(_FIRMS, {"year": year, "jurisdiction": list(jurisdictions) or None, "scale": SCALE}).fetchall()
    return firms_of(rows, year)


def evaluation_of(conn: Connection, year: int, policy: EvaluationPolicy, jurisdictions: Sequence[str] = ()) -> Evaluation:
    return evaluate(firms(conn, year, jurisdictions), policy)


def latest_year(conn: Connection) -> int | None:
    row = _driver(conn).execute("SELECT max(year) FROM firm_figures").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def firm_parcels(conn: Connection, enterprises: Sequence[str]) -> list[tuple[str, str]]:
    """(parcel code, enterprise) of the parcels of the firms' projects, matched on the enterprise name."""
    return [(row[0], row[1]) for row in _driver(conn).execute(
        "SELECT pa.parcel_code, pr.enterprise FROM parcels pa JOIN projects pr ON pr.project_code = pa.project_code "
        "WHERE pr.enterprise = ANY(%s) ORDER BY pa.parcel_code", [list(enterprises)])]


def firm_card(conn: Connection, firm: str, policy: EvaluationPolicy) -> dict[str, Any] | None:
    """A firm (its credit code or name) in every year with figures: its indicators against its county's benchmarks, its
    terms, score, rank and class, and the parcels of its projects; None: no such firm."""
    found = _driver(conn).execute(
        "SELECT year, jurisdiction, enterprise, credit_code FROM firm_figures WHERE firm_key = %s OR enterprise = %s ORDER BY year",
        [firm, firm]).fetchall()
    if not found:
        return None
    years = []
    for year, jurisdiction, enterprise, credit_code in found:
        result = evaluation_of(conn, year, policy, [jurisdiction])
        mine = next(row for row in result.firms if row["enterprise"] == enterprise and row["credit_code"] == credit_code)
        years.append({"year": year, **mine, "benchmarks": result.benchmarks_json()[jurisdiction],
                      "graded": result.as_json()["graded"][jurisdiction]})
    latest = years[-1]
    parcels = [code for code, _ in firm_parcels(conn, [latest["enterprise"]])]
    return {"enterprise": latest["enterprise"], "credit_code": latest["credit_code"], "jurisdiction": latest["jurisdiction"],
            "years": years, "parcels": parcels}
