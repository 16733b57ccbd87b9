"""GCJ-02 (the offset datum of Gaode and Tencent maps) to and from WGS84, on arrays of lon/lat.

One implementation for the loader (`--from gcj02` files back to WGS84) and the portal (Gaode/Tencent base-map
tiles redrawn in WGS84 under our layers, `layers.shifted_tiles`).

The forward formula is the published one (Krasovsky ellipsoid constants, sine series around 105°E/35°N);
it has no closed inverse, so the inverse is found by fixed-point iteration, which converges to well under a
millimetre in a few steps because the offset varies slowly (about 0.5 km across Jiangsu).
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0
_EE = 0.00669342162296594323


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    common = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + common * 2.0 / 3.0 + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + common * 2.0 / 3.0 + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * np.sqrt(magic)) * np.pi)
    dlon = dlon * 180.0 / (_A / np.sqrt(magic) * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _offset(lon, lat)
    wlon, wlat = lon - dlon, lat - dlat
    for _ in range(10):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat
