"""Read files with GDAL (through pyogrio) and tables with openpyxl or csv, into plain columns.

Vector files: Shapefile (also zipped; its encoding from `.cpg`, the DBF code page or the bytes),
GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, FileGDB, DXF. Tables (CSV, Excel) become features when they
hold a WKT column or lon/lat columns. The CRS is the declared one, the one given, or what the numbers
show (etl/crs_detect.py); GCJ-02 input is converted to WGS84 here. Every such decision is an inference.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import shapely

import etl.wkb
from etl.columns import ArrowColumns
from etl.crs_detect import decide_crs
from etl.encoding import SAMPLE_BYTES, shapefile_encoding
from etl.file_limits import LOAD_LIMITS, FileLimits, check_size, check_zip
from etl.geometry_check import feature
from etl.mapping import FieldMapping
from etl.plain_csv import read_plain_csv
from etl.shapes import from_file_wkb
from etl.units import UNITS
from etl.wkb import Rings, plain_polygons, ring_chunks
from mujun.errors import InputError, Problem, WarningKind
from mujun.gcj02 import gcj02_to_wgs84

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
WKT_HEADERS = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "图形", "坐标")
LON_HEADERS = ("lon", "lng", "long", "longitude", "经度", "x")
LAT_HEADERS = ("lat", "latitude", "纬度", "y")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file, as given on the command line."""

    layer: str | None = None
    """The layer of a GeoPackage, FileGDB, KML or zip with several; a DXF's CAD layer; an Excel sheet."""
    encoding: str | None = None
    source_crs: str | None = None
    """`EPSG:…` overriding what the file declares, or `gcj02`."""
    central_meridian: int | None = None
    mapping: FieldMapping | None = None
    limits: FileLimits = LOAD_LIMITS


@dataclass
class FeatureSource:
    """Features of one layer of a vector file: geometries (shapely), columns, the CRS to read them in, and
    the geometries' WKB as GDAL gave it, while the geometries are still exactly that."""

    path: Path
    layer: str | None
    crs: str | None
    made: np.ndarray | None
    """The geometries, or None while they are only `wkb` (plain polygons: made from it when first asked for)."""
    columns: Mapping[str, Any]
    inferences: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    wkb: pa.Array | pa.ChunkedArray | None = None
    locate: Callable[[int], str] = feature
    """Where feature i is, as problems name it: its number, or for a table's features its spreadsheet row."""
    rings: list[Rings] | None = None
    """The rings of `wkb` (`etl.wkb.ring_chunks`), while it holds plain polygons and the geometries are still exactly it."""

    @property
    def geometries(self) -> np.ndarray:
        if self.made is None:
            assert self.wkb is not None
            self.made = from_file_wkb(self.wkb)
        return self.made

    @geometries.setter
    def geometries(self, value: np.ndarray) -> None:
        self.made = value

    def __len__(self) -> int:
        return len(self.wkb) if self.made is None and self.wkb is not None else len(self.geometries)


TABLE_KINDS = ("projects", "monthly", "evaluation")
"""Kinds read as tables (Excel, CSV): rows without geometry."""


@dataclass
class TableSource:
    """Rows of a table (Excel or CSV) below its header, blank rows left out; each keeps its spreadsheet row number."""

    path: Path
    columns: Mapping[str, Any]
    """Each column's values: a list (Excel, CSV) or, for a plain CSV (`etl.plain_csv`), Arrow text read as numpy."""
    row_numbers: list[int]
    inferences: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row_numbers)

    def row(self, i: int) -> str:
        """Where row i is, as the official sees it in the spreadsheet."""
        return spreadsheet_row(self.row_numbers[i])


def spreadsheet_row(number: int) -> str:
    return f"行 row {number}"


def _unreadable(path: Path, reason: str) -> InputError:
    return InputError([Problem(path.name, "文件 file", None, None, f"无法读取：{reason}", f"cannot be read: {reason}")])


def _file_problem(path: Path, field_name: str | None, value: str | None, zh: str, en: str) -> InputError:
    return InputError([Problem(path.name, "文件 file", field_name, value, zh, en)])


