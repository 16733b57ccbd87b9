"""A proposed site uploaded as a file: GeoJSON, zipped Shapefile, KML/KMZ or DXF → one lon/lat geometry.

Zip archives are read in place by GDAL (/vsizip/), never extracted, once etl/file_limits.py finds them
safe (the upload limits: no member outside the archive, no bomb). The CRS is declared or detected as for
a load (etl/crs_detect.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from etl.crs_detect import UnknownDatumShift, decide_crs, to_cgcs2000
from etl.file_limits import UPLOAD_LIMITS, check_zip
from mujun.errors import InputError, MujunError

SITE_SUFFIXES = (".geojson", ".json", ".zip", ".kmz", ".kml", ".dxf", ".gpkg")


def _refuse(name: str, zh: str, en: str) -> MujunError:
    return MujunError(f"{name}：{zh}", f"{name}: {en}", code="invalid_site_file", status_code=422)


def _polygons(geometries: np.ndarray) -> list[BaseGeometry]:
    """Polygons, with closed lines (CAD polylines, KML rings) turned into the polygons they outline."""
    out: list[BaseGeometry] = []
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            continue
        for part in shapely.get_parts(geometry):
            if part.geom_type == "Polygon":
                out.append(part)
            elif part.geom_type == "LineString" and part.is_closed and len(part.coords) >= 4:
                out.append(shapely.Polygon(part.coords))
    return out


def read_site(path: Path, name: str, central_meridian: int | None) -> tuple[BaseGeometry, str]:
    """The site drawn in the file as one lon/lat (Multi)Polygon, and how its coordinates were read."""
    suffix = Path(name).suffix.lower()
    if suffix not in SITE_SUFFIXES:
        raise _refuse(name, f"不支持的文件类型，应为 {'、'.join(SITE_SUFFIXES)}", f"unsupported file type; expected {', '.join(SITE_SUFFIXES)}")
    source = str(path)
    if suffix in (".zip", ".kmz"):
        try:
            check_zip(path, name, UPLOAD_LIMITS)
        except InputError as exc:
            problem = exc.problems[0]
            raise _refuse(name, problem.expected_zh, problem.expected_en) from exc
        source = f"/vsizip/{path}"
    try:
        meta, _fids, wkb, _fields = pyogrio.raw.read(source)
    except Exception as exc:  # GDAL's errors vary by driver; the message is what the official needs
        raise _refuse(name, f"无法读取：{exc}", f"cannot be read: {exc}") from exc
    polygons = _polygons(shapely.from_wkb(wkb) if wkb is not None else np.array([]))
    if not polygons:
        raise _refuse(name, "文件中没有面或闭合线", "the file holds no polygon or closed line")
    site = shapely.force_2d(shapely.union_all(polygons))
    try:
        decision = decide_crs(name, site.bounds, meta.get("crs"), None, central_meridian)
    except InputError as exc:
        problem = exc.problems[0]
        raise _refuse(name, f"{problem.expected_zh}（坐标范围 {problem.value}）", f"{problem.expected_en} (coordinates {problem.value})") from exc
    if decision.swap_axes:
        site = shapely.transform(site, lambda xy: xy[:, ::-1])
    source_crs = CRS.from_user_input(decision.crs)
    read_as = f"{source_crs.name} (declared)" if not decision.inferences else f"{decision.crs}: {decision.inferences[0]}"
    try:
        to_lonlat, _ = to_cgcs2000(source_crs)
    except UnknownDatumShift as refused:
        raise _refuse(name, f"{refused.zh}（{refused.value}）", f"{refused.en} ({refused.value})") from refused
    if to_lonlat is not None:
        site = shapely.transform(site, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
    return site, read_as
