"""Check and prepare the geometries of a vector file, all features at once.

Polygons only, in China once reprojected to CGCS2000 lon/lat, repaired with make_valid where invalid
(flagged), stored as MultiPolygons, each measured in the Gauss-Krüger plane of its own zone (from its
WKB, `etl.wkb`). A geometry kept as read keeps the file's own WKB bytes, which the load sends as they
are. Problems are made only for the features that have one, so a clean file of a million parcels costs
a few array operations.
"""

from __future__ import annotations

from collections.abc import Callable
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
from etl.wkb import plain_polygons, planar_areas, star_shaped
from mujun import rules
from mujun.errors import Problem
from mujun.rules import CHINA_BOUNDS

POLYGON, MULTIPOLYGON = 3, 6  # shapely type ids


def feature(i: int | np.integer) -> str:
    return f"要素 feature {i + 1}"


@dataclass
class CheckedGeometries:
    """Per feature: the MultiPolygon in lon/lat (None where refused), whether it was repaired, and where one
    exists its area in the Gauss-Krüger plane of its own zone (m², and in 0.01 m²), that plane's EPSG and
    its WKB (little-endian, no SRID; NULL where refused)."""

    lonlat: np.ndarray
    repaired: np.ndarray
    area_m2: np.ndarray
    area_cents: np.ndarray
    epsg: np.ndarray
    wkb: pa.Array
    errors: list[Problem]
    warnings: list[Problem]
    inferences: list[str]

    @property
    def present(self) -> np.ndarray:
        return ~shapely.is_missing(self.lonlat)


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


def _as_multipolygons(geometries: np.ndarray) -> np.ndarray:
    out = geometries.copy()
    single = np.flatnonzero(shapely.get_type_id(geometries) == POLYGON)
    if len(single):
        out[single] = shapely.multipolygons(geometries[single], indices=np.arange(len(single)))
    return out


def _wkb(chosen: np.ndarray, as_read: np.ndarray, read: pa.Array | None) -> pa.Array:
    """The WKB of each chosen geometry: the file's bytes where it is `as_read`, else written anew."""
    if read is not None and as_read.all():
        return read.cast(pa.large_binary())
    written = pa.array(shapely.to_wkb(chosen[~as_read], byte_order=1), type=pa.large_binary())
    if read is None or not as_read.any():
        return written
    return pc.replace_with_mask(read.cast(pa.large_binary()), pa.array(~as_read), written)


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


def _valid(chosen: np.ndarray, proven: np.ndarray) -> np.ndarray:
    """Whether each geometry is valid: those `proven` are; GEOS judges the others."""
    valid = proven.copy()
    doubt = np.flatnonzero(~proven)
    if len(doubt):
        valid[doubt] = np.concatenate(in_halves(shapely.is_valid, chosen[doubt]))
    return valid


def check_geometries(file: str, crs_text: str | None, geometries: np.ndarray, read: pa.Array | None = None,
                     locate: Callable[[int], str] = feature) -> CheckedGeometries:
    """Check and prepare `geometries`; `read`, where given, is their WKB as the file holds it (reused where unchanged);
    `locate` names feature i in problems."""
    n = len(geometries)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    inferences: list[str] = []
    out = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    result = CheckedGeometries(out, repaired, np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                               pa.nulls(n, pa.large_binary()), errors, warnings, inferences)
    transformer = _transformer(file, crs_text, errors, inferences)
    if errors:  # the CRS is unknown: no coordinate can be judged
        return result
    geometries = np.asarray(geometries, dtype=object)
    type_id = shapely.get_type_id(geometries)
    empty = (type_id < 0) | shapely.is_empty(geometries)
    for i in np.flatnonzero(empty):
        errors.append(Problem(file, locate(int(i)), "geometry", None, "几何为空", "the geometry is empty"))
    for i in np.flatnonzero(~empty & (type_id != POLYGON) & (type_id != MULTIPOLYGON)):
        errors.append(Problem(file, locate(int(i)), "geometry", geometries[i].geom_type,
                              "应为面（Polygon/MultiPolygon）", "expected a polygon (Polygon/MultiPolygon)"))
    index = np.flatnonzero(~empty & ((type_id == POLYGON) | (type_id == MULTIPOLYGON)))
    chosen = geometries[index]
    plain = plain_polygons(read) if read is not None else None  # 2-D as read: no Z or M to look for
    if plain is None or not plain[index].all():
        extras = [(int(found.sum()), name, zh) for found, name, zh in
                  ((shapely.has_z(chosen), "heights (Z)", "高程（Z）"), (shapely.has_m(chosen), "measures (M)", "测量值（M）"))]
        for count, name, zh in extras:
            if count:
                inferences.append(f"{file}: {name} dropped from {count} feature{'s' if count > 1 else ''}; areas are planar / "
                                  f"{count} 个要素的{zh}已去除，面积按平面计算")
        if any(count for count, _, _ in extras):
            chosen = shapely.force_2d(chosen)
            read = None
    if transformer is not None:
        read = None
        chosen = shapely.transform(chosen, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    bounds = shapely.bounds(chosen).reshape(-1, 4)
    minx, miny, maxx, maxy = CHINA_BOUNDS
    inside = (bounds[:, 0] >= minx) & (bounds[:, 2] <= maxx) & (bounds[:, 1] >= miny) & (bounds[:, 3] <= maxy)
    for j in np.flatnonzero(~inside):
        errors.append(Problem(
            file, locate(int(index[j])), "geometry", ",".join(f"{b:.4f}" for b in bounds[j]),
            "坐标不在中国范围内：请检查坐标系声明或经纬度顺序",
            "coordinates fall outside China: check the declared CRS or the lon/lat order"))
    index, chosen, bounds = index[inside], chosen[inside], bounds[inside]
    valid = _valid(chosen, _proven_valid(read, plain, index))
    keep = np.ones(len(index), dtype=bool)
    for j in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(chosen[j])
        fixed = _polygonal(shapely.make_valid(chosen[j]))
        if fixed is None:
            errors.append(Problem(file, locate(int(index[j])), "geometry", reason,
                                  "无效几何且无法修复为面", "invalid geometry that cannot be repaired to a polygon"))
            keep[j] = False
            continue
        warnings.append(Problem(file, locate(int(index[j])), "geometry", reason,
                                "无效几何已用 make_valid 修复", "invalid geometry repaired with make_valid", severity="warning"))
        chosen[j], bounds[j] = fixed, shapely.bounds(fixed)
        repaired[index[j]] = True
    index, chosen, bounds = index[keep], _as_multipolygons(chosen[keep]), bounds[keep]
    out[index] = chosen
    if len(index):
        taken = read if read is None or len(index) == n else read.take(pa.array(index))
        as_read = (plain[index] if read is not None and plain is not None else np.zeros(len(index), dtype=bool)) & ~repaired[index]
        wkb = _wkb(chosen, as_read, taken)
        epsg = rules.own_gk_epsgs(chosen, bounds)
        area = planar_areas(wkb, epsg)
        result.area_m2[index], result.area_cents[index], result.epsg[index] = area, rules.planar_cents(area), epsg
        position = np.full(n, -1, dtype=np.int64)
        position[index] = np.arange(len(index))
        result.wkb = wkb if len(index) == n else wkb.take(pa.array(position, mask=position < 0))
    return result
