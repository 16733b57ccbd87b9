"""Sample data for Mujun: Changzhou's zones and districts, parcels and projects, made up but plausible.

Deterministic (random.Random(2018), no network): writes zones.geojson, districts.geojson, parcels.gpkg and
projects.xlsx next to this file, the same bytes on every run. From the project root:
`python -m sample_geo.generate`. Names and rough places are in `catalogue.py`, drawing in metres in
`drawing.py`; here the parcels and projects are laid out so that, judged by `mujun.rules` and the
`changzhou-2018` policy, they hold the cases the portal must show (README.md lists them).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import sys
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from etl.fields import ZONE_CLASSES
from mujun import rules
from mujun.policy import load_policy
from sample_geo.basemap import write_mbtiles
from sample_geo.catalogue import DISTRICTS, LAND_USE, REGION, TYPE_CN, ZONES, names
from sample_geo.drawing import Pt, blob, block_grid, node, rectangle, subdivide, to_gk, to_ll
from sample_geo.land_use import EVALUATION_HEADER, EVALUATION_YEAR, ParcelUse, batches, firm_rows, parcel_uses
from sample_geo.land_use import SEED as LAND_SEED
from sample_geo.major_projects import DATE_HEADERS, MONTHS, YEAR, Course, course_of, level_of, monthly_reports, put_on_list

OUT = Path(__file__).resolve().parent
DATA_DATE = dt.date(2024, 6, 30)  # the sample's "today": stages agree with the agreed dates against it
MONTHLY_FILE = "monthly-2024.xlsx"
BATCHES_FILE = "batches.geojson"
EVALUATION_FILE = f"evaluation-{EVALUATION_YEAR}.xlsx"
Shapes = dict[str, BaseGeometry]  # by zone code or district name


def build_zones(rng: random.Random) -> Shapes:
    """Zone outlines in lon/lat rounded to 1e-7° as GeoJSON stores them; inner zones keep 150 m inside."""
    zones: Shapes = {}
    for spec in ZONES:
        shape = shapely.union_all([blob(rng, *part) for part in spec.parts])
        if spec.inside:
            shape = shape.intersection(to_gk(zones[spec.inside]).buffer(-150))
        zones[spec.code] = shapely.set_precision(to_ll(shape), 1e-7)
    return zones


def build_districts(zones_gk: Shapes) -> Shapes:
    districts: Shapes = {}
    for name, outline in DISTRICTS.items():
        shape = to_gk(Polygon([tuple(map(float, corner.split())) for corner in outline.split(",")]))
        districts[name] = shape.difference(shapely.union_all(list(districts.values()))) if districts else shape
    for spec in ZONES:
        assert districts[spec.jurisdiction].contains(zones_gk[spec.code].buffer(-50)), f"{spec.code} outside"
    return districts


def straddling(rng: random.Random, zones_gk: Shapes, count: int) -> list[tuple[str, Polygon]]:
    """Parcels on an outer zone's edge with 10–45% of their area inside it, away from other zones."""
    outers = [s.code for s in ZONES if s.inside is None]
    placed: list[tuple[str, Polygon]] = []
    while len(placed) < count:
        code = rng.choice(outers)
        zone = zones_gk[code]
        ring = max(getattr(zone, "geoms", [zone]), key=lambda g: g.area).exterior
        at = rng.uniform(0, ring.length - 10)
        p, q = ring.interpolate(at), ring.interpolate(at + 10)
        tx, ty = (q.x - p.x) / 10, (q.y - p.y) / 10
        nx, ny = (-ty, tx) if zone.contains(Point(p.x + ty * 5, p.y - tx * 5)) else (ty, -tx)  # outward
        depth = rng.uniform(100, 200)
        shift = depth * (0.5 - rng.uniform(0.15, 0.40))  # the centre lies this far outside the edge
        parcel = rectangle(rng, (p.x + nx * shift, p.y + ny * shift), rng.uniform(110, 240), depth, math.atan2(ty, tx))
        share = parcel.intersection(zone).area / parcel.area
        if 0.1 < share < 0.45 and all(parcel.distance(zones_gk[c]) > 100 for c in outers if c != code) \
                and all(parcel.distance(g) > 50 for _, g in placed):
            placed.append((code, parcel))
    return placed


