"""Checks across the files of a load and against the database: all warnings, none stops a load.

Parcels outside every zone (no threshold) or straddling zones, a recorded area more than 1% off the
Gauss-Krüger area, parcels overlapping each other (beyond 1 m² slivers), parcels of unknown projects,
projects with no parcel, and parcel codes already stored under another project or with another geometry
(the load moves or replaces them: said so before it happens). What the database holds is taken into
account when a connection is given: the zones, projects and parcels the load will leave there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from etl.assess import Projects
from etl.check import Checked
from etl.geometry_check import CheckedGeometries
from etl.monthly import check_monthly_projects
from etl.placement import OVERLAP_TOLERANCE_M2, Placement, ZoneEdges, ZoneSet, parcel_overlaps, place
from mujun import rules
from mujun.errors import Problem, WarningKind
from mujun.rules import Policy


@dataclass(frozen=True)
class Surroundings:
    """What the checks compare a load's files with: the zones and projects there will be after it, and the
    parcels stored now (code → project code and area in 0.01 m²). None: not known (no file, no database)."""

    zones: ZoneSet | None
    project_codes: pa.Array | None
    stored_parcels: dict[str, tuple[str | None, int]]
    kept_parcel_projects: set[str] | None
    """Project codes of stored parcels the load leaves as they are (not in its file, not replaced)."""
    stored_projects: Projects | None = None
    """The projects stored before the load, as read for these checks."""
    project_districts: dict[str, str] | None = None
    """The district (所属地区) of each stored project of the parcels file; None: not read."""
    parcel_districts: list[tuple[str, str, str]] | None = None
    """Stored parcels of the projects file's projects, with their zone's district: (parcel, project, district)."""


def _of(checked: Iterable[Checked], kind: str) -> Checked | None:
    return next((c for c in checked if c.kind == kind), None)


def surroundings(conn: psycopg.Connection[Any] | None, checked: list[Checked], replace: frozenset[str],
                 policy: Policy, stored_projects: Projects | None = None) -> Surroundings:
    """What the files are checked against; `stored_projects`, when the caller has read them already."""
    zones_file, projects_file, parcels_file = (_of(checked, kind) for kind in ("zones", "projects", "parcels"))
    zone_rows = [(r["zone_code"], r["geom"], r["area_m2"], r["zone_class"], r["jurisdiction"])
                 for r in (zones_file.records if zones_file else []) if r.get("geom") is not None and r.get("zone_code")]
    project_codes = (pa.array(projects_file.columns["project_code"], type=pa.large_string()).drop_null()
                     if projects_file and projects_file.columns else None)
    stored: dict[str, tuple[str | None, int]] = {}
    kept: set[str] | None = None
    if parcels_file is not None and "parcels" not in replace:
        kept = set()
    if conn is not None:
        if "zones" not in replace and parcels_file is not None:  # stored zones place the file's parcels, and nothing else
            in_file = {row[0] for row in zone_rows}
            zone_rows += [(code, shapely.from_wkb(wkb), area, zone_class, jurisdiction) for code, zone_class, jurisdiction, area, wkb
                          in conn.execute("SELECT zone_code, zone_class, jurisdiction, area_m2, ST_AsBinary(geom) FROM zones")
                          if code not in in_file]
        if "projects" not in replace and (parcels_file is not None or projects_file is not None):
            stored_projects = stored_projects if stored_projects is not None else Projects.read(conn)
            project_codes = stored_projects.codes if project_codes is None else pa.concat_arrays([project_codes, stored_projects.codes])
        elif "projects" not in replace:  # monthly reports, say: their projects' codes are all they are checked against
            stored_codes = pa.array([row[0] for row in conn.execute("SELECT project_code FROM projects")], type=pa.large_string())
            project_codes = stored_codes if project_codes is None else pa.concat_arrays([project_codes, stored_codes])
        if parcels_file is not None or projects_file is not None:  # namesakes of the file's parcels; projects with land
            stored = {code: (project, int(area)) for code, project, area in
                      conn.execute("SELECT parcel_code, project_code, (area_m2 * 100)::bigint FROM parcels")}
        if "parcels" not in replace:  # the file's codes are gathered only when some are stored
            in_file = set(parcels_file.texts["parcel_code"].to_pylist()) if parcels_file and stored else set()
            kept = {project for code, (project, _) in stored.items() if project and code not in in_file}
    codes, geometries, areas, classes, jurisdictions = (list(column) for column in zip(*zone_rows, strict=True)) if zone_rows else ([],) * 5
    zones = ZoneSet.of(codes, geometries, areas, classes, jurisdictions, policy) if conn is not None or zones_file else None
    project_districts, parcel_districts = _stored_districts(conn, projects_file, parcels_file) if conn is not None else (None, None)
    return Surroundings(zones, project_codes, stored, kept, stored_projects, project_districts, parcel_districts)


def _districts_given(projects: Checked | None) -> bool:
    return projects is not None and any(d is not None for d in projects.columns.get("jurisdiction", ()))


def _stored_districts(conn: psycopg.Connection[Any], projects: Checked | None,
                      parcels: Checked | None) -> tuple[dict[str, str] | None, list[tuple[str, str, str]] | None]:
    """What the district check needs from the database, read only when the files can be compared with it."""
    project_districts = None
    if parcels is not None and parcels.texts and not _districts_given(projects):
        codes = parcels.texts["project_code"].drop_null().unique().to_pylist()
        project_districts = dict(conn.execute("SELECT project_code, jurisdiction FROM projects WHERE project_code = ANY(%s) "
                                              "AND jurisdiction IS NOT NULL", [codes]).fetchall())
    parcel_districts = None
    if projects is not None and _districts_given(projects) and parcels is None:
        codes = [code for code in projects.columns["project_code"] if code is not None]
        parcel_districts = [(row[0], row[1], row[2]) for row in conn.execute(
            "SELECT p.parcel_code, p.project_code, z.jurisdiction FROM parcels p JOIN zones z ON z.zone_code = p.zone_code "
            "WHERE p.project_code = ANY(%s)", [codes])]
    return project_districts, parcel_districts


def _warning(kind: WarningKind, checked: Checked, i: int | np.integer, field: str | None, value: Any, zh: str, en: str) -> Problem:
    return Problem(checked.file, checked.locate(int(i)), field, None if value is None else str(value), zh, en, severity="warning",
                   code=kind)


def _warn(kind: WarningKind, checked: Checked, i: int | np.integer, field: str | None, value: Any, zh: str, en: str) -> None:
    checked.warnings.append(_warning(kind, checked, i, field, value, zh, en))


def _full_placement(placement: Placement, present: np.ndarray, n: int) -> Placement:
    zone, share, straddles = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    zone[present], share[present], straddles[present] = placement.zone, placement.share, placement.straddles
    return Placement(placement.zones, zone, share, straddles)


def _m2(cents: int) -> str:
    return f"{Decimal(int(cents)) / 100:.2f}"


def place_parcels(parcels: Checked, geometry: CheckedGeometries, start: int, edges: ZoneEdges) -> tuple[Placement, list[Problem]]:
    """The placement of the parcels `geometry` holds (features `start`… of the file), and a warning for each one
    lying in no zone or straddling zones, in the order of the features."""
    zones = edges.zones
    present = np.flatnonzero(geometry.present)
    shapes = geometry.shapes
    placement = _full_placement(place(shapes.bounds[present], lambda rows: shapes.of(present[rows]), geometry.epsg[present],
                                      geometry.area_m2[present], zones, edges), present, len(geometry.present))
    outside = np.zeros(len(geometry.present), dtype=bool)
    outside[present] = placement.zone[present] < 0
    warnings = []
    for i in np.flatnonzero(outside | placement.straddles):
        if outside[i]:
            warnings.append(_warning(WarningKind.OUTSIDE_ZONE, parcels, start + i, "geometry", None, "不在任何园区内：无投资强度门槛，单独列出",
                                     "lies in no zone: it has no threshold and is listed apart"))
            continue
        share, zone = f"{placement.share[i] / 100:.2f}%", zones.codes[placement.zone[i]]
        warnings.append(_warning(WarningKind.STRADDLES_ZONES, parcels, start + i, "geometry", share, f"跨园区：所在园区 {zone} 仅含其 {share}（不足一半）",
                                 f"straddles zones: its zone {zone} holds only {share} of it (under half)"))
    return placement, warnings


def check_parcels_against(parcels: Checked, around: Surroundings, placement: Placement | None = None) -> Placement | None:
    """Warn about each parcel's place, area, neighbours, project and stored namesake; return its placement.
    `placement`: the parcels placed already (`place_parcels`, a part at a time, its warnings added), or None to place
    them here."""
    geometry, columns = parcels.geometry, parcels.columns
    assert geometry is not None
    has_geometry = geometry.present
    projects = parcels.texts["project_code"]
    if around.zones is None:
        parcels.inferences.append(f"{parcels.file}: no zones file and no database: zones of parcels not checked / "
                                  "未给出园区文件且未连接数据库：未检查宗地所在园区")
    elif placement is None:
        placement, found = place_parcels(parcels, geometry, 0, ZoneEdges.of(around.zones, geometry.shapes.bounds))
        parcels.warnings += found
    mismatch = rules.area_mismatches(geometry.area_cents, columns["recorded_cents"], columns["has_recorded"] & has_geometry)
    for i in np.flatnonzero(mismatch):
        area = _m2(geometry.area_cents[i])
        _warn(WarningKind.AREA_MISMATCH, parcels, i, "recorded_area_m2", _m2(columns["recorded_cents"][i]),
              f"出让面积与图形的高斯-克吕格面积（{area} m²）相差超过 1%", f"differs by more than 1% from the geometry's Gauss-Krüger area ({area} m²)")
    if around.project_codes is not None:
        given = parcels.texts["project_code"]
        unknown = pc.and_(given.is_valid(), pc.invert(pc.is_in(given, value_set=around.project_codes)))
        for i in np.flatnonzero(unknown.to_numpy(zero_copy_only=False)):
            _warn(WarningKind.UNKNOWN_PROJECT, parcels, i, "project_code", projects[i].as_py(), "项目编号在项目表和数据库中都不存在：该宗地按无项目单独评价",
                  "no such project in the projects file or the database: the parcel is judged alone, as land of no project")
    given = parcels.texts["project_code"].to_pylist() if around.stored_parcels else []
    for row, code in enumerate(parcels.texts["parcel_code"].to_pylist() if around.stored_parcels else ()):
        if code not in around.stored_parcels:
            continue
        stored_project, stored_area = around.stored_parcels[code]
        if stored_project != given[row]:
            _warn(WarningKind.PARCEL_MOVED, parcels, row, "project_code", given[row], f"该宗地编号在数据库中属于项目 {stored_project}：载入后改属 {given[row]}",
                  f"this parcel code is stored under project {stored_project}: the load moves it to {given[row]}")
        if has_geometry[row] and stored_area != geometry.area_cents[row]:
            _warn(WarningKind.GEOMETRY_REPLACED, parcels, row, "geometry", f"{_m2(geometry.area_cents[row])} m²",
                  f"该宗地编号已在数据库中，图形不同（库中面积 {_m2(stored_area)} m²）：载入后替换为本文件的图形",
                  f"this parcel code is stored with another geometry ({_m2(stored_area)} m² there): the load replaces it")
    return placement


def check_overlaps(checked: list[Checked]) -> None:
    """Warn about parcels overlapping each other (beyond slivers). Apart from `cross_check`, so that a load
    can run it while the server builds the parcels' indexes: it changes no row, only what is reported."""
    parcels = _of(checked, "parcels")
    if parcels is None or parcels.geometry is None:
        return
    geometry, codes = parcels.geometry, parcels.texts["parcel_code"]
    present = np.flatnonzero(geometry.present)
    shapes = geometry.shapes
    first, second, overlap = parcel_overlaps(shapes.bounds[present], lambda rows: shapes.of(present[rows]), geometry.epsg[present])
    for a, b, area_m2 in zip(present[first], present[second], overlap, strict=True):
        _warn(WarningKind.OVERLAP, parcels, a, "geometry", f"{area_m2:.2f} m²",
              f"与{parcels.locate(int(b))}（宗地 {codes[b].as_py()}）重叠 {area_m2:.2f} m²（小于 {OVERLAP_TOLERANCE_M2:g} m² 的缝隙不计）",
              f"overlaps {parcels.locate(int(b))} (parcel {codes[b].as_py()}) by {area_m2:.2f} m² (slivers under {OVERLAP_TOLERANCE_M2:g} m² are ignored)")


