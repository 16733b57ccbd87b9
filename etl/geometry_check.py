"""Check and prepare the geometries of a vector file, all features at once.

Polygons only, in China once reprojected to CGCS2000 lon/lat, repaired with make_valid where invalid
(flagged), stored as MultiPolygons, each measured in the Gauss-Krüger plane of its own zone (from its
WKB, `etl.wkb`). A geometry kept as read keeps the file's own WKB bytes, which the load sends as they
are. Problems are made only for the features that have one, so a clean file of a million parcels costs
a few array operations.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from etl.crs_detect import UnknownDatumShift, to_cgcs2000
from etl.halves import in_halves
from etl.shapes import MULTIPOLYGON, POLYGON, GeometriesOf, Shapes, as_multipolygons, from_file_wkb
from etl.wkb import Outline, Rings, chunks_of, outline, part_of, plain_polygons, planar_areas, ring_chunks, star_shaped
from mujun import rules
from mujun.errors import Problem, WarningKind
from mujun.rules import CHINA_BOUNDS


def feature(i: int | np.integer) -> str:
    return f"要素 feature {i + 1}"


@dataclass
class CheckedGeometries:
    """Per feature: the polygon kept, in lon/lat (`shapes`: its WKB, little-endian without SRID, and its box;
    none where refused), whether it was repaired, and where one exists its area in the Gauss-Krüger plane
    of its own zone (m², and in 0.01 m²) and that plane's EPSG."""

    shapes: Shapes
    repaired: np.ndarray
    area_m2: np.ndarray
    area_cents: np.ndarray
    epsg: np.ndarray
    errors: list[Problem]
    warnings: list[Problem]
    inferences: list[str]

    @property
    def present(self) -> np.ndarray:
        return self.shapes.present

    @property
    def wkb(self) -> pa.Array | pa.ChunkedArray:
        return self.shapes.wkb

    @property
    def lonlat(self) -> np.ndarray:
        """Every kept polygon as a MultiPolygon (None where refused)."""
        return self.shapes.multipolygons()

    def take(self, rows: slice | np.ndarray) -> CheckedGeometries:
        """The features `rows` alone, in that order, for writing them; their problems stay with the whole."""
        wkb = self.wkb[rows] if isinstance(rows, slice) else self.wkb.take(pa.array(rows))
        return CheckedGeometries(Shapes(wkb, self.shapes.bounds[rows]), self.repaired[rows], self.area_m2[rows],
                                 self.area_cents[rows], self.epsg[rows], [], [], [])


def _transformer(file: str, crs_text: str | None, errors: list[Problem], inferences: list[str]) -> Transformer | None:
    """Transformer from the declared CRS to CGCS2000 lon/lat, or None where none is needed (or it is unknown)."""
    if not crs_text:
        errors.append(Problem(
            file, "文件 file", None, None,
            "未声明坐标系：请提供带 .prj 的文件或声明 EPSG 坐标系（如 EPSG:4490、EPSG:4549）",
            "no coordinate reference system is declared: give a file with its CRS (.prj) or an EPSG code "
            "such as EPSG:4490 or EPSG:4549"))
        return None
    try:
        transformer, how = to_cgcs2000(CRS.from_user_input(crs_text))
    except CRSError:
        errors.append(Problem(file, "文件 file", None, crs_text, "无法识别的坐标系", "the declared CRS is not recognised"))
        return None
    except UnknownDatumShift as refused:
        errors.append(Problem(file, "文件 file", None, refused.value, refused.zh, refused.en))
        return None
    if how is not None:
        inferences.append(f"{file}: {how}")
    return transformer


def _polygonal(geometry: BaseGeometry) -> BaseGeometry | None:
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for part in parts for p in shapely.get_parts(part)]
    return shapely.MultiPolygon(polygons) if polygons else None


def _wkb(replaced: np.ndarray, geometries: np.ndarray, read: pa.Array | None) -> pa.Array:
    """WKB of the kept features: the file's bytes `read`, except where `replaced` (or with nothing read), where
    `geometries` (one for each replaced feature) are written anew."""
    if read is not None and not replaced.any():
        return read.cast(pa.large_binary())
    written = pa.array(shapely.to_wkb(geometries, byte_order=1), type=pa.large_binary())
    if read is None or replaced.all():
        return written
    return pc.replace_with_mask(read.cast(pa.large_binary()), pa.array(replaced), written)


