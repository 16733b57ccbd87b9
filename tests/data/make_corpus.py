"""Write the corpus of awkward and broken inputs that land bureaus send, one folder per case.

    .venv/bin/python -m tests.data.make_corpus [OUT]     (default: tests/data/generated/, ignored by git)

Every case is the small world of tests/world.py (zones, 9 parcels, 8 projects with answers worked out by
hand) in another format, encoding, CRS or spelling, or with one defect. tests/etl/test_corpus.py holds
what each case must give; the session fixture there writes the corpus into a temporary folder.
"""

from __future__ import annotations

import csv
import json
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from mujun.gcj02 import wgs84_to_gcj02
from tests.geodata import write_geojson, write_xlsx
from tests.world import PROJECT_HEADER, world_parcels, world_projects, world_zones

DEFAULT_OUT = Path(__file__).resolve().parent / "generated"
CASES: dict[str, Callable[[Path], None]] = {}
PARCEL_HEADER = ["宗地编号", "项目编号", "用地性质", "出让面积"]
_TO_GK = Transformer.from_crs(4490, 4549, always_xy=True)


def case(function: Callable[[Path], None]) -> Callable[[Path], None]:
    CASES[function.__name__] = function
    return function


def _gk(geometry: BaseGeometry, zone_prefix: bool = False) -> BaseGeometry:
    """The lon/lat geometry in EPSG:4549 metres (with the zone number 40 in front when asked: EPSG:4528)."""
    offset = 40_000_000 if zone_prefix else 0
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_GK.transform(xy[:, 0], xy[:, 1])) + np.array([offset, 0.0]))


def _parcel_columns() -> tuple[list[BaseGeometry], list[np.ndarray]]:
    parcels = world_parcels()
    values = [np.array([p["parcel_code"] for p, _ in parcels], dtype=object),
              np.array([p["project_code"] for p, _ in parcels], dtype=object),
              np.array([p["land_use"] for p, _ in parcels], dtype=object),
              np.array([p["recorded_area_m2"] if p["recorded_area_m2"] else np.nan for p, _ in parcels])]
    return [g for _, g in parcels], values


def _write(path: Path, geometries: list[BaseGeometry], values: list[np.ndarray], fields: list[str], crs: str | None,
           driver: str, geometry_type: str = "Polygon", **options: Any) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": on purpose in several cases
        pyogrio.raw.write(path, shapely.to_wkb(np.array(geometries, dtype=object), flavor="iso"), values, fields=fields, crs=crs,
                          driver=driver, geometry_type=geometry_type, **options)
    return path


def _measured(geometry: BaseGeometry) -> BaseGeometry:
    """The polygon with a measure (M) on every vertex, as ArcGIS writes PolygonM shapefiles."""
    polygons = list(getattr(geometry, "geoms", [geometry]))
    ring = lambda r: "(" + ", ".join(f"{x!r} {y!r} {m}" for m, (x, y) in enumerate(r.coords)) + ")"  # noqa: E731
    return shapely.from_wkt("MULTIPOLYGON M (" + ", ".join(
        "(" + ", ".join(ring(r) for r in (p.exterior, *p.interiors)) + ")" for p in polygons) + ")")


def _gbk_shapefile(folder: Path, geometries: list[BaseGeometry] | None = None, crs: str | None = "EPSG:4490",
                   ldid: int = 0, geometry_type: str = "Polygon") -> Path:
    """Parcels as a GBK Shapefile with Chinese field names and no .cpg, as old desktop GIS writes them."""
    default, values = _parcel_columns()
    shp = _write(folder / "parcels.shp", geometries or default, values, PARCEL_HEADER, crs, "ESRI Shapefile", geometry_type,
                 encoding="GBK")
    (folder / "parcels.cpg").unlink()
    dbf = folder / "parcels.dbf"
    raw = bytearray(dbf.read_bytes())
    raw[29] = ldid
    dbf.write_bytes(bytes(raw))
    return shp


