"""What a monthly bulletin (通报) is made from, and the archive of issued bulletins.

Every figure comes from the functions the JSON routes use: `layers.progress.progress_of` (what `/api/progress`
serves) and `layers.violations.violation_report` (the violation report). Nothing here computes a figure: beside
them it gathers only the land of the listed projects and the city's zones (to draw the map of lagging projects)
and the data version. An issued bulletin is stored whole (its bytes, sha256, data version and the figures it
shows), so that it opens the same after any later load.

Districts: an account of some districts makes, issues, lists and opens only those districts' bulletins (never the
city's; one district's account is given its own when it names none). A bulletin is the same document whoever makes
it: once its scope is found to be the account's, its figures are the scope's, and a district's bulletin places the
district among the city's districts and beside the city's rates, naming no other district (`scope_for`, `gather`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select

from layers.progress import ProgressFilters, progress_of
from layers.records import GEOJSON_DECIMALS, zone_feature, zone_select
from layers.violations import Page, ViolationFilters, ViolationReport, violation_report
from mujun.access import Access
from mujun.errors import MujunError
from mujun.models import BulletinRow, Parcel, Zone
from mujun.progress import Progress, ProgressPolicy
from mujun.rules import Policy
from mujun.stages import month_text

LAGGING_LISTS = ("not_started", "not_completed", "behind_schedule")
"""The lists whose projects' land the bulletin's map draws: due to start, due to complete, behind the time schedule."""
ZONE_COLUMNS = ("zone_code", "name", "zone_class", "jurisdiction")


@dataclass(frozen=True)
class BulletinScope:
    """A month of a year's list, for the whole city or for one 所属地区."""

    year: int
    month: int
    jurisdiction: str | None = None

    @property
    def month_text(self) -> str:
        return month_text(self.year, self.month)


@dataclass(frozen=True)
class BulletinData:
    """Everything a bulletin shows, as the JSON routes compute it."""

    scope: BulletinScope
    policy: Policy
    progress_policy: ProgressPolicy
    progress: Progress
    """The scope's projects (`/api/progress` with `jurisdiction` for a district's bulletin)."""
    city_progress: Progress
    """The whole city's: its districts ranked (the same object as `progress` for the city's bulletin)."""
    violations: ViolationReport | None
    """The violation report of the scope (its summary by district); None when no loaded zone lies in the district."""
    data_version: int
    today: dt.date
    land: list[dict[str, Any]] = field(default_factory=list)
    """GeoJSON features (CRS84) of the parcels of the projects on the lagging lists, `project_code` in properties."""
    zones: list[dict[str, Any]] = field(default_factory=list)
    """Every loaded zone as a GeoJSON feature (code, name, class, district)."""

    @property
    def listed(self) -> int:
        """Projects on the year's list in the scope (each is in exactly one stage on D)."""
        return sum(self.progress.stages.values())


def data_version(conn: Connection) -> int:
    """The data version (migration 0004): bumped by every statement that changes the loaded data."""
    return int(conn.exec_driver_sql("SELECT last_value FROM data_version").scalar_one())


def _zones(conn: Connection) -> list[dict[str, Any]]:
    return [zone_feature(row, ZONE_COLUMNS) for row in conn.execute(zone_select(ZONE_COLUMNS).order_by(Zone.zone_code)).mappings()]


def _land(conn: Connection, project_codes: list[str]) -> list[dict[str, Any]]:
    if not project_codes:
        return []
    query = (select(Parcel.parcel_code, Parcel.project_code, func.ST_AsGeoJSON(Parcel.geom, GEOJSON_DECIMALS).label("geojson"))
             .where(Parcel.project_code.in_(project_codes)).order_by(Parcel.parcel_code))
    return [{"type": "Feature", "id": row.parcel_code, "geometry": json.loads(row.geojson),
             "properties": {"parcel_code": row.parcel_code, "project_code": row.project_code}} for row in conn.execute(query)]


def _not_listed(year: int, jurisdiction: str, known: list[str]) -> MujunError:
    named = "、".join(known)
    return MujunError(f"{year}年度计划中没有所属地区为 {jurisdiction} 的项目（有：{named}）",
                      f"no project on {year}'s list lies in {jurisdiction} (those that do: {', '.join(known)})",
                      code="unknown_jurisdiction", status_code=422, details=[{"field": "jurisdiction", "value": jurisdiction}])


def scope_for(access: Access, year: int, month: int, jurisdiction: str | None) -> BulletinScope:
    """The bulletin asked for, as `access` may have it: an account of one district that names none gets its district's,
    one of several districts must name one (422), and another district is answered as a district with no listed
    project would be (422, naming only the account's own)."""
    if jurisdiction is None and access.jurisdictions is not None:
        if len(access.jurisdictions) != 1:
            mine = "、".join(access.jurisdictions)
            raise MujunError(f"请选择所属地区（{mine}）：账户只能查看本辖区的通报", f"choose the district ({', '.join(access.jurisdictions)}): "
                             "this account sees only its own districts' bulletins", code="jurisdiction_required", status_code=422,
                             details=[{"field": "jurisdiction", "value": None}])
        jurisdiction = access.jurisdictions[0]
    if jurisdiction is not None and not access.sees(jurisdiction):
        raise _not_listed(year, jurisdiction, list(access.jurisdictions or ()))
    return BulletinScope(year, month, jurisdiction)