def read_source(kind: str, path: Path, options: ReadOptions) -> FeatureSource | TableSource:
    """The file of one kind (zones, parcels, constraints: features; projects, monthly reports: a table), mapping applied."""
    if not path.exists():
        raise _file_problem(path, None, str(path), "文件不存在", "the file does not exist")
    source: FeatureSource | TableSource
    if kind in TABLE_KINDS:
        source = read_table(path, layer=options.layer, limits=options.limits)
    else:
        source = read_features(path, layer=options.layer, encoding=options.encoding, source_crs=options.source_crs,
                               central_meridian=options.central_meridian, limits=options.limits)
    if options.mapping is not None:
        source.columns = options.mapping.apply(source.columns, kind)
    return source


def read_features(path: Path, *, layer: str | None = None, encoding: str | None = None, source_crs: str | None = None,
                  central_meridian: int | None = None, limits: FileLimits = LOAD_LIMITS) -> FeatureSource:
    """One layer's features, their coordinates read as declared, given or detected (said in `inferences`)."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        source = _features_from_table(read_table(path, layer=layer, limits=limits))
    else:
        # What GDAL says while reading (such as measures it leaves out) is recorded with the load, not printed raw.
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            source = _read_vector(path, layer, encoding, limits)
        source.inferences += [f"{path.name}: GDAL: {message} / GDAL 提示" for message in dict.fromkeys(str(w.message) for w in said)]
    minx, miny, maxx, maxy = (_total_bounds(source) if len(source) else (np.nan,) * 4)
    bounds = None if np.isnan(minx) else (minx, miny, maxx, maxy)
    decision = decide_crs(path.name, bounds, source.crs, source_crs, central_meridian)
    if decision.swap_axes:
        source.geometries = shapely.transform(source.geometries, lambda xy: xy[:, ::-1])
    if decision.from_gcj02:
        source.geometries = shapely.transform(source.geometries, lambda xy: np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1])))
    if decision.swap_axes or decision.from_gcj02:
        source.wkb, source.rings = None, None
    source.crs = decision.crs
    source.inferences += decision.inferences
    return source


def _total_bounds(source: FeatureSource) -> tuple[float, float, float, float]:
    if source.rings is None:
        minx, miny, maxx, maxy = (float(b) for b in shapely.total_bounds(source.geometries))
        return minx, miny, maxx, maxy
    with warnings.catch_warnings():  # a chunk of empty geometries only: NaN, as shapely gives
        warnings.simplefilter("ignore", RuntimeWarning)
        each = np.array([(np.nanmin(r.x), np.nanmin(r.y), np.nanmax(r.x), np.nanmax(r.y)) if len(r.x) else (np.nan,) * 4
                         for r in source.rings]).reshape(-1, 4)
        low, high = np.nanmin(each[:, :2], axis=0), np.nanmax(each[:, 2:], axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def _zip_target(path: Path, members: list[str]) -> tuple[str, list[str]]:
    """What GDAL opens in a zip (a FileGDB folder inside it, or the zip) and the Shapefiles it holds."""
    gdb = sorted({m.split(".gdb/", 1)[0] + ".gdb" for m in members if ".gdb/" in m})
    if gdb:
        return f"/vsizip/{path}/{gdb[0]}", []
    return f"/vsizip/{path}", [m for m in members if m.lower().endswith(".shp")]


@dataclass(frozen=True)
class _ShapefileParts:
    dbf: bytes
    """The first bytes of the .dbf (header and the start of the records)."""
    dbf_size: int
    shp_size: int
    shx: bytes
    cpg: str | None


def _shapefile_parts(path: Path, shp: str, zipped: bool) -> _ShapefileParts:
    """What the encoding and completeness checks need of a Shapefile's files, from a folder or a zip."""
    stem = Path(shp[: -len(".shp")])
    wanted = {suffix: f"{stem.name}{suffix}".lower() for suffix in (".shp", ".shx", ".dbf", ".cpg")}
    if zipped:
        with zipfile.ZipFile(path) as archive:
            infos = {Path(i.filename).name.lower(): i for i in archive.infolist() if Path(i.filename).parent == Path(stem.parent)}
            found = {suffix: infos.get(name) for suffix, name in wanted.items()}

            def head(suffix: str, size: int) -> bytes:
                info = found[suffix]
                return archive.open(info).read(size) if info is not None else b""

            def size_of(suffix: str) -> int:
                info = found[suffix]
                return info.file_size if info is not None else 0

            cpg = head(".cpg", 256) if found[".cpg"] else None
            return _ShapefileParts(head(".dbf", SAMPLE_BYTES), size_of(".dbf"), size_of(".shp"), head(".shx", 1 << 30),
                                   cpg.decode("ascii", "replace") if cpg is not None else None)
    files = {p.name.lower(): p for p in path.parent.iterdir()}
    paths = {suffix: files.get(name) for suffix, name in wanted.items()}

    def read(suffix: str, size: int) -> bytes:
        file = paths[suffix]
        if file is None:
            return b""
        with file.open("rb") as handle:
            return handle.read(size)

    cpg_path = paths[".cpg"]
    return _ShapefileParts(read(".dbf", SAMPLE_BYTES), paths[".dbf"].stat().st_size if paths[".dbf"] else 0,
                           path.stat().st_size, read(".shx", 1 << 30),
                           cpg_path.read_text(encoding="ascii", errors="replace") if cpg_path else None)