def interior(rng: random.Random, zones_gk: Shapes, keep_out: BaseGeometry
             ) -> tuple[dict[str, list[list[Polygon]]], list[list[Pt]]]:
    """Whole blocks inside each zone (not across an inner zone's edge) until the zone's target: the
    parcels of each block, and the spare blocks of CZ-ZL-01 (400 万元/亩) for the boundary case."""
    blocks: dict[str, list[list[Polygon]]] = {}
    spare: list[list[Pt]] = []
    for spec in ZONES:
        inner = [zones_gk[s.code].buffer(40) for s in ZONES if s.inside == spec.code]
        allowed = zones_gk[spec.code].buffer(-15).difference(shapely.union_all([*inner, keep_out]))
        shapely.prepare(allowed)
        candidates = [q for q in block_grid(rng, zones_gk[spec.code], spec.inside is not None)
                      if allowed.contains(Polygon(q))]
        rng.shuffle(candidates)
        blocks[spec.code] = []
        while sum(map(len, blocks[spec.code])) < spec.target:
            leaves: list[list[Pt]] = []
            subdivide(rng, candidates.pop(), leaves)
            blocks[spec.code].append(node(leaves))
        spare = candidates if spec.code == "CZ-ZL-01" else spare
    return blocks, spare


def outside(rng: random.Random, districts: Shapes, zones_gk: Shapes, count: int) -> list[tuple[str, Polygon]]:
    """Parcels inside a district and at least 300 m from every zone."""
    district_names, all_zones = list(districts), shapely.union_all(list(zones_gk.values()))
    placed: list[tuple[str, Polygon]] = []
    while len(placed) < count:
        name = rng.choices(district_names, [districts[n].area for n in district_names])[0]
        x0, y0, x1, y1 = districts[name].bounds
        centre = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        parcel = rectangle(rng, centre, rng.uniform(80, 220), rng.uniform(60, 160), rng.uniform(0, math.pi))
        if districts[name].buffer(-200).contains(parcel) and parcel.distance(all_zones) > 300 \
                and all(parcel.distance(g) > 100 for _, g in placed):
            placed.append((name, parcel))
    return placed


@dataclass
class Parcel:
    gk: Polygon
    jurisdiction: str
    kind: str  # interior, straddle, outside or boundary
    recorded_m2: Decimal | None = None
    dates: tuple[dt.date, dt.date, dt.date] = (DATA_DATE, DATA_DATE, DATA_DATE)  # supply, start, completion
    code: str = ""
    ll: MultiPolygon = field(init=False)

    def __post_init__(self) -> None:
        self.ll = MultiPolygon([to_ll(self.gk)])  # exactly what parcels.gpkg stores


@dataclass
class Project:
    parcels: list[int]
    project_type: str
    stage: str = ""
    investment: int = 0  # 万元
    fixed_investment: int | None = None
    code: str = ""
    industry: str = ""
    name: str = ""
    enterprise: str = ""
    jurisdiction: str = ""
    course: Course = field(default_factory=Course)


def stage_for(rng: random.Random, start: dt.date, completion: dt.date) -> str:
    """项目阶段 consistent with the agreed dates on DATA_DATE, some projects lagging behind them."""
    if start > DATA_DATE:
        return rng.choice(("签约", "预备", "预备"))
    if completion > DATA_DATE:
        return "预备" if rng.random() < 0.15 else "开工"
    if rng.random() < 0.2:
        return "开工"
    return "评估" if completion.replace(year=completion.year + 1) < DATA_DATE and rng.random() < 0.5 else "竣工"


