"""The intensity-violation report: industrial projects below their zone's threshold, with their parcels.

Every filter but the sort selects whole projects: status and band are the project's result (stored alike
on each of its parcels), stage, industry and level are the project's, and jurisdiction, zone and zone class
are those of the zone the project is held against (`Parcel.assessed_zone_code`, whose threshold applies),
so a multi-parcel project is listed with all its parcels or not at all. A project's shortfall is shown on
each of its parcels and counted once in every total.

The data-quality section lists, under the same filters but whatever the status, parcels outside every
zone (industrial land with no threshold, never a violation), straddling parcels and recorded-area
mismatches; the last two stay among the violations too when their project is below its threshold.

Every query takes the caller's `Access`: a scoped account's report, summary, data quality, choices and every
export hold only its districts' parcels (`mujun.scope`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, any_, func, or_, select, tuple_
from sqlalchemy.orm import QueryableAttribute, aliased

from layers.records import GEOJSON_DECIMALS, PARCEL_ZONE, fetch_dicts, parcel_record, record_select, zone_feature, zone_select
from mujun.access import Access
from mujun.errors import MujunError
from mujun.models import Parcel, PolicyRow, Project, Zone
from mujun.policy import ZONE_CLASSES
from mujun.rules import CENT, STAGES, Band, Flag, Status, intensity_wan_per_mu, ratio_of
from mujun.scope import parcel_in_scope

REPORTED_STATUSES = (Status.BELOW.value, Status.MEETS.value)
"""Only assessed projects have a threshold to fall short of; the others are never violations."""
BANDS = (Band.MEETS.value, Band.BELOW.value, Band.FAR_BELOW.value)
DEFAULT_SORT = "-shortfall_wan"
DATA_QUALITY_ISSUES = (Status.OUTSIDE_ZONE.value, Flag.STRADDLES_ZONES.value, Flag.AREA_MISMATCH.value)

# The zone a project is held against, beside the parcel's own zone that record_select() joins.
HeldZone = aliased(Zone, name="held_zone")
FILTER_NAMES = ("jurisdiction", "zone", "zone_class", "stage", "industry", "level", "status", "band")
_HELD_COLUMNS = ("held_zone_code", "held_zone_name", "held_zone_class", "held_jurisdiction")

SORT_FIELDS: dict[str, QueryableAttribute[Any] | ColumnElement[Any]] = {
    "parcel_code": Parcel.parcel_code, "project_code": Parcel.project_code, "project_name": Project.name,
    "enterprise": Project.enterprise, "industry": Project.industry, "stage": Project.stage, "level": Project.level,
    "zone_code": Parcel.zone_code, "zone_name": PARCEL_ZONE.c.zone_name, "jurisdiction": PARCEL_ZONE.c.jurisdiction,
    "area_mu": Parcel.area_mu, "project_area_mu": Parcel.project_area_mu,
    "total_investment_wan": Project.total_investment_wan, "intensity_wan_per_mu": Parcel.intensity_wan_per_mu,
    "threshold_wan_per_mu": Parcel.threshold_wan_per_mu, "ratio": Parcel.ratio, "shortfall_wan": Parcel.shortfall_wan,
}
"""The record fields a report may be sorted by (`-field` for descending); nothing else reaches ORDER BY."""


def bad_filter(name: str, value: str, allowed: Iterable[str], hint: tuple[str, str] = ("", "")) -> MujunError:
    allowed_text = "、".join(allowed)
    return MujunError(
        f"筛选条件 {name} 的值 {value!r} 无效{hint[0]}，可选：{allowed_text}",
        f"invalid value {value!r} for filter {name}{hint[1]}; expected one of: {', '.join(allowed)}",
        code="invalid_filter", status_code=422, details=[{"field": name, "value": value}],
    )


@dataclass(frozen=True)
class ProjectFilters:
    """The filters on a project and the zone it is held against, shared by the report and the map.
    An empty tuple means any value; several values mean any of them."""

    jurisdiction: tuple[str, ...] = ()
    zone: tuple[str, ...] = ()
    zone_class: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    level: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViolationFilters(ProjectFilters):
    """What the report selects: the project filters, then the result's status (by default: below) and band."""

    status: tuple[str, ...] = (Status.BELOW.value,)
    band: tuple[str, ...] = ()
    sort: str = DEFAULT_SORT

    def __post_init__(self) -> None:
        for name, allowed in (("zone_class", ZONE_CLASSES), ("stage", STAGES), ("band", BANDS)):
            for value in getattr(self, name):
                if value not in allowed:
                    raise bad_filter(name, value, allowed)
        for value in self.status:
            if value not in REPORTED_STATUSES:
                raise bad_filter("status", value, REPORTED_STATUSES, (
                    "（不考核与园区外的宗地没有门槛，园区外宗地列在数据质量部分）",
                    " (projects not assessed or outside every zone have no threshold; outside-zone parcels are"
                    " listed under data quality)"))
        if self.sort.removeprefix("-") not in SORT_FIELDS:
            raise bad_filter("sort", self.sort, SORT_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        return {name: list(getattr(self, name)) for name in FILTER_NAMES} | {"sort": self.sort}

    def project_conditions(self) -> list[ColumnElement[bool]]:
        """Every filter except status and band, as conditions on the record query (bound parameters)."""
        columns: dict[str, QueryableAttribute[Any]] = {
            "jurisdiction": HeldZone.jurisdiction, "zone": HeldZone.zone_code, "zone_class": HeldZone.zone_class,
            "stage": Project.stage, "industry": Project.industry, "level": Project.level,
        }
        return [columns[name].in_(getattr(self, name)) for name in columns if getattr(self, name)]

    def result_conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Parcel.status.in_(self.status or REPORTED_STATUSES)]
        if self.band:
            conditions.append(Parcel.band.in_(self.band))
        return conditions

    def order_by(self) -> list[Any]:
        column = SORT_FIELDS[self.sort.removeprefix("-")]
        first = column.desc() if self.sort.startswith("-") else column.asc()
        # Ties go by project, then parcel: a project's parcels stay together, and every export has one order.
        return [first.nulls_last(), Parcel.project_code.asc(), Parcel.parcel_code.asc()]


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary: a jurisdiction, a zone or the whole report, each project counted once."""

    projects: int
    parcels: int
    area_mu: Decimal
    total_investment_wan: Decimal
    required_investment_wan: Decimal
    shortfall_wan: Decimal
    key: dict[str, Any] = field(default_factory=dict)

    @property
    def intensity_wan_per_mu(self) -> Decimal | None:
        """平均亩均投资强度: the group's total investment over its total land, as for one project."""
        return intensity_wan_per_mu(self.total_investment_wan, self.area_mu) if self.area_mu else None

    @property
    def threshold_wan_per_mu(self) -> Decimal | None:
        """The thresholds weighted by land (a zone's own threshold; a mix of them for a jurisdiction)."""
        return intensity_wan_per_mu(self.required_investment_wan, self.area_mu) if self.area_mu else None

    @property
    def ratio(self) -> Decimal | None:
        intensity, threshold = self.intensity_wan_per_mu, self.threshold_wan_per_mu
        if intensity is None or not threshold:
            return None
        return ratio_of(intensity, threshold)

    def as_json(self) -> dict[str, Any]:
        def number(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            **self.key, "projects": self.projects, "parcels": self.parcels,
            "area_mu": float(self.area_mu.quantize(CENT, rounding=ROUND_HALF_UP)),
            "total_investment_wan": float(self.total_investment_wan),
            "required_investment_wan": float(self.required_investment_wan.quantize(CENT, rounding=ROUND_HALF_UP)),
            "intensity_wan_per_mu": number(self.intensity_wan_per_mu),
            "threshold_wan_per_mu": number(self.threshold_wan_per_mu), "ratio": number(self.ratio),
            "shortfall_wan": float(self.shortfall_wan),
        }