def _check_complete(name: str, parts: _ShapefileParts) -> None:
    """A cut-off .shp or .dbf reads as features without geometry or rows: refuse it by what its headers promise."""
    index = np.frombuffer(parts.shx[100:100 + (len(parts.shx) - 100) // 8 * 8], dtype=">i4").reshape(-1, 2)
    shp_needed = int(((index[:, 0].astype(np.int64) + index[:, 1] + 4) * 2).max()) if len(index) else 0
    dbf_needed = 0
    if len(parts.dbf) >= 12:
        records = int.from_bytes(parts.dbf[4:8], "little")
        dbf_needed = int.from_bytes(parts.dbf[8:10], "little") + records * int.from_bytes(parts.dbf[10:12], "little")
    for part, size, needed in ((".shp", parts.shp_size, shp_needed), (".dbf", parts.dbf_size, dbf_needed)):
        index_name = "its index (.shx)" if part == ".shp" else "its header"
        if size < needed:
            raise InputError([Problem(name, "文件 file", None, f"{size} bytes",
                                      f"无法读取：{part} 文件比{'索引 (.shx)' if part == '.shp' else '文件头'}所述的短（已截断，应有 {needed} 字节）",
                                      f"cannot be read: the {part} file is shorter than {index_name} says (truncated; {needed} bytes expected)")])


def _choose_layer(path: Path, target: str, layer: str | None, suffix: str) -> str | None:
    if suffix == ".dxf":
        return None  # one layer of entities; --layer picks a CAD layer among them
    try:
        layers = pyogrio.list_layers(target)
    except Exception as exc:  # GDAL raises many types; the official needs the reason
        raise _unreadable(path, str(exc)) from exc
    spatial = [str(name) for name, geometry_type in layers if geometry_type is not None] or [str(name) for name, _ in layers]
    if layer is not None:
        if layer not in [str(name) for name, _ in layers]:
            raise _file_problem(path, "--layer", layer, f"没有这个图层，应为以下之一：{'、'.join(spatial)}",
                                f"no such layer; expected one of: {', '.join(spatial)}")
        return layer
    if len(spatial) > 1:
        raise _file_problem(path, "--layer", None, f"文件有多个图层，请用 --layer 选择一个：{'、'.join(spatial)}",
                            f"the file holds several layers; choose one with --layer: {', '.join(spatial)}")
    return spatial[0] if spatial else None


def _read_vector(path: Path, layer: str | None, encoding: str | None, limits: FileLimits) -> FeatureSource:
    suffix = path.suffix.lower()
    if not path.exists():
        raise _file_problem(path, None, str(path), "文件不存在", "the file does not exist")
    shapefiles: list[str] = []
    zipped = suffix in (".zip", ".kmz")
    if zipped:
        members = check_zip(path, path.name, limits)
        target, shapefiles = _zip_target(path, members)
        if suffix == ".kmz":  # GDAL reads a KMZ's schema-typed fields only from the KML inside, opened directly
            documents = sorted((m for m in members if m.lower().endswith(".kml")), key=lambda m: m != "doc.kml")
            target = f"/vsizip/{path}/{documents[0]}" if documents else target
    else:
        check_size(path, path.name, limits)
        target = str(path)
        shapefiles = [path.name] if suffix == ".shp" else []
    chosen = _choose_layer(path, target, layer, suffix)
    inferences: list[str] = []
    read_encoding = None
    if shapefiles:
        shp = next((s for s in shapefiles if Path(s).stem == chosen), shapefiles[0])
        parts = _shapefile_parts(path, shp, zipped)
        _check_complete(Path(shp).name, parts)
        read_encoding, how = shapefile_encoding(Path(shp).name, parts.dbf, parts.cpg, encoding)
        inferences.append(how)
    where = None
    if suffix == ".dxf" and layer is not None:
        where = "Layer = '{}'".format(layer.replace("'", "''"))
        inferences.append(f"{path.name}: CAD layer {layer} only (--layer) / 仅读取 CAD 图层 {layer}")
    try:
        # Through Arrow: GDAL fills whole columns, ten times faster than feature by feature at a million parcels; in
        # batches of a chunk's features, so that the geometries are taken a chunk at a time where GDAL put them.
        meta, table = pyogrio.raw.read_arrow(target, layer=chosen, encoding=read_encoding, where=where,
                                             batch_size=etl.wkb.CHUNK_FEATURES)
    except Exception as exc:  # GDAL raises many types; the official needs the reason, not the type
        raise _unreadable(path, str(exc)) from exc
    columns = ArrowColumns({str(name): table[name].combine_chunks() for name in meta["fields"]})
    geometry_column = meta.get("geometry_name") or "wkb_geometry"
    wkb = table[geometry_column] if geometry_column in table.column_names else None
    if wkb is not None and plain_polygons(wkb).all():
        # Plain polygons stay bytes: their rings and boxes come from them, and geometries are made only where needed (etl.shapes).
        return FeatureSource(path, meta.get("layer_name", chosen), meta.get("crs"), None, columns, inferences, wkb=wkb,
                             rings=ring_chunks(wkb))
    geometries = from_file_wkb(wkb) if wkb is not None else np.array([None] * table.num_rows, dtype=object)
    source = FeatureSource(path, meta.get("layer_name", chosen), meta.get("crs"), geometries, columns, inferences, wkb=wkb)
    _polygons_from_rings(source, suffix)
    return source


def _polygons_from_rings(source: FeatureSource, suffix: str) -> None:
    """CAD closed polylines become the polygons they outline; collections of polygons become MultiPolygons."""
    closed = 0
    collections = 0
    out = source.geometries.copy()
    for i in np.flatnonzero(np.isin(shapely.get_type_id(source.geometries), (1, 7))):  # LineString, GeometryCollection
        geometry = source.geometries[i]
        if suffix == ".dxf" and geometry.geom_type == "LineString" and geometry.is_closed and len(geometry.coords) >= 4:
            out[i] = shapely.Polygon(geometry.coords)
            closed += 1
        elif geometry.geom_type == "GeometryCollection" and not geometry.is_empty and all(
                part.geom_type in ("Polygon", "MultiPolygon") for part in geometry.geoms):
            out[i] = shapely.MultiPolygon([p for part in geometry.geoms for p in shapely.get_parts(part)])
            collections += 1
    source.geometries = out
    if closed:
        source.inferences.append(f"{source.path.name}: {closed} closed CAD polylines read as polygons / {closed} 条闭合多段线按面读取")
    if collections:
        source.inferences.append(f"{source.path.name}: {collections} geometry collections of polygons read as multipolygons / "
                                 f"{collections} 个几何集合按多面读取")


def _column(columns: dict[str, list[Any]], names: tuple[str, ...]) -> str | None:
    lowered = {str(c).strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def _features_from_table(table: TableSource) -> FeatureSource:
    """A table with a WKT column, or lon/lat columns, as features (named by their spreadsheet rows)."""
    path = table.path
    columns = dict(table.columns)
    wkt = _column(columns, WKT_HEADERS)
    lon, lat = _column(columns, LON_HEADERS), _column(columns, LAT_HEADERS)
    if wkt is None and (lon is None or lat is None):
        raise _file_problem(path, None, None, f"表格没有几何列：应有 WKT 列（{'、'.join(WKT_HEADERS)}）或经纬度列（经度、纬度）",
                            f"the table has no geometry: expected a WKT column ({', '.join(WKT_HEADERS)}) or lon/lat columns")
    problems: list[Problem] = []
    geometries: list[Any] = []
    if wkt is not None:
        for i, text in enumerate(columns.pop(wkt)):
            try:
                geometries.append(shapely.from_wkt(str(text)) if text not in (None, "") else None)
            except shapely.errors.GEOSException:
                geometries.append(None)
                problems.append(Problem(path.name, table.row(i), wkt, str(text)[:60],
                                        "不是有效的 WKT，如 POLYGON((x y, …))", "not valid WKT such as POLYGON((x y, …))"))
        how = f"geometry from its WKT column {wkt}"
    else:
        assert lon is not None and lat is not None
        xs, ys = columns.pop(lon), columns.pop(lat)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            try:
                geometries.append(shapely.Point(float(x), float(y)))
            except (TypeError, ValueError):
                geometries.append(None)
                problems.append(Problem(path.name, table.row(i), f"{lon}/{lat}", f"{x}, {y}",
                                        "经纬度应为数值", "lon/lat must be numbers"))
        how = f"points from its columns {lon}/{lat}"
    if problems:
        raise InputError(problems)
    note = f"{path.name}: {how}; problems name the spreadsheet row / 几何取自表格列；问题按表格行号列出"
    return FeatureSource(path, None, None, np.array(geometries, dtype=object), columns, [*table.inferences, note], table.warnings,
                         locate=table.row)


def read_table(path: Path, *, layer: str | None = None, limits: FileLimits = LOAD_LIMITS) -> TableSource:
    """A table's columns under its header (Excel: the sheet `layer`, else the first one)."""
    if not path.exists():
        raise _file_problem(path, None, str(path), "文件不存在", "the file does not exist")
    check_size(path, path.name, limits)
    suffix = path.suffix.lower()
    plain = read_plain_csv(path.read_bytes()) if suffix in (".csv", ".txt") else None
    if plain is not None:
        _, arrow_columns, rows_read = plain
        return TableSource(path, arrow_columns, list(range(2, rows_read + 2)))
    return general_table(path, layer)


def general_table(path: Path, layer: str | None) -> TableSource:
    """Any table `read_table` takes, read row by row: titles, form lines, merged headers, totals, encodings."""
    suffix = path.suffix.lower()
    inferences: list[str] = []
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(path, layer, inferences)
        elif suffix in (".csv", ".txt"):
            rows = _csv_rows(path, inferences)
        else:
            raise _unreadable(path, f"unsupported table type {suffix} (expected .xlsx or .csv) / 不支持的表格类型")
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(path, str(exc)) from exc
    # Blank rows are left out, every row keeps its number; the header is the first row with anything in it
    # after any titles and form lines.
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if _has_value(row)]
    if not numbered:
        raise _unreadable(path, "the table is empty / 表格为空")
    titles = _title_rows(path, numbered, inferences)
    (header_row, head), body = numbered[titles], numbered[titles + 1:]
    header = [_header_cell(h) for h in head]
    if suffix in (".xlsx", ".xlsm") and body and _lower_header(header, body[0][1]):
        (lower_row, lower), body = body[0], body[1:]
        header = [_header_cell(lower[i] if i < len(lower) else None) or (header[i] if i < len(header) else "")
                  for i in range(max(len(header), len(lower)))]
        inferences.append(f"{path.name}: rows {header_row}–{lower_row} read as one header (cells merged over two rows); "
                          f"a column is named by its lower cell where it has one / 第 {header_row}–{lower_row} 行为两行表头，"
                          "列名取下一行（若有）")
    _refuse_repeated_headers(path, header, header_row)
    labels = [_totals_label(row) for _, row in body]
    inferences += [f"{path.name}: row {number} is a totals row ({label}), not data: not read / 第 {number} 行为{label}行，未读取"
                   for (number, _), label in zip(body, labels, strict=True) if label is not None]
    body = [entry for entry, label in zip(body, labels, strict=True) if label is None]
    columns = {name: [row[i] if i < len(row) else None for _, row in body] for i, name in enumerate(header) if name}
    return TableSource(path, columns, [number for number, _ in body], inferences=inferences,
                       warnings=_headless_cells(path, header, body))


TOTALS = frozenset({"合计", "总计", "小计", "总合计", "累计"})


def _totals_label(row: tuple[Any, ...]) -> str | None:
    """The label of a totals row (its first cell with anything in it reads 合计, 总计, 小计…, spaces aside), else None."""
    for value in row:  # a loop, as in `_has_value`: a million rows, almost all decided by their first cell
        if not _blank(value):
            if isinstance(value, str) and value.strip()[0] in "合总小累":
                label = "".join(value.split())
                return label if label in TOTALS else None
            return None
    return None


def _header_cell(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _lower_header(header: list[str], row: tuple[Any, ...]) -> bool:
    """Whether `row`, right under the header, is the header's second row, as a sheet with merged header cells has
    it (`投资情况` over `总投资（万元）` and `其中：设备投资`; `项目编号` merged down over both rows): text only, some
    of it under a cell the first row leaves empty, and nothing under some named column. A data row has its code."""
    filled = [(i, value) for i, value in enumerate(row) if not _blank(value)]
    return (bool(filled) and all(isinstance(value, str) for _, value in filled)
            and any(i >= len(header) or not header[i] for i, _ in filled)
            and any(name and (i >= len(row) or _blank(row[i])) for i, name in enumerate(header)))


def _refuse_repeated_headers(path: Path, header: list[str], row: int) -> None:
    """Two columns under one header cannot both be read, and which one is meant cannot be known."""
    columns: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name:
            columns.setdefault(name, []).append(i + 1)
    problems = [Problem(path.name, spreadsheet_row(row), name, "、".join(map(str, found)),
                        f"表头重复：第 {'、'.join(map(str, found))} 列同名，请改名后再导入",
                        f"the header is repeated in columns {', '.join(map(str, found))}: rename them and load again")
                for name, found in columns.items() if len(found) > 1]
    if problems:
        raise InputError(problems)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_value(row: tuple[Any, ...]) -> bool:
    for value in row:  # a loop, not any() over a generator: a million rows, most decided by their first cell
        if not _blank(value):
            return True
    return False


MAX_TITLE_ROWS = 5
_TITLE_UNIT = re.compile(r"(单位|\bunits?\b)\s*[:：]?\s*(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + ")",
                         re.IGNORECASE)
"""A unit of money or land in a title (`金额单位：万元`), not an office (`填报单位：常州市自然资源和规划局`)."""
_FORM_CELL = re.compile(r"^[^\d:：]{1,16}[:：]")
"""A form's label and its value, as officials fill in above a table: `填报单位：常州市自然资源和规划局`, `填报日期：`."""


def _above_header(row: tuple[Any, ...]) -> list[str] | None:
    """The text of a title (one cell) or of each entry of a form's line (every cell a label and its value, or a value
    right after a cell that ends in its label's colon); None for any other row."""
    entries: list[str] = []
    for cell in (str(v).strip() for v in row if not _blank(v)):
        if entries and entries[-1].endswith((":", "：")):
            entries[-1] += cell
        elif _FORM_CELL.match(cell) or not entries:
            entries.append(cell)
        else:
            return None
    return entries if len(entries) == 1 or all(_FORM_CELL.match(entry) for entry in entries) else None


def _title_rows(path: Path, numbered: list[tuple[int, tuple[Any, ...]]], inferences: list[str]) -> int:
    """How many titles and form lines (`_above_header`) come before the first other row, the header; each is named
    in the inferences. One that gives a unit is refused: the unit must be in the header of the column it applies
    to, where it is read."""
    count = next((k for k, (_, row) in enumerate(numbered[:MAX_TITLE_ROWS + 1]) if _above_header(row) is None), 0)
    for number, row in numbered[:count]:
        title = "；".join(_above_header(row) or ())
        if _TITLE_UNIT.search(title):
            raise InputError([Problem(path.name, spreadsheet_row(number), None, title,
                                      "标题行中的单位不会用于数值：请把单位写进所属列的表头，如“总投资（亿元）”",
                                      "a unit in a title row is not applied to any value: put it in the header of its column, "
                                      "such as 总投资（亿元）")])
        inferences.append(f"{path.name}: row {number} read as a title above the header: {title} / 第 {number} 行视为标题")
    return count


def _headless_cells(path: Path, header: list[str], body: list[tuple[int, tuple[Any, ...]]]) -> list[Problem]:
    """A warning for each column that holds values but has no header: its cells cannot be read as any field."""
    width = max((len(row) for _, row in body), default=0)
    warnings = []
    for i in range(width):
        if i < len(header) and header[i]:
            continue
        filled = [(number, row[i]) for number, row in body if i < len(row) and not _blank(row[i])]
        if filled:
            (number, value), count = filled[0], len(filled)
            warnings.append(Problem(path.name, spreadsheet_row(number), f"第 {i + 1} 列 column {i + 1}", str(value)[:60],
                                    f"该列有 {count} 个值但没有表头，未读取",
                                    f"a column without a header holds {count} value{'s' if count > 1 else ''}: not read",
                                    severity="warning", code=WarningKind.HEADLESS_COLUMN))
    return warnings


def _xlsx_rows(path: Path, sheet: str | None, inferences: list[str]) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook  # here: a load of vector files alone does not pay for importing it

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise _file_problem(path, "--layer", sheet, f"没有这个工作表，应为以下之一：{'、'.join(names)}",
                                f"no such sheet; expected one of: {', '.join(names)}")
        chosen = sheet or names[0]
        if sheet is None and len(names) > 1:
            inferences.append(f"{path.name}: sheet {chosen} read, the first of {', '.join(names)} (--layer chooses another) / "
                              f"读取第一个工作表 {chosen}")
        return [tuple(row) for row in workbook[chosen].iter_rows(values_only=True)]
    finally:
        workbook.close()


DELIMITERS = {",": ("comma", "逗号"), "\t": ("tab", "制表符"), ";": ("semicolon", "分号")}


def _utf8_or_gbk(path: Path, raw: bytes, inferences: list[str]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _unreadable(path, "text is neither UTF-8 nor GB18030/GBK / 文本既不是 UTF-8 也不是 GBK") from exc
    inferences.append(f"{path.name}: encoding GBK/GB18030 detected (not valid UTF-8) / 编码检测为 GBK/GB18030")
    return text


def _csv_rows(path: Path, inferences: list[str]) -> list[tuple[Any, ...]]:
    raw = path.read_bytes()
    # UTF-16 with its BOM is Excel's "Unicode text"; else UTF-8 (with or without BOM), else GB18030 (a superset
    # of GBK), which Chinese Excel writes.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _unreadable(path, "text marked UTF-16 is not valid UTF-16 / 文本标记为 UTF-16 但无法按 UTF-16 读取") from exc
        inferences.append(f"{path.name}: encoding UTF-16 (byte order mark) / 编码为 UTF-16")
    else:
        text = _utf8_or_gbk(path, raw, inferences)
    # The delimiter the first line uses most, a comma on a tie: Excel's text export separates columns by tabs.
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first_line.count)
    if delimiter != ",":
        inferences.append(f"{path.name}: columns separated by {DELIMITERS[delimiter][0]} / 列以{DELIMITERS[delimiter][1]}分隔")
    # newline="": a quoted cell keeps its line breaks, and no other character (form feed, U+2028) ends a row.
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [tuple(v if v != "" else None for v in row) for row in rows]