def lay_out(rng: random.Random) -> tuple[Shapes, Shapes, list[Parcel], list[Project]]:
    """Zones, districts, and parcels grouped into projects (one to three adjacent parcels each)."""
    zones_ll = build_zones(rng)
    zones_gk = {code: to_gk(g) for code, g in zones_ll.items()}
    districts = build_districts(zones_gk)
    straddles = straddling(rng, zones_gk, 25)
    blocks, spare = interior(rng, zones_gk, shapely.union_all([g.buffer(20) for _, g in straddles]))
    parcels: list[Parcel] = []
    projects: list[Project] = []

    def add(polygons: list[Polygon], jurisdiction: str, kind: str, project_type: str | None = None) -> None:
        project_type = project_type or rng.choices(list(TYPE_CN), (85, 9, 6))[0]
        projects.append(Project(list(range(len(parcels), len(parcels) + len(polygons))), project_type))
        parcels.extend(Parcel(g, jurisdiction, kind) for g in polygons)

    for spec in ZONES:
        for leaves in blocks[spec.code]:  # now and then a run of 2–3 parcels sharing a border is one project
            i = 0
            while i < len(leaves):
                group, size = [leaves[i]], rng.choice((2, 2, 3)) if rng.random() < 0.1 else 1
                while len(group) < size and i + len(group) < len(leaves) \
                        and group[-1].boundary.intersection(leaves[i + len(group)].boundary).length > 20:
                    group.append(leaves[i + len(group)])
                add(group, spec.jurisdiction, "interior")
                i += len(group)
    jurisdiction = {s.code: s.jurisdiction for s in ZONES}
    for code, polygon in straddles:
        add([polygon], jurisdiction[code], "straddle")
    for name, polygon in outside(rng, districts, zones_gk, 40):
        add([polygon], name, "outside", "industrial")
    # The boundary case: 10 亩 (100 m × 66.667 m) in a 400 万元/亩 zone with 4000 万元 meets, 3999 does not.
    p0, p1, _, p3 = spare.pop()
    along, across = (((b[0] - p0[0]) / math.dist(p0, b), (b[1] - p0[1]) / math.dist(p0, b)) for b in (p1, p3))
    for offset, investment in ((10, 4000), (130, 3999)):
        corners = ((offset, 10), (offset + 100, 10), (offset + 100, 10 + 200 / 3), (offset, 10 + 200 / 3))
        add([Polygon([(p0[0] + u * along[0] + v * across[0], p0[1] + u * along[1] + v * across[1])
                      for u, v in corners])], "钟楼区", "boundary", "industrial")
        projects[-1].fixed_investment = investment
    return zones_ll, districts, parcels, projects


def record_areas(rng: random.Random, parcels: list[Parcel]) -> tuple[list[Decimal], set[int]]:
    """出让面积: 40 parcels off the geometry's Gauss-Krüger area by 2.5–9%, the rest within 0.4% or NULL."""
    geometry_m2 = [rules.gk_area_m2(p.ll) for p in parcels]
    mismatched = set(rng.sample([i for i, p in enumerate(parcels) if p.kind == "interior"], 40))
    for i, parcel in enumerate(parcels):
        if parcel.kind == "boundary":
            parcel.recorded_m2 = Decimal("6666.67")
        elif i in mismatched or rng.random() >= 0.15:
            error = rng.choice((-1, 1)) * rng.uniform(0.025, 0.09) if i in mismatched \
                else 0 if rng.random() < 0.3 else rng.uniform(-0.004, 0.004)
            parcel.recorded_m2 = (geometry_m2[i] * Decimal(repr(1 + error))).quantize(Decimal("0.01"))
    return geometry_m2, mismatched