def gather(conn: Connection, access: Access, scope: BulletinScope, policy: Policy, progress_policy: ProgressPolicy,
           today: dt.date) -> BulletinData:
    """The figures of a bulletin, its map's land and zones, and the data version they were read at.

    `scope` must be one `access` may see (`scope_for`). Refused (422) when the year has no list, or the district no
    project on it: a bulletin of nothing is a mistake.
    """
    if not access.sees(scope.jurisdiction):  # the city's (None) only to an account of every district
        raise _not_listed(scope.year, scope.jurisdiction or "全市", list(access.jurisdictions or ()))
    # The scope is the account's: from here the document reads as its scope's own, the same whoever makes it (the city's
    # figures place a district among the districts and beside the city, naming no other district).
    document = replace(access, jurisdictions=None)
    version = data_version(conn)
    city = progress_of(conn, document, scope.year, scope.month, ProgressFilters(), progress_policy, today)
    if sum(city.stages.values()) == 0:
        raise MujunError(f"{scope.year}年尚无重大项目年度计划：请先载入含“年度”“项目类别”的项目清单",
                         f"there is no list of major projects for {scope.year}: load a projects file with 年度 and 项目类别 first",
                         code="no_list", status_code=422)
    progress = city
    zones = _zones(conn)
    if scope.jurisdiction is not None:
        progress = progress_of(conn, document, scope.year, scope.month, ProgressFilters(jurisdiction=(scope.jurisdiction,)),
                               progress_policy, today)
        if sum(progress.stages.values()) == 0:
            raise _not_listed(scope.year, scope.jurisdiction, [line["jurisdiction"] for line in city.by_jurisdiction
                                                               if access.sees(line["jurisdiction"])])
    violations = None
    if scope.jurisdiction is None or scope.jurisdiction in {zone["properties"]["jurisdiction"] for zone in zones}:
        filters = ViolationFilters(jurisdiction=(scope.jurisdiction,) if scope.jurisdiction else ())
        # The bulletin shows the report's summary by district, which covers everything selected whatever the page.
        violations = violation_report(conn, document, filters, page=Page(limit=1))
    lagging = sorted({entry["project_code"] for name in LAGGING_LISTS for entry in progress.lists[name]})
    return BulletinData(scope=scope, policy=policy, progress_policy=progress_policy, progress=progress, city_progress=city,
                        violations=violations, data_version=version, today=today, land=_land(conn, lagging), zones=zones)


# ---- the archive --------------------------------------------------------------------------------

_LISTED = (BulletinRow.id, BulletinRow.month, BulletinRow.jurisdiction, BulletinRow.format, BulletinRow.title,
           BulletinRow.policy_code, BulletinRow.sha256, BulletinRow.data_version, BulletinRow.issued_at,
           func.octet_length(BulletinRow.content).label("size"))


def _entry(row: Any) -> dict[str, Any]:
    return {"id": row.id, "month": month_text(row.month.year, row.month.month), "jurisdiction": row.jurisdiction,
            "format": row.format, "title": row.title, "policy_code": row.policy_code, "sha256": row.sha256,
            "data_version": row.data_version, "issued_at": row.issued_at, "size": row.size}


@dataclass(frozen=True)
class Issue:
    """What an issued bulletin keeps: the file and what it was made from."""

    scope: BulletinScope
    format: str
    title: str
    policy_code: str
    sha256: str
    data_version: int
    content: bytes
    figures: dict[str, str]


def store(conn: Connection, issue: Issue) -> dict[str, Any]:
    """Store an issued bulletin (the caller commits); its archive entry."""
    row = conn.execute(insert(BulletinRow).values(
        month=dt.date(issue.scope.year, issue.scope.month, 1), jurisdiction=issue.scope.jurisdiction, format=issue.format,
        title=issue.title, policy_code=issue.policy_code, sha256=issue.sha256, data_version=issue.data_version,
        content=issue.content, figures=issue.figures).returning(*_LISTED)).one()
    return _entry(row)


def _in_scope(access: Access) -> list[ColumnElement[bool]]:
    """The issued bulletins `access` may see: a scoped account's districts' (never the city's); every one otherwise."""
    return [] if access.jurisdictions is None else [BulletinRow.jurisdiction.in_(access.jurisdictions)]


def issued(conn: Connection, access: Access, month: tuple[int, int] | None = None, jurisdiction: str | None = None) -> list[dict[str, Any]]:
    """Issued bulletins `access` may see, latest first: of a month, of a district, or all."""
    query = select(*_LISTED).where(*_in_scope(access)).order_by(BulletinRow.issued_at.desc(), BulletinRow.id.desc())
    if month is not None:
        query = query.where(BulletinRow.month == dt.date(*month, 1))
    if jurisdiction is not None:
        query = query.where(BulletinRow.jurisdiction == jurisdiction)
    return [_entry(row) for row in conn.execute(query)]


def issued_entry(conn: Connection, access: Access, bulletin_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(*_LISTED).where(BulletinRow.id == bulletin_id, *_in_scope(access))).first()
    return None if row is None else _entry(row)


def issued_content(conn: Connection, access: Access, bulletin_id: int) -> tuple[dict[str, Any], bytes] | None:
    """An issued bulletin's entry and its bytes, as issued; None when there is none `access` may see."""
    row = conn.execute(select(*_LISTED, BulletinRow.content).where(BulletinRow.id == bulletin_id, *_in_scope(access))).first()
    return None if row is None else (_entry(row), bytes(row.content))


def issued_figures(conn: Connection, access: Access, bulletin_id: int) -> dict[str, str] | None:
    figures = conn.execute(select(BulletinRow.figures).where(BulletinRow.id == bulletin_id, *_in_scope(access))).scalar_one_or_none()
    return None if figures is None else dict(figures)