def check_projects_against(projects: Checked, parcels: Checked | None, around: Surroundings) -> None:
    if (around.kept_parcel_projects is None and parcels is None) or not projects.columns:
        return
    with_parcels = set(around.kept_parcel_projects or ()) | set(parcels.texts["project_code"].to_pylist() if parcels and parcels.texts else ())
    for i, code in enumerate(projects.columns["project_code"]):
        if code and code not in with_parcels:
            _warn(WarningKind.NO_PARCEL, projects, i, "project_code", code, "该项目没有宗地（宗地文件和数据库中都没有）",
                  "the project has no parcel (none in the parcels file or the database)")


def check_districts(projects: Checked | None, parcels: Checked | None, placement: Placement | None, around: Surroundings) -> None:
    """A warning for each parcel lying in a zone of another district than its project's 所属地区."""
    districts = around.project_districts or {}
    if _districts_given(projects):
        assert projects is not None
        districts = {code: district for code, district in zip(projects.columns["project_code"], projects.columns["jurisdiction"],
                                                               strict=True) if code is not None and district is not None}
    if parcels is not None and placement is not None and districts:
        zone_districts = placement.zones.jurisdictions
        for i, project in enumerate(parcels.texts["project_code"].to_pylist()):
            zone = placement.zone[i]
            if project in districts and zone >= 0 and zone_districts[zone] != districts[project]:
                _warn(WarningKind.OTHER_DISTRICT, parcels, i, "project_code", project,
                      f"所在园区属于{zone_districts[zone]}，而项目的所属地区为{districts[project]}",
                      f"lies in a zone of {zone_districts[zone]}, while its project's district (所属地区) is {districts[project]}")
    if projects is not None and around.parcel_districts:
        rows = {code: i for i, code in enumerate(projects.columns["project_code"])}
        for parcel, project, district in around.parcel_districts:
            if districts.get(project) not in (None, district):
                _warn(WarningKind.OTHER_DISTRICT, projects, rows[project], "jurisdiction", districts[project],
                      f"该项目已存宗地 {parcel} 所在园区属于{district}，与所属地区不符",
                      f"the project's stored parcel {parcel} lies in a zone of {district}, not in this district")


def cross_check(checked: list[Checked], around: Surroundings, overlaps: bool = True, placement: Placement | None = None) -> Placement | None:
    """Add every cross-file and database warning to the checked files; the parcels' placement, if any.
    `overlaps=False`: all but `check_overlaps`, which the caller then runs itself; `placement`: the parcels' when
    placed already (`check_parcels_against`)."""
    parcels, projects = _of(checked, "parcels"), _of(checked, "projects")
    if parcels is not None and parcels.geometry is not None:
        placement = check_parcels_against(parcels, around, placement)
    if projects is not None:
        check_projects_against(projects, parcels, around)
    check_districts(projects, parcels, placement, around)
    monthly = _of(checked, "monthly")
    if monthly is not None and monthly.columns:
        if around.project_codes is None:
            monthly.inferences.append(f"{monthly.file}: no projects file and no database: the reports' projects not checked / "
                                      "未给出项目文件且未连接数据库：未检查月报的项目编号")
        else:
            check_monthly_projects(monthly, around.project_codes)
    if overlaps:
        check_overlaps(checked)
    return placement