def settle(rng: random.Random, parcels: list[Parcel], projects: list[Project], zones_ll: Shapes,
           geometry_m2: list[Decimal]) -> tuple[list[rules.ZoneChoice], list[rules.Status]]:
    """Each parcel's zone and each project's dates, stage, names and 总投资 (so that about 17% of the
    industrial projects in a zone fall below its threshold), by the portal's own rules."""
    policy, specs = load_policy("changzhou-2018"), {s.code: s for s in ZONES}
    zones_gk = {code: to_gk(g) for code, g in zones_ll.items()}
    codes = list(zones_gk)
    tree = shapely.STRtree([zones_gk[c] for c in codes])
    zone_m2 = {c: float(g.area) for c, g in zones_gk.items()}
    threshold = {c: policy.threshold_for(s.jurisdiction, ZONE_CLASSES[s.zone_class]) for c, s in specs.items()}
    choices = []
    for g in (to_gk(p.ll) for p in parcels):
        overlaps = [rules.ZoneOverlap(codes[j], g.intersection(zones_gk[codes[j]]).area, zone_m2[codes[j]])
                    for j in tree.query(g, predicate="intersects")]
        choices.append(rules.choose_zone(g.area, overlaps))
    taken: set[str] = set()
    statuses = []
    for project in projects:
        supply = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 8 * 365 - 1))
        for k, i in enumerate(project.parcels):
            day = supply + dt.timedelta(days=rng.randint(0, 120) if k else 0)
            start = day + dt.timedelta(days=rng.randint(90, 365))
            parcels[i].dates = (day, start, start + dt.timedelta(days=rng.randint(365, 1095)))
        first, zone_code = parcels[project.parcels[0]], choices[project.parcels[0]].zone_code
        project.stage = stage_for(rng, *first.dates[1:])
        place = specs[zone_code].name if zone_code else first.jurisdiction
        project.industry, project.enterprise, project.name = names(rng, project.project_type, first.jurisdiction,
                                                                   place, taken)
        official = [rules.official_area_m2(geometry_m2[i], parcels[i].recorded_m2) for i in project.parcels]
        area_mu = rules.mu_from_m2(sum(official, Decimal(0)))
        lands = zip(official, (choices[i].zone_code for i in project.parcels), strict=True)
        zone = rules.project_zone([rules.ParcelLand(m2, c, zone_m2.get(c or "", 0.0), threshold.get(c or ""))
                                   for m2, c in lands])
        assert not zone.spans_zones
        draw = rng.random()
        if project.fixed_investment is not None:
            project.investment = project.fixed_investment
        elif project.project_type == "industrial" and zone.threshold_wan_per_mu is not None:
            ratio = rng.uniform(0.82, 0.98) if draw < 0.09 else rng.uniform(0.35, 0.78) if draw < 0.175 \
                else rng.uniform(1.02, 2.5)  # below, far below, meets
            project.investment = round(ratio * float(zone.threshold_wan_per_mu * area_mu))
        else:
            project.investment = round(rng.uniform(150, 900) * float(area_mu))
        result = rules.assess(project_type=project.project_type, total_investment_wan=Decimal(project.investment),
                              area_mu=area_mu, threshold_wan_per_mu=zone.threshold_wan_per_mu,
                              in_zone=zone.zone_code is not None)
        statuses.append(result.status)
        if project.fixed_investment is not None:
            assert zone.zone_code == "CZ-ZL-01" and result.intensity_wan_per_mu == Decimal(project.investment) / 10
            assert (result.status == rules.Status.MEETS) == (project.investment == 4000)
    for _ in range(20):  # 意向/签约: no land yet
        project = Project([], "industrial" if rng.random() < 0.85 else "service", rng.choice(("意向", "签约")))
        project.jurisdiction = district = rng.choice(list(REGION))
        project.industry, project.enterprise, project.name = names(rng, project.project_type, district, district, taken)
        project.investment = round(10 ** rng.uniform(3.7, 5.7))
        projects.append(project)
    return choices, statuses


def number(parcels: list[Parcel], projects: list[Project]) -> None:
    """宗地编号 region-year-sequence and 项目编号 CZXM-year-sequence, in order of supply."""
    sequence: dict[tuple[str, int], int] = {}
    for parcel in sorted(parcels, key=lambda p: (REGION[p.jurisdiction], p.dates)):
        key = (REGION[parcel.jurisdiction], parcel.dates[0].year)
        sequence[key] = sequence.get(key, 0) + 1
        parcel.code = f"{key[0]}-{key[1]}-{sequence[key]:04d}"
    for project in sorted(projects, key=lambda p: parcels[p.parcels[0]].dates if p.parcels else (DATA_DATE,)):
        key = ("CZXM", parcels[project.parcels[0]].dates[0].year if project.parcels else DATA_DATE.year)
        sequence[key] = sequence.get(key, 0) + 1
        project.code = f"CZXM-{key[1]}-{sequence[key]:04d}"


def write_geojson(path: Path, geometries: list[BaseGeometry], columns: dict[str, list[str]]) -> None:
    wkb = [shapely.to_wkb(MultiPolygon(getattr(g, "geoms", [g]))) for g in geometries]
    pyogrio.raw.write(str(path), np.array(wkb, dtype=object), [np.array(v, dtype=object) for v in columns.values()],
                      list(columns), layer=path.stem, driver="GeoJSON", geometry_type="MultiPolygon",
                      crs="OGC:CRS84", layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "7"})


def write_parcels(path: Path, parcels: list[Parcel], projects: list[Project], uses: list[ParcelUse]) -> None:
    owner = {i: p for p in projects for i in p.parcels}
    rows = sorted(range(len(parcels)), key=lambda i: parcels[i].code)

    def nan(value: float | None) -> float:
        return math.nan if value is None else value

    columns = {
        "parcel_code": np.array([parcels[i].code for i in rows], dtype=object),
        "project_code": np.array([owner[i].code for i in rows], dtype=object),
        "land_use": np.array([LAND_USE[owner[i].project_type] for i in rows], dtype=object),
        "recorded_area_m2": np.array([float(parcels[i].recorded_m2 or "nan") for i in rows]),  # NaN → NULL
        **{name: np.array([parcels[i].dates[k] for i in rows], dtype="datetime64[D]")
           for k, name in enumerate(("supply_date", "agreed_start_date", "agreed_completion_date"))},
        # The land-use fields (land_use.py), after the others: NaN and NaT are written as NULL.
        "land_price_wan": np.array([nan(uses[i].price_wan) for i in rows]),
        "start_date": np.array([uses[i].start or "NaT" for i in rows], dtype="datetime64[D]"),
        "developed_area_m2": np.array([nan(uses[i].developed_m2) for i in rows]),
        "stopped_date": np.array([uses[i].stopped or "NaT" for i in rows], dtype="datetime64[D]"),
        "government_delay": np.array([uses[i].government_delay for i in rows], dtype=object),
    }
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-06-30T00:00:00Z"})  # no timestamp of the run
    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(parcels[i].ll) for i in rows], dtype=object),
                      list(columns.values()), list(columns), layer="parcels", driver="GPKG",
                      geometry_type="MultiPolygon", crs=f"EPSG:{rules.GEOGRAPHIC_SRID}")


