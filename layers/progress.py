"""The rows behind `/api/progress` and the project card: gathered here, decided by `mujun.progress`.

One statement gathers one row per project on year Y's list (its plan, dates, reported stage, 本年累计 at M
and the day each month's report first came), under the filters and within the asker's districts;
`mujun.progress` computes every rate, target, rank and list from those rows. A project's district is its own
所属地区, else that of the zone it is held against (its land's): `mujun.scope.project_district_sql`, the rule the
districts of an account are held to as well. Every value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.rows import dict_row
from sqlalchemy import Connection

from layers.violations import bad_filter
from mujun.access import Access
from mujun.listed import Labels, ListedProjects, carried_forward, facts_of
from mujun.progress import Progress, ProgressPolicy, progress
from mujun.progress_lists import map_classes
from mujun.rules import STAGES
from mujun.scope import parcel_in_scope_sql, project_district_sql, project_in_scope_sql, scope_params
from mujun.stages import CATEGORIES, DATE_FIELDS, STAGE_DATES, month_text, report_due, stage_index, stage_on

PROGRESS_FILTERS = ("jurisdiction", "zone", "industry", "level", "category")


@dataclass(frozen=True)
class ProgressFilters:
    """Which listed projects count: any of the values given for each filter (empty: any)."""

    jurisdiction: tuple[str, ...] = ()
    zone: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    category: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for value in self.category:
            if value not in CATEGORIES:
                raise bad_filter("category", value, CATEGORIES)

    def as_dict(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in PROGRESS_FILTERS}

    def parameters(self) -> dict[str, list[str] | None]:
        return {name: list(getattr(self, name)) or None for name in PROGRESS_FILTERS}


MONTHS = range(1, 13)
DAYS_PACKED = 1_000_000
PACK_EPOCH = np.datetime64("1900-01-01", "D")
"""A month's report travels as one integer: 本年累计 in 0.01 万元 × 1,000,000 + the day it first came in days since
1900-01-01 (below 1,000,000 until the year 4637; 本年累计 up to 9 × 10^10 万元 fits a bigint). One aggregate and one
column a month rather than two: a tenth of a second of a city's 1.2 million reports."""
_MONTH_COLUMNS = ",\n".join(
    f"max((m.completed_ytd_wan * 100)::bigint * {DAYS_PACKED} + (m.first_reported_on - date '{PACK_EPOCH}')) "
    f"FILTER (WHERE m.month = make_date(%(year)s, {k}, 1)) AS month_{k}"
    for k in MONTHS)
LISTED = """
SELECT p.project_code, p.name, {district} AS jurisdiction, pl.level, pl.category,
       (pl.annual_planned_investment_wan * 100)::bigint AS plan_cents, (p.total_investment_wan * 100)::bigint AS total_cents,
       p.signed_date, p.filed_date, p.planned_start_date, p.actual_start_date, p.planned_completion_date,
       p.actual_completion_date, p.production_date, p.capacity_date, p.evaluation_date,
       p.reported_stage, p.reported_stage_on, """ + ", ".join(f"reports.month_{k}" for k in MONTHS) + """
FROM project_plans pl
JOIN projects p ON p.project_code = pl.project_code
LEFT JOIN LATERAL (SELECT pa.assessed_zone_code AS zone_code FROM parcels pa
                   WHERE pa.project_code = p.project_code AND pa.assessed_zone_code IS NOT NULL LIMIT 1) held ON true
LEFT JOIN (SELECT m.project_code, """ + _MONTH_COLUMNS + """
           FROM monthly_reports m
           WHERE m.superseded_by IS NULL AND m.month >= %(year_start)s AND m.month <= %(month_start)s
           GROUP BY m.project_code) reports ON reports.project_code = p.project_code
WHERE pl.year = %(year)s{scope}
  AND (%(jurisdiction)s::text[] IS NULL OR {district} = ANY(%(jurisdiction)s))
  AND (%(zone)s::text[] IS NULL OR held.zone_code = ANY(%(zone)s))
  AND (%(industry)s::text[] IS NULL OR p.industry = ANY(%(industry)s))
  AND (%(level)s::text[] IS NULL OR pl.level = ANY(%(level)s))
  AND (%(category)s::text[] IS NULL OR pl.category = ANY(%(category)s))
ORDER BY p.project_code
"""
"""One row per listed project in the order of their codes, with its reports of the year up to the month: for each
month k, 本年累计 and the day its report first came (`month_k`, packed: `DAYS_PACKED`), empty where none. The
reports of the year are grouped once, by project (in parallel where PostgreSQL can), rather than looked up project
by project: a city's 100,000 lookups take about 1.6 times as long. The district, zone and months are data, not
rules: what each means for a rate is decided in `mujun.progress`. `{scope}` holds the
projects to the asker's districts, `{district}` is the project's (`mujun.scope`)."""