@dataclass(frozen=True)
class Summary:
    total: SummaryLine
    by_jurisdiction: list[SummaryLine]
    by_zone: list[SummaryLine]
    policy: dict[str, Any] | None
    data_quality_parcels: int = 0
    """Entries of the data-quality section (all of them, however many a page of the report lists)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy, "total": self.total.as_json(),
            "by_jurisdiction": [line.as_json() for line in self.by_jurisdiction],
            "by_zone": [line.as_json() for line in self.by_zone],
            "data_quality_parcels": self.data_quality_parcels,
        }


@dataclass(frozen=True)
class ViolationReport:
    filters: ViolationFilters
    summary: Summary
    violations: list[dict[str, Any]]
    data_quality: list[dict[str, Any]]
    geometries: dict[str, dict[str, Any]]
    """GeoJSON geometry (CRS84) of each listed violation parcel, when asked for."""
    zones: list[dict[str, Any]] = field(default_factory=list)
    """With the geometries: the zones the listed parcels lie in or are held against, as GeoJSON features (code, name, class)."""

    def as_json(self) -> dict[str, Any]:
        return {"filters": self.filters.as_dict(), "summary": self.summary.as_json(),
                "violations": self.violations, "data_quality": self.data_quality}


def _report_select(filters: ViolationFilters, access: Access) -> Select:
    return (
        record_select()
        .add_columns(HeldZone.zone_code.label("held_zone_code"), HeldZone.name.label("held_zone_name"),
                     HeldZone.zone_class.label("held_zone_class"), HeldZone.jurisdiction.label("held_jurisdiction"))
        .outerjoin(HeldZone, HeldZone.zone_code == Parcel.assessed_zone_code)
        .where(*filters.project_conditions(), *parcel_in_scope(access))
    )


def violations_select(filters: ViolationFilters, access: Access) -> Select:
    """The violation rows the filters select in the caller's districts, in the report's order (the records and the held zone)."""
    return _report_select(filters, access).where(*filters.result_conditions()).order_by(*filters.order_by())


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record = parcel_record(row)
    for name in _HELD_COLUMNS:
        del record[name]
    return record


def check_known(conn: Connection, filters: ViolationFilters) -> None:
    """A zone code or jurisdiction that no loaded zone has is a typo, not an empty report."""
    for name, column in (("zone", Zone.zone_code), ("jurisdiction", Zone.jurisdiction)):
        wanted: Sequence[str] = getattr(filters, name)
        if not wanted:
            continue
        known = set(conn.scalars(select(column).where(column.in_(wanted)).distinct()))
        for value in wanted:
            if value not in known:
                raise MujunError(f"已加载的园区中没有{'园区编码' if name == 'zone' else '辖区'} {value!r}",
                                 f"no loaded zone has {name} {value!r}", code="invalid_filter", status_code=422,
                                 details=[{"field": name, "value": value}])


def _issues_of(record: dict[str, Any]) -> list[str]:
    issues = [Status.OUTSIDE_ZONE.value] if record["zone_code"] is None and record["status"] != Status.NOT_ASSESSED else []
    return issues + [flag for flag in DATA_QUALITY_ISSUES[1:] if flag in record["flags"]]


def _data_quality_select(filters: ViolationFilters, access: Access) -> Select:
    in_no_zone = Parcel.zone_code.is_(None) & (Parcel.status != Status.NOT_ASSESSED.value)
    flagged = [any_(Parcel.flags) == flag for flag in DATA_QUALITY_ISSUES[1:]]
    return _report_select(filters, access).where(or_(in_no_zone, *flagged))


def _data_quality(conn: Connection, access: Access, filters: ViolationFilters, page: Page) -> list[dict[str, Any]]:
    entries = []
    for row in fetch_dicts(conn, page.of(_data_quality_select(filters, access).order_by(Parcel.parcel_code))):
        record = _record(row)
        entries.append({"issues": _issues_of(record), **record})
    return entries


def _policy(conn: Connection) -> dict[str, Any] | None:
    """The policy the stored results were computed under (the load writes one for every parcel)."""
    used = select(Parcel.policy_code).where(Parcel.policy_code.is_not(None)).distinct().scalar_subquery()
    row = conn.execute(select(PolicyRow.code, PolicyRow.name, PolicyRow.city, PolicyRow.year)
                       .where(PolicyRow.code.in_(used)).order_by(PolicyRow.code)).mappings().first()
    return dict(row) if row else None


_LEVEL_TOTAL, _LEVEL_JURISDICTION = 3, 1  # GROUPING(jurisdiction, zone): both rolled up, or only the zone


def _summary_lines(conn: Connection, access: Access, filters: ViolationFilters) -> list[dict[str, Any]]:
    """Sums per jurisdiction, per zone and overall, each project once, in one pass of PostgreSQL.

    A project's land, investment, threshold and shortfall are stored alike on each of its parcels, so a
    project is one row of the inner query (its parcels counted); the outer one sums those rows exactly
    (numeric). The rules that turn the sums into intensities and ratios stay in Python (`SummaryLine`).
    """
    rows = _report_select(filters, access).where(*filters.result_conditions()).subquery("rows")
    held = (rows.c.held_zone_code, rows.c.held_zone_name, rows.c.held_zone_class, rows.c.held_jurisdiction)
    projects = (
        select(*held, func.count().label("parcels"), func.min(rows.c.project_area_mu).label("area_mu"),
               func.min(rows.c.total_investment_wan).label("investment"),
               func.min(rows.c.threshold_wan_per_mu * rows.c.project_area_mu).label("required"),
               func.min(rows.c.shortfall_wan).label("shortfall"))
        .group_by(rows.c.project_code, *held)
        .subquery("projects")
    )
    p = projects.c
    zone = (p.held_zone_code, p.held_zone_name, p.held_zone_class, p.held_jurisdiction)

    def total(column: Any) -> Any:
        return func.coalesce(func.sum(column), 0)

    query = (
        select(func.grouping(p.held_jurisdiction, p.held_zone_code).label("level"), *zone,
               func.count().label("projects"), total(p.parcels).label("parcels"), total(p.area_mu).label("area_mu"),
               total(p.investment).label("investment"), total(p.required).label("required"),
               total(p.shortfall).label("shortfall"))
        .group_by(func.grouping_sets(tuple_(), tuple_(p.held_jurisdiction), tuple_(*zone)))
    )
    return fetch_dicts(conn, query)


def summarise(conn: Connection, access: Access, filters: ViolationFilters, policy: dict[str, Any] | None,
              data_quality_parcels: int) -> Summary:
    """Totals per jurisdiction, per zone and overall, by the zone each project is held against."""
    total = SummaryLine(0, 0, Decimal(0), Decimal(0), Decimal(0), Decimal(0))
    jurisdictions: list[SummaryLine] = []
    zones: list[SummaryLine] = []
    for row in _summary_lines(conn, access, filters):
        figures = (int(row["projects"]), int(row["parcels"]), row["area_mu"], row["investment"], row["required"],
                   row["shortfall"])
        if row["level"] == _LEVEL_TOTAL:
            total = SummaryLine(*figures)
        elif row["level"] == _LEVEL_JURISDICTION:
            jurisdictions.append(SummaryLine(*figures, key={"jurisdiction": row["held_jurisdiction"]}))
        else:
            zones.append(SummaryLine(*figures, key={
                "zone_code": row["held_zone_code"], "zone_name": row["held_zone_name"],
                "zone_class": row["held_zone_class"], "jurisdiction": row["held_jurisdiction"]}))

    def ranked(lines: list[SummaryLine], name: str) -> list[SummaryLine]:
        return sorted(lines, key=lambda line: (-line.shortfall_wan, str(line.key[name])))

    return Summary(total, ranked(jurisdictions, "jurisdiction"), ranked(zones, "zone_code"), policy, data_quality_parcels)


@dataclass(frozen=True)
class Page:
    """Which rows of the lists a report carries: all of them unless a limit is given (the page's panel)."""

    limit: int | None = None
    offset: int = 0

    def of(self, query: Select) -> Select:
        return query if self.limit is None else query.limit(self.limit).offset(self.offset)


def report_choices(conn: Connection, access: Access) -> dict[str, list[str]]:
    """The industries, levels and bands the report's filters can choose from: those of below-threshold projects."""
    below = _report_select(ViolationFilters(), access).where(*ViolationFilters().result_conditions()).subquery("below")
    choices: dict[str, list[str]] = {}
    for name in ("industry", "level", "band"):
        column = below.c[name]
        values = conn.scalars(select(column).where(column.is_not(None)).distinct())
        choices[name] = sorted(str(value) for value in values)  # by code point: never the database's collation
    return choices


def _count(conn: Connection, query: Select) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def violation_count(conn: Connection, access: Access, filters: ViolationFilters) -> int:
    """How many violation rows the filters select in the caller's districts (what an export of them holds)."""
    return _count(conn, _report_select(filters, access).where(*filters.result_conditions()))


def violation_report(conn: Connection, access: Access, filters: ViolationFilters, *, with_geometry: bool = False,
                     page: Page | None = None) -> ViolationReport:
    """The report the filters select: violations (sorted), summary, data quality and, if asked, geometries.

    The summary always covers everything selected; `page` limits the two lists (the panel pages through them).
    """
    page = page or Page()
    check_known(conn, filters)
    query = page.of(violations_select(filters, access))
    if with_geometry:
        query = query.add_columns(func.ST_AsGeoJSON(Parcel.geom, GEOJSON_DECIMALS).label("geojson"))
    rows = fetch_dicts(conn, query)
    geometries = {row["parcel_code"]: json.loads(row["geojson"]) for row in rows} if with_geometry else {}
    zones = _zones_of(conn, {code for row in rows for code in (row["held_zone_code"], row["zone_code"])} - {None}) if with_geometry else []
    data_quality = _data_quality(conn, access, filters, page)
    quality_count = len(data_quality) if page.limit is None else _count(conn, _data_quality_select(filters, access))
    return ViolationReport(filters, summarise(conn, access, filters, _policy(conn), quality_count), [_record(row) for row in rows],
                           data_quality, geometries, zones)


_ZONE_PROPERTIES = ("zone_code", "name", "zone_class")


def _zones_of(conn: Connection, codes: set[str]) -> list[dict[str, Any]]:
    query = zone_select(_ZONE_PROPERTIES).where(Zone.zone_code.in_(sorted(codes))).order_by(Zone.zone_code)
    return [zone_feature(row, _ZONE_PROPERTIES) for row in conn.execute(query).mappings()]