def write_workbook(path: Path, title: str, header: list[str], rows: list[list[object]], widths: list[int]) -> None:
    """One sheet, bold frozen header, fixed timestamps: the same bytes on every run."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip(ws.iter_cols(max_row=1), widths, strict=True):
        ws.column_dimensions[column[0].column_letter].width = width
    ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 6, 30)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook, which stamps the time of the run
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # and fixed member dates: the same bytes on every run
            dst.writestr(zipfile.ZipInfo(info.filename, (2024, 6, 30, 0, 0, 0)), src.read(info), zipfile.ZIP_DEFLATED)


def write_projects(path: Path, projects: list[Project]) -> None:
    header = ["项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "币种", "项目阶段", "项目级别", "所属地区",
              "年度", "项目类别", "年度计划投资(万元)", *DATE_HEADERS]
    rows: list[list[object]] = [
        [p.code, p.name, p.enterprise, p.industry, TYPE_CN[p.project_type], p.investment, "CNY", p.stage, level_of(p.investment),
         p.jurisdiction, YEAR if p.course.category else None, p.course.category, p.course.plan, *p.course.row()]
        for p in sorted(projects, key=lambda p: p.code)]
    write_workbook(path, "项目", header, rows, [16, 60, 34, 24, 10, 14, 8, 10, 14, 14, 8, 10, 18, *[13] * len(DATE_HEADERS)])


def plan_and_report(projects: list[Project], parcels: list[Parcel]) -> list[list[object]]:
    """Each project's dates and 2024 plan, and the monthly reports of January to June (their own random generator)."""
    rng = random.Random(YEAR)
    reports: list[list[object]] = []
    for project in sorted(projects, key=lambda p: p.code):
        first = parcels[project.parcels[0]] if project.parcels else None
        if first is not None:
            project.jurisdiction = first.jurisdiction
        project.course = course_of(rng, project.stage, first.dates if first else None, DATA_DATE)
        put_on_list(rng, project.course, project.investment)
        reports += monthly_reports(rng, project.code, project.course)
    return reports