def _listed_sql(template: str, access: Access) -> sql.Composed:
    return sql.SQL(template).format(district=project_district_sql("p"),
                                    scope=project_in_scope_sql("p") if access.scoped else sql.SQL(""))

_TEXTS = ("project_code", "name", "jurisdiction", "level", "category", "reported_stage")
_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(_TEXTS, pa.string()), "plan_cents": pa.int64(), "total_cents": pa.int64(),
    **dict.fromkeys((*DATE_FIELDS, "reported_stage_on"), pa.date32()),
    **{f"month_{k}": pa.int64() for k in MONTHS},
}


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def _days(column: pa.Array) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _labels(column: pa.Array) -> Labels:
    encoded = pc.dictionary_encode(column)
    return Labels(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), tuple(encoded.dictionary.to_pylist()))


def _reported_months(column: dict[str, pa.Array]) -> tuple[np.ndarray, np.ndarray]:
    """(n, 12) 本年累计 reported for each month (-1: none) and the day its report first came (NaT: none)."""
    whole = np.column_stack([column[f"month_{k}"].fill_null(0).to_numpy() for k in MONTHS])
    none = ~np.column_stack([column[f"month_{k}"].is_valid().to_numpy(zero_copy_only=False) for k in MONTHS])
    ytd, days = np.floor_divide(whole, DAYS_PACKED), np.mod(whole, DAYS_PACKED)  # floored: a negative 本年累计 comes back whole
    first = PACK_EPOCH + days.astype("timedelta64[D]")
    return np.where(none, -1, ytd), np.where(none, np.datetime64("NaT"), first).astype("datetime64[D]")


def listed(conn: Connection, access: Access, year: int, month: int, filters: ProgressFilters) -> ListedProjects:
    """The projects on year `year`'s list as of month `month`, under `filters` and within `access`'s districts: PostgreSQL
    writes them as CSV (`COPY … TO STDOUT`) and Arrow reads the columns, with no Python object made per project but its
    code and name."""
    parameters = {"year": year, "year_start": dt.date(year, 1, 1), "month_start": dt.date(year, month, 1), **filters.parameters(),
                  **scope_params(access)}
    driver = _driver(conn)
    # A plan compiled to machine code costs more than this statement saves by it: hundreds of milliseconds.
    driver.execute("SET LOCAL jit = off")
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(_listed_sql(LISTED, access))
    data = bytearray()
    with driver.cursor().copy(statement, parameters) as copy:
        for row in copy:  # one row at a time: added in place, not copied to bytes of its own first
            data += row
    table = pacsv.read_csv(pa.py_buffer(data), convert_options=pacsv.ConvertOptions(column_types=_TYPES, strings_can_be_null=True))
    column = {name: table.column(name).combine_chunks() for name in table.column_names}
    ytd, first = _reported_months(column)
    stages = pc.index_in(column["reported_stage"], value_set=pa.array(STAGES)).fill_null(-1).to_numpy()
    return ListedProjects(
        code=column["project_code"].to_numpy(zero_copy_only=False), name=column["name"].to_numpy(zero_copy_only=False),
        jurisdiction=_labels(column["jurisdiction"]), level=_labels(column["level"]), category=_labels(column["category"]),
        plan_cents=column["plan_cents"].fill_null(0).to_numpy(), has_plan=column["plan_cents"].is_valid().to_numpy(zero_copy_only=False),
        total_cents=column["total_cents"].fill_null(0).to_numpy(),
        has_total=column["total_cents"].is_valid().to_numpy(zero_copy_only=False),
        ytd_by_month=carried_forward(ytd), dates={name: _days(column[name]) for name in DATE_FIELDS},
        reported_stage=stages.astype(np.int8), reported_on=_days(column["reported_stage_on"]), first_reported=first,
    )