def _zip(archive: Path, files: list[Path], base: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for file in files:
            for member in ([file] if file.is_file() else sorted(file.rglob("*"))):
                out.write(member, member.relative_to(base).as_posix())
    return archive


def _projects(folder: Path, header: list[str], rows: list[list[Any]], name: str = "projects.xlsx") -> Path:
    return write_xlsx(folder / name, header, rows)


# Formats, encodings and CRSs that load ------------------------------------------------------------------


@case
def shp_gbk_no_cpg(folder: Path) -> None:
    _gbk_shapefile(folder)


@case
def shp_gbk_codepage_byte(folder: Path) -> None:
    _gbk_shapefile(folder, ldid=0x4D)


@case
def shp_utf8_with_cpg(folder: Path) -> None:
    geometries, values = _parcel_columns()
    # A DBF field name holds 10 bytes: three Chinese characters in UTF-8, so the names need the mapping file.
    _write(folder / "parcels.shp", geometries, values, ["宗地号", "项目号", "用途", "面积"], "EPSG:4490", "ESRI Shapefile", encoding="UTF-8")
    (folder / "mapping.yaml").write_text("parcels:\n  宗地号: parcel_code\n  项目号: project_code\n  用途: land_use\n"
                                         "  面积: recorded_area_m2\n", encoding="utf-8")


@case
def shp_no_prj_zone_prefix(folder: Path) -> None:
    _gbk_shapefile(folder, [_gk(g, zone_prefix=True) for g in _parcel_columns()[0]], crs=None)


@case
def shp_xian80_prj(folder: Path) -> None:
    """An old desktop GIS's parcels in Xi'an 1980 Gauss-Krüger (EPSG:2385): the numbers of EPSG:4549, another datum."""
    _gbk_shapefile(folder, [_gk(g) for g in _parcel_columns()[0]], crs="EPSG:2385")


@case
def shp_measured_arcgis(folder: Path) -> None:
    _gbk_shapefile(folder, [_measured(g) for g in _parcel_columns()[0]], geometry_type="Measured Polygon")


@case
def shp_zipped(folder: Path) -> None:
    inner = folder / "src"
    inner.mkdir()
    _gbk_shapefile(inner)
    _zip(folder / "parcels.zip", sorted(inner.iterdir()), inner)


@case
def gpkg_two_layers(folder: Path) -> None:
    geometries, values = _parcel_columns()
    path = folder / "city.gpkg"
    _write(path, geometries, values, PARCEL_HEADER, "EPSG:4490", "GPKG", layer="宗地")
    zones = world_zones()
    _write(path, [g for _, g in zones], [np.array([p[f] for p, _ in zones], dtype=object) for f in zones[0][0]], list(zones[0][0]),
           "EPSG:4490", "GPKG", layer="园区", append=True)


@case
def geojson_lat_lon_swapped(folder: Path) -> None:
    write_geojson(folder / "parcels.geojson", [(p, shapely.transform(g, lambda xy: xy[:, ::-1])) for p, g in world_parcels()])


@case
def geojson_gauss_kruger_metres(folder: Path) -> None:
    write_geojson(folder / "parcels.geojson", [(p, _gk(g, zone_prefix=True)) for p, g in world_parcels()])


@case
def kml_parcels(folder: Path) -> None:
    geometries, values = _parcel_columns()
    _write(folder / "parcels.kml", geometries, values[:3], ["parcel_code", "project_code", "land_use"], "EPSG:4326", "KML")


@case
def kmz_parcels(folder: Path) -> None:
    geometries, values = _parcel_columns()
    inner = folder / "src"
    inner.mkdir()
    _write(inner / "doc.kml", geometries, values[:3], ["parcel_code", "project_code", "land_use"], "EPSG:4326", "KML")
    _zip(folder / "parcels.kmz", [inner / "doc.kml"], inner)


@case
def flatgeobuf_parcels(folder: Path) -> None:
    geometries, values = _parcel_columns()
    _write(folder / "parcels.fgb", geometries, values, PARCEL_HEADER, "EPSG:4490", "FlatGeobuf")


@case
def filegdb_zipped(folder: Path) -> None:
    geometries, values = _parcel_columns()
    inner = folder / "src"
    inner.mkdir()
    _write(inner / "land.gdb", geometries, values, PARCEL_HEADER, "EPSG:4490", "OpenFileGDB", layer="parcels")
    _zip(folder / "land.gdb.zip", [inner / "land.gdb"], inner)


@case
def dxf_layers_give_codes(folder: Path) -> None:
    """A CAD drawing: each parcel a closed polyline on a CAD layer named by its code, zone-40 metres, no CRS."""
    parcels = world_parcels()
    rings = [shapely.LinearRing(_gk(g, zone_prefix=True).exterior.coords) for _, g in parcels]
    lines = [shapely.LineString(ring.coords) for ring in rings]
    _write(folder / "parcels.dxf", lines, [np.array([p["parcel_code"] for p, _ in parcels], dtype=object)], ["Layer"], None, "DXF",
           geometry_type="LineString")
    (folder / "mapping.yaml").write_text("parcels:\n  Layer: parcel_code\n", encoding="utf-8")


@case
def csv_wkt_parcels(folder: Path) -> None:
    with (folder / "parcels.csv").open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["WKT", *PARCEL_HEADER])
        for p, g in world_parcels():
            writer.writerow([g.wkt, p["parcel_code"], p["project_code"], p["land_use"], p["recorded_area_m2"] or ""])


