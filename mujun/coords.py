"""Coordinates typed by an official: lon/lat (either order) or Gauss-Krüger x/y (with or without zone).

What can be told from the numbers is told (a latitude first, a zone number in front of the easting);
what cannot (Gauss-Krüger without a zone and no central meridian known) is refused, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from mujun import rules
from mujun.errors import MujunError

_NUMBERS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
# Gauss-Krüger northings in China run from about 300 km to 6 000 km; eastings without a zone number lie
# within a few hundred km of the 500 km false easting; with it, the zone number (25–45) is in front.
GK_NORTHING = (300_000.0, 6_000_000.0)
GK_EASTING = (100_000.0, 900_000.0)
GK_PREFIXED_EASTING = (25_000_000.0, 46_000_000.0)


@dataclass(frozen=True)
class TypedPoint:
    lon: float
    lat: float
    read_as: str
    """How the numbers were read, in words an official can check, e.g. `EPSG:4549 x/y`."""


@lru_cache(maxsize=64)
def _to_lonlat(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, rules.GEOGRAPHIC_SRID, always_xy=True)


def _inside(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def looks_like_coordinates(text: str) -> bool:
    return _NUMBERS.match(text) is not None


def parse_point(text: str, central_meridian: int | None) -> TypedPoint:
    """Read two numbers as a point; `central_meridian` serves Gauss-Krüger x/y typed without a zone."""
    match = _NUMBERS.match(text)
    if match is None:
        raise MujunError("坐标应为两个数，如 119.95,31.78 或 495000,3520000",
                         "coordinates are two numbers, e.g. 119.95,31.78 or 495000,3520000", code="invalid_coordinates")
    a, b = float(match.group(1)), float(match.group(2))
    if _inside(a, CHINA_LON) and _inside(b, CHINA_LAT):
        return TypedPoint(a, b, "lon/lat")
    if _inside(b, CHINA_LON) and _inside(a, CHINA_LAT):
        return TypedPoint(b, a, "lat/lon (swapped)")
    # Surveyors write northing first (X = north in Chinese practice); accept either order.
    for easting, northing in ((a, b), (b, a)):
        if not _inside(northing, GK_NORTHING):
            continue
        if _inside(easting, GK_PREFIXED_EASTING):
            zone = int(easting // 1_000_000)
            epsg = 4513 + zone - 25  # zone 25 (CM 75°E) is EPSG:4513 … zone 40 (CM 120°E) is EPSG:4528
            lon, lat = _to_lonlat(epsg).transform(easting, northing)
            return TypedPoint(float(lon), float(lat), f"EPSG:{epsg} x/y")
        if _inside(easting, GK_EASTING):
            if central_meridian is None:
                raise MujunError(
                    "无带号的高斯-克吕格坐标需要已知中央经线：请在横坐标前加带号（如 40495000）或配置 MUJUN_GK_CENTRAL_MERIDIAN",
                    "Gauss-Krüger x/y without a zone number needs a known central meridian: put the zone number in front "
                    "of the easting (e.g. 40495000) or set MUJUN_GK_CENTRAL_MERIDIAN",
                    code="unknown_central_meridian", status_code=422)
            epsg = 4534 + (central_meridian - 75) // 3
            lon, lat = _to_lonlat(epsg).transform(easting, northing)
            return TypedPoint(float(lon), float(lat), f"EPSG:{epsg} x/y")
    raise MujunError(f"无法识别的坐标：{text}（应为经纬度或高斯-克吕格 x/y）",
                     f"coordinates not recognised: {text} (expected lon/lat or Gauss-Krüger x/y)",
                     code="invalid_coordinates", status_code=422)


@dataclass(frozen=True)
class GaussKrugerPoint:
    """A point in the CGCS2000 3-degree Gauss-Krüger zone holding it, as surveyors write it: easting and northing
    in metres, the easting without the zone number (≈ 500 000, EPSG:4534–4554) and with it (≈ 40 500 000,
    EPSG:4513–4533)."""

    zone: int
    central_meridian: int
    epsg: int
    epsg_prefixed: int
    easting: float
    easting_prefixed: float
    northing: float


def gauss_kruger_point(lon: float, lat: float) -> GaussKrugerPoint:
    """Lon/lat (CGCS2000) to Gauss-Krüger x/y of its zone, by the projection the areas are measured with."""
    epsg = rules.gk_epsg(lon)
    x, y = np.array([lon], dtype=float), np.array([lat], dtype=float)
    rules.gauss_kruger(epsg).project(x, y)
    cm = rules.gk_central_meridian(lon)
    zone = cm // 3
    # The prefixed zone's false easting is the zone number × 10⁶ + 500 km; its easting is the same point's.
    return GaussKrugerPoint(zone=zone, central_meridian=cm, epsg=epsg, epsg_prefixed=rules.gk_epsg(lon, zone_prefix=True),
                            easting=round(float(x[0]), 3), easting_prefixed=round(zone * 1_000_000 + float(x[0]), 3),
                            northing=round(float(y[0]), 3))