def latest_report_month(conn: Connection) -> tuple[int, int] | None:
    """The latest month any report in force is for: the default as-of month."""
    row = _driver(conn).execute("SELECT max(month) FROM monthly_reports WHERE superseded_by IS NULL").fetchone()
    return None if row is None or row[0] is None else (row[0].year, row[0].month)


def progress_of(conn: Connection, access: Access, year: int, month: int, filters: ProgressFilters, policy: ProgressPolicy,
                today: dt.date) -> Progress:
    """The progress picture of the listed projects under `filters`, within `access`'s districts (a district's account
    sees its own projects, rates and ranks among its own districts)."""
    return progress(listed(conn, access, year, month, filters), year, month, policy, today)


def progress_map(conn: Connection, access: Access, year: int, month: int, filters: ProgressFilters,
                 policy: ProgressPolicy) -> dict[str, tuple[str, str]]:
    """Each listed project's stage on the month's last day and its progress class, for drawing its land."""
    projects = listed(conn, access, year, month, filters)
    return map_classes(projects, facts_of(projects, year, month, policy.annual_share))


# ---- the project card ---------------------------------------------------------------------------

CARD_FIELDS = ("project_code", "name", "enterprise", "industry", "project_type", "total_investment_wan", "currency",
               "level", "jurisdiction", *DATE_FIELDS, "reported_stage", "reported_stage_on")


_CARD = """
SELECT p.project_code, p.name, p.enterprise, p.industry, p.project_type, p.total_investment_wan, p.currency, p.level, p.jurisdiction,
       p.signed_date, p.filed_date, p.planned_start_date, p.actual_start_date, p.planned_completion_date, p.actual_completion_date,
       p.production_date, p.capacity_date, p.evaluation_date, p.reported_stage, p.reported_stage_on
FROM projects p WHERE p.project_code = %(code)s{scope}
"""
_CARD_PARCELS = """
SELECT parcel_code, area_mu, zone_code, status, bbox FROM (SELECT t.parcel_code, t.area_mu, t.zone_code, t.status,
       ARRAY[ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)] AS bbox FROM parcels t WHERE t.project_code = %(code)s{scope}) s
ORDER BY parcel_code
"""


def project_card(conn: Connection, access: Access, project_code: str, day: dt.date, policy: ProgressPolicy) -> dict[str, Any] | None:
    """A project's fields, its stage on `day` and how it got there, its plans, monthly reports (with every earlier
    version) and parcels (those of `access`'s districts); None when there is no such project, or it is of another
    district than `access`'s."""
    driver = _driver(conn)
    scoped = access.scoped
    params = {"code": project_code, **scope_params(access)}
    with driver.cursor(row_factory=dict_row) as cursor:
        project = cursor.execute(sql.SQL(_CARD).format(scope=project_in_scope_sql("p") if scoped else sql.SQL("")), params).fetchone()
        if project is None:
            return None
        plans = cursor.execute("SELECT year, category, level, annual_planned_investment_wan, load_id FROM project_plans "
                               "WHERE project_code = %s ORDER BY year", [project_code]).fetchall()
        reports = cursor.execute(
            "SELECT m.id, m.month, m.completed_month_wan, m.completed_ytd_wan, m.month_given_wan, m.ytd_given_wan, m.progress_note, "
            "m.reported_on, m.first_reported_on, m.load_id, m.superseded_by FROM monthly_reports m WHERE m.project_code = %s "
            "ORDER BY m.month, m.id", [project_code]).fetchall()
        changes = cursor.execute(
            "SELECT c.field, c.old_value, c.new_value, c.load_id, l.finished_at FROM project_changes c "
            "LEFT JOIN loads l ON l.id = c.load_id WHERE c.project_code = %s ORDER BY c.id", [project_code]).fetchall()
        parcels = cursor.execute(sql.SQL(_CARD_PARCELS).format(scope=parcel_in_scope_sql("t") if scoped else sql.SQL("")),
                                 params).fetchall()
    dates = {name: project[name] for name in DATE_FIELDS}
    reported = None if project["reported_stage"] is None else (stage_index(project["reported_stage"]), project["reported_stage_on"])
    stage = stage_on(dates, day, reported)
    history = [{"stage": STAGES[index], "date": dates[name], "basis": name} for index, name in STAGE_DATES.items()
               if dates[name] is not None and dates[name] <= day]
    if reported is not None and reported[1] <= day and all(entry["stage"] != STAGES[reported[0]] for entry in history):
        history.append({"stage": STAGES[reported[0]], "date": reported[1], "basis": "reported"})
    history.sort(key=lambda entry: stage_index(entry["stage"]))
    return {
        **project, "as_of": day, "stage": STAGES[stage], "stage_history": history, "changes": changes,
        "plans": plans, "monthly": _monthly(reports, policy), "parcels": parcels,
    }


def _monthly(reports: list[dict[str, Any]], policy: ProgressPolicy) -> list[dict[str, Any]]:
    """The reports in force, each with the versions it superseded; `late` by the first version's date."""
    def entry(report: dict[str, Any]) -> dict[str, Any]:
        month = report["month"]
        due = report_due(month.year, month.month, policy.report_due_day)
        return {"month": month_text(month.year, month.month), "completed_month_wan": report["completed_month_wan"],
                "completed_ytd_wan": report["completed_ytd_wan"], "given": {"completed_month_wan": report["month_given_wan"],
                                                                           "completed_ytd_wan": report["ytd_given_wan"]},
                "progress_note": report["progress_note"], "reported_on": report["reported_on"], "due": due,
                "late": report["first_reported_on"] > due, "load_id": report["load_id"]}

    current = [r for r in reports if r["superseded_by"] is None]
    return [{**entry(r), "superseded": [entry(old) for old in reports if old["month"] == r["month"] and old["id"] != r["id"]]}
            for r in current]


# ---- the page's filter choices ------------------------------------------------------------------

CHOICES = """
WITH listed AS (
    SELECT {district} AS jurisdiction, held.zone_code, p.industry, pl.level, pl.category
    FROM project_plans pl
    JOIN projects p ON p.project_code = pl.project_code
    LEFT JOIN LATERAL (SELECT pa.assessed_zone_code AS zone_code FROM parcels pa
                       WHERE pa.project_code = p.project_code AND pa.assessed_zone_code IS NOT NULL LIMIT 1) held ON true
    WHERE true{scope}
)
SELECT (SELECT array_agg(DISTINCT jurisdiction) FROM listed) AS jurisdiction, (SELECT array_agg(DISTINCT industry) FROM listed) AS industry,
       (SELECT array_agg(DISTINCT level) FROM listed) AS level, (SELECT array_agg(DISTINCT category) FROM listed) AS category,
       (SELECT array_agg(DISTINCT zone_code) FROM listed) AS zone,
       (SELECT array_agg(DISTINCT month) FROM monthly_reports WHERE superseded_by IS NULL) AS months
"""
"""The values the years' lists hold under each filter, as `LISTED` reads them, and the months with reports in force."""


def progress_choices(conn: Connection, access: Access) -> dict[str, Any]:
    """What the progress view offers: the months with reports in force (oldest first), each filter's values on the
    years' lists (in code point order, as the database's collation may not be the same everywhere), and the zones the
    listed projects are held against with their name and district; of `access`'s districts' projects only."""
    def values(found: list[Any] | None) -> list[Any]:
        return sorted(v for v in found or () if v is not None)

    with _driver(conn).cursor(row_factory=dict_row) as cursor:
        row = cursor.execute(_listed_sql(CHOICES, access), scope_params(access)).fetchone()
        assert row is not None
        zones = cursor.execute("SELECT zone_code, name, jurisdiction FROM zones WHERE zone_code = ANY(%s) ORDER BY zone_code",
                               [values(row["zone"])]).fetchall()
    return {"months": [month_text(m.year, m.month) for m in values(row["months"])], "jurisdiction": values(row["jurisdiction"]),
            "zone": zones, "industry": values(row["industry"]), "level": values(row["level"]),
            "category": [c for c in CATEGORIES if c in values(row["category"])]}