def main() -> None:
    rng = random.Random(2018)
    zones_ll, districts, parcels, projects = lay_out(rng)
    geometry_m2, mismatched = record_areas(rng, parcels)
    choices, statuses = settle(rng, parcels, projects, zones_ll, geometry_m2)
    number(parcels, projects)
    reports = plan_and_report(projects, parcels)
    land = random.Random(LAND_SEED)  # after everything else, so that it changes none of it
    uses = parcel_uses(land, parcels, projects, DATA_DATE)
    approved = batches(land, parcels, {code: to_gk(g) for code, g in zones_ll.items()})
    firms = firm_rows(land, parcels, projects)
    for name in ("zones.geojson", "districts.geojson", "parcels.gpkg", "projects.xlsx", MONTHLY_FILE, BATCHES_FILE, EVALUATION_FILE):
        (OUT / name).unlink(missing_ok=True)
    write_geojson(OUT / "zones.geojson", list(zones_ll.values()), {
        "园区编码": [s.code for s in ZONES], "园区名称": [s.name for s in ZONES],
        "园区类别": [s.zone_class for s in ZONES], "所属辖区": [s.jurisdiction for s in ZONES]})
    write_geojson(OUT / "districts.geojson", [shapely.set_precision(to_ll(g), 1e-7) for g in districts.values()],
                  {"名称": list(districts)})
    write_parcels(OUT / "parcels.gpkg", parcels, projects, uses)
    write_projects(OUT / "projects.xlsx", projects)
    write_workbook(OUT / MONTHLY_FILE, "月报", ["项目编号", "月份", "本月完成投资(万元)", "本年累计完成投资(万元)", "形象进度", "填报日期"],
                   reports, [16, 12, 20, 22, 16, 13])
    tiles = write_mbtiles(OUT / "basemap.mbtiles", {name: to_ll(g) for name, g in districts.items()}, zones_ll,
                          [p.gk for p in parcels])
    write_geojson(OUT / BATCHES_FILE, [outline for *_, outline in approved], {
        "批次编号": [code for code, *_ in approved], "批准日期": [day.isoformat() for _, day, _, _ in approved],
        "批准文号": [number for _, _, number, _ in approved]})
    write_workbook(OUT / EVALUATION_FILE, "亩均效益", EVALUATION_HEADER, firms, [34, 22, 8, 14, 14, 12, 14, 16, 18, 18, 14, 14, 13])

    inner = {s.code for s in ZONES if s.inside}
    assessed = [s for s in statuses if s in (rules.Status.MEETS, rules.Status.BELOW)]
    share_below = sum(s == rules.Status.BELOW for s in assessed) / len(assessed)
    counts = {
        "zones": len(zones_ll), "parcels": len(parcels), "projects": len(projects),
        "projects without parcels": sum(not p.parcels for p in projects),
        "parcels outside every zone": sum(c.zone_code is None for c in choices),
        "straddling (<50% in zone)": sum(c.straddles for c in choices),
        "in a nested inner zone": sum(c.zone_code in inner for c in choices),
        "area mismatch (>1%)": sum(rules.area_mismatch(a, p.recorded_m2)
                                   for a, p in zip(geometry_m2, parcels, strict=True)),
        "multi-parcel projects": sum(len(p.parcels) > 1 for p in projects),
        f"on the {YEAR} list": sum(p.course.category is not None for p in projects),
        f"monthly reports, {YEAR}-01 to -0{MONTHS}": len(reports),
        "parcels with a land price": sum(u.price_wan is not None for u in uses),
        "parcels stopped": sum(u.stopped is not None for u in uses),
        "delays of the government's": sum(u.government_delay == "是" for u in uses),
        "approval batches": len(approved),
        f"firms evaluated in {EVALUATION_YEAR}": len(firms),
    }
    print(f"{'base map tiles (z8–z13)':30}{tiles}")
    for label, value in counts.items():
        print(f"{label:30}{value}")
    print(f"{'industrial projects in a zone':30}{len(assessed)}, {share_below:.1%} below the threshold")

    assert counts["zones"] >= 12 and len(inner) >= 2
    assert {ZONE_CLASSES[s.zone_class] for s in ZONES} == set(ZONE_CLASSES.values())
    assert {s.jurisdiction for s in ZONES} == set(REGION)
    assert all(to_gk(zones_ll[s.inside]).contains(to_gk(zones_ll[s.code])) for s in ZONES if s.inside)
    outer = [zones_ll[s.code] for s in ZONES if not s.inside]
    assert not any(a.intersects(b) for k, a in enumerate(outer) for b in outer[k + 1:])
    assert counts["parcels"] >= 1500 and counts["projects"] - counts["projects without parcels"] >= 1200
    assert 35 <= counts["parcels outside every zone"] <= 45 and 20 <= counts["straddling (<50% in zone)"] <= 30
    assert 25 <= counts["in a nested inner zone"] <= 40 and counts["area mismatch (>1%)"] == len(mismatched) == 40
    assert counts["multi-parcel projects"] >= 60 and 0.15 <= share_below <= 0.20
    assert all(5 <= rules.mu_from_m2(a) <= 200 for a in geometry_m2)
    assert all(p.recorded_m2 is None or i in mismatched or abs(p.recorded_m2 - a) <= Decimal("0.005") * a
               for i, (a, p) in enumerate(zip(geometry_m2, parcels, strict=True)))
    assert len({p.code for p in parcels}) == len(parcels) and len({p.code for p in projects}) == len(projects)
    stored = np.array([p.ll for p in parcels])
    assert shapely.STRtree(stored).query(stored, predicate="overlaps").shape[1] == 0, "overlapping parcels"
    assert {p.stage for p in projects} == {"意向", "签约", "预备", "开工", "竣工", "评估"}
    assert sum(p.investment >= 100000 for p in projects) >= 5  # some 省级重大项目 (≥ 10亿元)
    assert 0.80 <= sum(p.project_type == "industrial" for p in projects) / len(projects) <= 0.90


if __name__ == "__main__":
    main()