@case
def xlsx_wkt_gk_no_prefix(folder: Path) -> None:
    rows = [[_gk(g).wkt, p["parcel_code"], p["project_code"], p["land_use"], p["recorded_area_m2"]] for p, g in world_parcels()]
    write_xlsx(folder / "parcels.xlsx", ["几何", *PARCEL_HEADER], rows)


@case
def gcj02_parcels(folder: Path) -> None:
    def to_gcj(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    write_geojson(folder / "parcels.geojson", [(p, shapely.transform(g, to_gcj)) for p, g in world_parcels()])


@case
def mapping_own_headers(folder: Path) -> None:
    header = ["编号", "名称", "公司", "行业", "类型", "投资额(亿元)", "阶段"]
    rows = [[*row[:5], f"{row[5] / 10000:g}", row[6]] for row in world_projects()]
    _projects(folder, header, rows)
    (folder / "mapping.yaml").write_text(
        "projects:\n  编号: project_code\n  名称: name\n  公司: enterprise\n  行业: industry\n  类型: project_type\n"
        "  投资额(亿元): total_investment\n  阶段: stage\n", encoding="utf-8")


@case
def units_in_values(folder: Path) -> None:
    spelled = {"A": "0.4亿元", "B": "39990000元", "C": "9000万元", "D": "5,400"}
    rows = [[*row[:5], spelled.get(row[0], row[5]), row[6]] for row in world_projects()]
    _projects(folder, PROJECT_HEADER, rows)


@case
def area_units(folder: Path) -> None:
    """P1's recorded area in 公顷 by its header; P2's as 10亩 in the value, P8's as 1.05公顷."""
    rows = []
    for p, g in world_parcels():
        area = {"P1": 0.666667, "P2": "10亩", "P8": "1.05公顷"}.get(p["parcel_code"])
        rows.append([g.wkt, p["parcel_code"], p["project_code"], area])
    write_xlsx(folder / "parcels.xlsx", ["wkt", "宗地编号", "项目编号", "出让面积(公顷)"], rows)


@case
def chinese_dates(folder: Path) -> None:
    dates = {"P1": "2023-05-01", "P2": "2023/5/1", "P3": "2023年5月1日", "P4": 45047}
    rows = [[g.wkt, p["parcel_code"], p["project_code"], dates.get(p["parcel_code"])] for p, g in world_parcels()]
    write_xlsx(folder / "parcels.xlsx", ["wkt", "宗地编号", "项目编号", "供地日期"], rows)


@case
def csv_gbk_projects(folder: Path) -> None:
    with (folder / "projects.csv").open("w", encoding="gbk", newline="") as out:
        csv.writer(out).writerows([PROJECT_HEADER, *world_projects()])


@case
def xlsx_two_sheets(folder: Path) -> None:
    path = _projects(folder, PROJECT_HEADER, world_projects())
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook.active.title = "项目"
    workbook.create_sheet("说明").append(["本表由园区管委会填报"])
    workbook.save(path)


@case
def xlsx_official_form(folder: Path) -> None:
    """The projects as an office fills in its form: a title, a 填报单位/填报日期 line, a header merged over two
    rows (投资情况 over 总投资（万元） and 其中：设备投资), the world's projects, and a 合计 row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["常州市工业项目投资情况表"])
    sheet.append(["填报单位：武进区商务局", None, None, None, "填报日期：2024年3月1日"])
    code, name, enterprise, industry, kind, total, stage = PROJECT_HEADER
    sheet.append([code, name, enterprise, industry, kind, "投资情况", None, stage])
    sheet.append([None, None, None, None, None, total, "其中：设备投资", None])
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:G3", "H3:H4"):
        sheet.merge_cells(cells)
    rows = world_projects()
    for row in rows:
        sheet.append([*row[:6], row[5] // 4, row[6]])
    sheet.append(["合计", None, None, None, None, sum(row[5] for row in rows), None, None])
    workbook.save(folder / "projects.xlsx")


# Coordinates that cannot be known, and broken files ----------------------------------------------------


@case
def gk_no_prefix_no_prj(folder: Path) -> None:
    _gbk_shapefile(folder, [_gk(g) for g in _parcel_columns()[0]], crs=None)


@case
def unknown_crs_local_units(folder: Path) -> None:
    _write(folder / "zones.gpkg", [shapely.box(0, 0, 10, 10)], [np.array(["Z1"], dtype=object)], ["zone_code"], None, "GPKG")


@case
def truncated_shp(folder: Path) -> None:
    shp = _gbk_shapefile(folder)
    shp.write_bytes(shp.read_bytes()[:150])


@case
def corrupt_gpkg(folder: Path) -> None:
    (folder / "parcels.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)


@case
def truncated_geojson(folder: Path) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)} for p, g in world_parcels()]})
    (folder / "parcels.geojson").write_text(text[: len(text) // 2], encoding="utf-8")


@case
def corrupt_xlsx(folder: Path) -> None:
    (folder / "projects.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)


@case
def zip_path_traversal(folder: Path) -> None:
    with zipfile.ZipFile(folder / "parcels.zip", "w") as out:
        out.writestr("../../parcels.shp", b"\x00" * 100)


@case
def zip_bomb(folder: Path) -> None:
    """300 MB of zeros in a few hundred KB: more than 200 times its compressed size."""
    with zipfile.ZipFile(folder / "parcels.zip", "w", zipfile.ZIP_DEFLATED) as out, out.open("parcels.dbf", "w") as member:
        block = b"\x00" * (1 << 20)
        for _ in range(300):
            member.write(block)


@case
def gpkg_bad_layer_name(folder: Path) -> None:
    gpkg_two_layers(folder)


# Data defects the checks name ---------------------------------------------------------------------------


def _parcels_with(folder: Path, change: Callable[[list[tuple[dict[str, Any], Any]]], None]) -> None:
    parcels = world_parcels()
    change(parcels)
    write_geojson(folder / "parcels.geojson", parcels)


@case
def bowtie_repaired(folder: Path) -> None:
    def change(parcels: list[tuple[dict[str, Any], Any]]) -> None:
        x0, y0, x1, y1 = parcels[8][1].bounds
        parcels[8] = (parcels[8][0], shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)]))

    _parcels_with(folder, change)


@case
def empty_and_line_geometries(folder: Path) -> None:
    def change(parcels: list[tuple[dict[str, Any], Any]]) -> None:
        parcels[0] = (parcels[0][0], None)
        parcels[1] = (parcels[1][0], shapely.LineString(parcels[1][1].exterior.coords[:2]))

    _parcels_with(folder, change)


@case
def gpkg_ring_not_closed(folder: Path) -> None:
    """Parcel 3's ring stops one point short of closing: GeoPackage keeps such a ring as written, GEOS refuses to read it."""
    geometries, values = _parcel_columns()
    wkb = list(shapely.to_wkb(np.array(geometries, dtype=object), flavor="iso", byte_order=1))
    ring = shapely.get_coordinates(geometries[2])[:-1]
    wkb[2] = struct.pack("<BIII", 1, 3, 1, len(ring)) + ring.astype("<f8").tobytes()
    pyogrio.raw.write(folder / "parcels.gpkg", np.array(wkb, dtype=object), values, fields=PARCEL_HEADER, crs="EPSG:4490",
                      driver="GPKG", geometry_type="Polygon")


@case
def duplicate_codes(folder: Path) -> None:
    def change(parcels: list[tuple[dict[str, Any], Any]]) -> None:
        parcels[3] = ({**parcels[3][0], "parcel_code": "P2"}, parcels[3][1])

    _parcels_with(folder, change)


@case
def bad_amounts_stage_currency(folder: Path) -> None:
    rows = world_projects()
    rows[0][5], rows[1][5], rows[2][6] = "-100", "三千万", "施工中"
    header = [*PROJECT_HEADER, "币种"]
    _projects(folder, header, [[*row, "美元" if row[0] == "D" else "人民币"] for row in rows])


@case
def unknown_zone_class(folder: Path) -> None:
    zones = world_zones()
    zones[1][0]["园区类别"] = "市级园区"
    write_geojson(folder / "zones.geojson", zones)


@case
def missing_required_field(folder: Path) -> None:
    write_geojson(folder / "parcels.geojson", [({"编号": p["parcel_code"]}, g) for p, g in world_parcels()])


@case
def mapping_names_unknown_field(folder: Path) -> None:
    _projects(folder, PROJECT_HEADER, world_projects())
    (folder / "mapping.yaml").write_text("projects:\n  投资额: investment\nbuildings:\n  编号: code\n", encoding="utf-8")


@case
def xlsx_code_rounded_by_excel(folder: Path) -> None:
    """320412202300001234 typed into Excel as a number: it keeps 15 digits, the file holds 3.204122023000012e+17."""
    rows = world_projects()
    rows[0][0] = float(320412202300001234)
    _projects(folder, PROJECT_HEADER, rows)


@case
def value_unit_of_wrong_kind(folder: Path) -> None:
    rows = world_projects()
    rows[0][5] = "35亩"
    _projects(folder, PROJECT_HEADER, rows)


def make_corpus(out: Path) -> list[Path]:
    """Write every case into its own folder under `out`; returns the folders."""
    folders = []
    for name, make in CASES.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        make(folder)
        folders.append(folder)
    return folders


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    print(f"{len(make_corpus(target))} cases in {target}")