def _proven_valid(read: pa.Array | None, plain: np.ndarray | None, index: np.ndarray) -> np.ndarray:
    """Which features `index` names are shown valid from the WKB as read (`star_shaped`); none when the
    geometries were changed since (reprojected, made flat)."""
    proven = np.zeros(len(index), dtype=bool)
    if read is None or plain is None:
        return proven
    usable = plain[index]
    rows = index[usable]
    if len(rows):
        proven[usable] = star_shaped(read if len(rows) == len(read) else read.take(pa.array(rows)))
    return proven


@dataclass
class _Found:
    """Problems found so far, and which features were repaired."""

    file: str
    locate: Callable[[int], str]
    repaired: np.ndarray
    errors: list[Problem]
    warnings: list[Problem]

    def error(self, i: int | np.integer, value: str | None, zh: str, en: str) -> None:
        self.errors.append(Problem(self.file, self.locate(int(i)), "geometry", value, zh, en))

    def in_china(self, index: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Which of the features `index` (their `bounds`) lie in China; an error for each of the others."""
        minx, miny, maxx, maxy = CHINA_BOUNDS
        inside = (bounds[:, 0] >= minx) & (bounds[:, 2] <= maxx) & (bounds[:, 1] >= miny) & (bounds[:, 3] <= maxy)
        for j in np.flatnonzero(~inside):
            self.error(index[j], ",".join(f"{b:.4f}" for b in bounds[j]), "坐标不在中国范围内：请检查坐标系声明或经纬度顺序",
                       "coordinates fall outside China: check the declared CRS or the lon/lat order")
        return inside

    def judge(self, index: np.ndarray, proven: np.ndarray, geometries_of: GeometriesOf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validity of the features `index`: those `proven` are valid, GEOS judges the others and repairs the
        invalid ones. Which to keep, and the positions (in `index`) and MultiPolygons of the repaired."""
        keep = np.ones(len(index), dtype=bool)
        doubt = np.flatnonzero(~proven)
        fixed_at: list[int] = []
        fixed: list[BaseGeometry] = []
        if len(doubt):
            doubtful = geometries_of(doubt)
            valid = np.concatenate(in_halves(shapely.is_valid, doubtful))
            for k in np.flatnonzero(~valid):
                j, geometry = doubt[k], doubtful[k]
                reason = shapely.is_valid_reason(geometry)
                repaired = _polygonal(shapely.make_valid(geometry))
                if repaired is None:
                    self.error(index[j], reason, "无效几何且无法修复为面", "invalid geometry that cannot be repaired to a polygon")
                    keep[j] = False
                    continue
                self.warnings.append(Problem(self.file, self.locate(int(index[j])), "geometry", reason,
                                             "无效几何已用 make_valid 修复", "invalid geometry repaired with make_valid",
                                             severity="warning", code=WarningKind.GEOMETRY_REPAIRED))
                fixed_at.append(int(j))
                fixed.append(repaired)
                self.repaired[index[j]] = True
        made = np.empty(len(fixed), dtype=object)
        made[:] = fixed
        return keep, np.array(fixed_at, dtype=np.int64), as_multipolygons(made)


@dataclass
class _Kept:
    """The features kept (`index`), with their WKB, boxes, the geometries made of them so far (positions in
    `index`), and their areas in the Gauss-Krüger planes given (EPSG of each)."""

    index: np.ndarray
    wkb: pa.Array
    bounds: np.ndarray
    made_at: np.ndarray
    made: np.ndarray
    areas: Callable[[np.ndarray], np.ndarray]


def _as_read(found: _Found, read: pa.Array, outline: Outline) -> _Kept:
    """Features kept as the file's own bytes (plain polygons in CGCS2000 lon/lat with proper rings): their
    boxes, validity (`star_shaped`) and areas come from one reading of the bytes (`outline`), and only the
    doubtful ones are made into GEOS geometries."""
    empty = np.isnan(outline.bounds[:, 0])  # not one vertex
    for i in np.flatnonzero(empty):
        found.error(i, None, "几何为空", "the geometry is empty")
    index = np.flatnonzero(~empty)
    index = index[found.in_china(index, outline.bounds[index])]
    taken = read if len(index) == len(read) else read.take(pa.array(index))
    keep, fixed_at, fixed = found.judge(index, outline.star[index], lambda rows: shapely.from_wkb(
        taken.take(pa.array(rows)).to_numpy(zero_copy_only=False)))
    bounds = outline.bounds[index]
    replaced = np.zeros(len(index), dtype=bool)
    replaced[fixed_at] = True
    if len(fixed):
        bounds[fixed_at] = shapely.bounds(fixed)
    wkb = _wkb(replaced, fixed, taken)
    wkb, index, made_at = (wkb if keep.all() else wkb.filter(pa.array(keep))), index[keep], (np.cumsum(keep) - 1)[fixed_at]

    def areas(epsg: np.ndarray) -> np.ndarray:
        every = np.full(len(read), epsg[0])  # features not kept are measured too, and their areas left
        every[index] = epsg
        area = outline.areas(every)[index]
        if len(made_at):  # repaired: measured from their new bytes
            area[made_at] = planar_areas(wkb.take(pa.array(made_at)), epsg[made_at])
        return area

    return _Kept(index, wkb, bounds[keep], made_at, fixed, areas)


def _as_geometries(found: _Found, geometries: np.ndarray, read: pa.Array | None, plain: np.ndarray | None,
                   transformer: Transformer | None, inferences: list[str]) -> _Kept:
    """Features checked as GEOS geometries: any type, Z and M, any CRS (reprojected to CGCS2000 lon/lat)."""
    geometries = np.asarray(geometries, dtype=object)
    type_id = shapely.get_type_id(geometries)
    empty = (type_id < 0) | shapely.is_empty(geometries)
    unreadable = (type_id < 0) & (read.is_valid().to_numpy(zero_copy_only=False) if read is not None else False)
    for i in np.flatnonzero(empty):
        if unreadable[i]:
            found.error(i, None, "几何无法读取：数据不完整，或环未闭合（末点应与首点相同）、顶点不足 4 个",
                        "the geometry cannot be read: its bytes are incomplete, or a ring is not closed (its last point "
                        "must repeat its first) or has fewer than 4 points")
        else:
            found.error(i, None, "几何为空", "the geometry is empty")
    for i in np.flatnonzero(~empty & (type_id != POLYGON) & (type_id != MULTIPOLYGON)):
        found.error(i, geometries[i].geom_type, "应为面（Polygon/MultiPolygon）", "expected a polygon (Polygon/MultiPolygon)")
    index = np.flatnonzero(~empty & ((type_id == POLYGON) | (type_id == MULTIPOLYGON)))
    chosen = geometries[index]
    if plain is None or not plain[index].all():
        extras = [(int(flagged.sum()), name, zh) for flagged, name, zh in
                  ((shapely.has_z(chosen), "heights (Z)", "高程（Z）"), (shapely.has_m(chosen), "measures (M)", "测量值（M）"))]
        for count, name, zh in extras:
            if count:
                inferences.append(f"{found.file}: {name} dropped from {count} feature{'s' if count > 1 else ''}; areas are planar / "
                                  f"{count} 个要素的{zh}已去除，面积按平面计算")
        if any(count for count, _, _ in extras):
            chosen = shapely.force_2d(chosen)
            read = None
    if transformer is not None:
        read = None
        chosen = shapely.transform(chosen, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    bounds = shapely.bounds(chosen).reshape(-1, 4)
    inside = found.in_china(index, bounds)
    index, chosen, bounds = index[inside], chosen[inside], bounds[inside]
    keep, fixed_at, fixed = found.judge(index, _proven_valid(read, plain, index), lambda rows: chosen[rows])
    if len(fixed):
        chosen[fixed_at], bounds[fixed_at] = fixed, shapely.bounds(fixed)
    index, chosen, bounds = index[keep], as_multipolygons(chosen[keep]), bounds[keep]
    taken = read if read is None or len(index) == len(read) else read.take(pa.array(index))
    replaced = ~(plain[index] if read is not None and plain is not None else np.zeros(len(index), dtype=bool)) | found.repaired[index]
    wkb = _wkb(replaced, chosen[replaced], taken)
    return _Kept(index, wkb, bounds, np.arange(len(index)), chosen, lambda epsg: planar_areas(wkb, epsg))


class GeometryChecker:
    """Checks the features' geometries a chunk at a time (`parts`, `check`), so that a load can write what is checked
    while it checks the rest; `all` checks them all. The geometries are `geometries` (shapely), or where None the
    WKB `read`; `read`, where given, is their WKB as the file holds it (reused where unchanged) and `rings` its
    rings, chunk by chunk (`etl.wkb.ring_chunks`); `locate` names feature i in problems. What concerns the whole
    file (its CRS) is decided once, here: `errors` and `inferences`."""

    def __init__(self, file: str, crs_text: str | None, geometries: np.ndarray | None, read: pa.Array | pa.ChunkedArray | None = None,
                 locate: Callable[[int], str] = feature, rings: list[Rings] | None = None) -> None:
        self.count = len(geometries) if geometries is not None else len(read) if read is not None else 0
        self.errors: list[Problem] = []
        self.inferences: list[str] = []
        self._file, self._geometries, self._read, self._locate = file, geometries, read, locate
        self._transformer = _transformer(file, crs_text, self.errors, self.inferences)
        self._plain: np.ndarray | None = None  # where each value read is a 2-D polygon (no Z or M to look for)
        self._rings: list[Rings] | None = None
        if read is not None and self._transformer is None and not self.errors:
            self._plain = np.ones(len(read), dtype=bool) if rings is not None else plain_polygons(read)
            self._rings = rings if rings is not None else ring_chunks(read) if self._plain.all() else None
        # Plain polygons in CGCS2000 lon/lat are checked from their bytes, a chunk at a time; any other file as GEOS
        # geometries, all at once (it is reprojected, flattened or made whole first).
        self.parts = chunks_of(self.count) if self._rings is not None else [slice(0, self.count)] if self.count else []
        self._rings_of = dict(zip((part.start for part in self.parts), self._rings, strict=True)) if self._rings is not None else {}

    def check(self, part: slice) -> CheckedGeometries:
        """The features of `part`, one of `parts`, checked (indexed from `part.start`; problems name them by
        their place in the file)."""
        n = part.stop - part.start
        found = _Found(self._file, lambda i: self._locate(i + part.start), np.zeros(n, dtype=bool), [], [])
        inferences: list[str] = []
        result = CheckedGeometries(Shapes(pa.nulls(n, pa.large_binary()), np.full((n, 4), np.nan)), found.repaired,
                                   np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), found.errors,
                                   found.warnings, inferences)
        if self.errors:  # the CRS is unknown: no coordinate can be judged
            return result
        read = part_of(self._read, part) if self._read is not None else None
        plain = self._plain[part] if self._plain is not None else None
        shown = outline(self._rings_of[part.start], n) if part.start in self._rings_of else None
        if shown is not None and shown.proper and read is not None:
            kept = _as_read(found, read, shown)
        else:  # GEOS judges: a ring not closed, too short or with a coordinate that is no number, or a file not plain
            geometries = self._geometries[part] if self._geometries is not None else _from_wkb(read)
            kept = _as_geometries(found, geometries, read, plain, self._transformer, inferences)
        if not len(kept.index):
            return result
        position = np.full(n, -1, dtype=np.int64)
        position[kept.index] = np.arange(len(kept.index))
        bounds = np.full((n, 4), np.nan)
        bounds[kept.index] = kept.bounds
        shapes = Shapes(kept.wkb if len(kept.index) == n else kept.wkb.take(pa.array(position, mask=position < 0)), bounds)
        shapes.remember(kept.index[kept.made_at], kept.made)
        epsg = rules.own_gk_epsgs(kept.bounds, lambda rows: shapes.of(kept.index[rows]))
        area = kept.areas(epsg)
        result.area_m2[kept.index], result.area_cents[kept.index], result.epsg[kept.index] = area, rules.planar_cents(area), epsg
        result.shapes = shapes
        return result

    def all(self) -> CheckedGeometries:
        """Every part checked, two at a time on two threads (PROJ and GEOS work without the GIL), and joined."""
        if len(self.parts) < 2:
            return self.joined([self.check(part) for part in self.parts])
        with ThreadPoolExecutor(2) as pool:
            return self.joined(list(pool.map(self.check, self.parts)))

    def joined(self, parts: list[CheckedGeometries]) -> CheckedGeometries:
        """The whole file from its checked `parts`, in order, with the file's own problems first."""
        def each(name: str, dtype: type) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0, dtype=dtype)

        return CheckedGeometries(Shapes.joined([p.shapes for p in parts]), each("repaired", bool), each("area_m2", float),
                                 each("area_cents", np.int64), each("epsg", np.int64),
                                 self.errors + [e for p in parts for e in p.errors], [w for p in parts for w in p.warnings],
                                 self.inferences + [i for p in parts for i in p.inferences])


def _from_wkb(read: pa.Array | None) -> np.ndarray:
    return from_file_wkb(read) if read is not None else np.zeros(0, dtype=object)
