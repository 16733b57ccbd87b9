"""A proposed site uploaded as a file: GeoJSON, zipped Shapefile, KML/KMZ or DXF → one lon/lat geometry.

Zip archives are read in place by GDAL (/vsizip/), never extracted, after their listing is checked: no
more than a few files, no member outside the archive, and no more uncompressed bytes than the cap.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from mujun import rules
from mujun.coords import detect_crs
from mujun.errors import MujunError

SITE_SUFFIXES = (".geojson", ".json", ".zip", ".kml", ".kmz", ".dxf", ".gpkg")
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 50


def _refuse(name: str, zh: str, en: str) -> MujunError:
    return MujunError(f"{name}：{zh}", f"{name}: {en}", code="invalid_site_file", status_code=422)


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse(name, "不是有效的 zip 文件", "not a valid zip file") from exc
    if len(members) > MAX_MEMBERS:
        raise _refuse(name, f"压缩包内文件过多（超过 {MAX_MEMBERS} 个）", f"too many files in the archive (over {MAX_MEMBERS})")
    if any(m.filename.startswith(("/", "\\")) or ".." in Path(m.filename).parts for m in members):
        raise _refuse(name, "压缩包内含有不安全的路径", "the archive holds an unsafe path")
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise _refuse(name, "解压后过大（超过 50 MB）", "too large once unzipped (over 50 MB)")


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
        _check_zip(path, name)
        source = f"/vsizip/{path}"
    try:
        meta, _fids, wkb, _fields = pyogrio.raw.read(source)
    except Exception as exc:  # GDAL's errors vary by driver; the message is what the official needs
        raise _refuse(name, f"无法读取：{exc}", f"cannot be read: {exc}") from exc
    polygons = _polygons(shapely.from_wkb(wkb) if wkb is not None else np.array([]))
    if not polygons:
        raise _refuse(name, "文件中没有面或闭合线", "the file holds no polygon or closed line")
    site = shapely.force_2d(shapely.union_all(polygons))
    crs = meta.get("crs")
    if crs:
        source_crs = CRS.from_user_input(crs)
        read_as = f"{source_crs.name} (declared)"
    else:
        epsg, read_as = detect_crs(site.bounds, central_meridian)
        source_crs = CRS.from_epsg(epsg)
    if not source_crs.is_geographic:  # geographic CRSs (CGCS2000, WGS84) differ by centimetres: kept as they are
        to_lonlat = Transformer.from_crs(source_crs, rules.GEOGRAPHIC_SRID, always_xy=True)
        site = shapely.transform(site, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
    return site, read_as
