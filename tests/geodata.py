"""Test geometry built in the Gauss-Krüger plane, where areas are known exactly, and written to files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from openpyxl import Workbook
from pyproj import Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

# EPSG:4549 is CGCS2000 / 3-degree Gauss-Krüger CM 120E; Changzhou lies at x ≈ 495 km, y ≈ 3 520 km.
GK = 4549
X0, Y0 = 495_000.0, 3_520_000.0
_TO_LONLAT = Transformer.from_crs(GK, 4490, always_xy=True)


def gk_lonlat(x: float, y: float) -> tuple[float, float]:
    """lon/lat of the point (x, y) metres east/north of (X0, Y0) in EPSG:4549."""
    lon, lat = _TO_LONLAT.transform(X0 + x, Y0 + y)
    return float(lon), float(lat)


def gk_rect(x: float, y: float, width: float, height: float) -> BaseGeometry:
    """A rectangle given in metres east/north of (X0, Y0) in EPSG:4549, returned in lon/lat."""
    rect = box(X0 + x, Y0 + y, X0 + x + width, Y0 + y + height)
    return shapely.transform(rect, lambda xy: np.column_stack(_TO_LONLAT.transform(xy[:, 0], xy[:, 1])))


def write_geojson(path: Path, features: list[tuple[dict[str, Any], BaseGeometry | None]]) -> Path:
    """RFC 7946 GeoJSON (lon/lat), which GDAL reads as CRS84."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props,
             "geometry": shapely.geometry.mapping(geom) if geom is not None else None}
            for props, geom in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path
