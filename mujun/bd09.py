"""BD-09 (Baidu's datum, a further offset of GCJ-02) and BD-09MC (the Mercator-like plane Baidu cuts its tiles on),
on arrays of lon/lat.

Both are Baidu's published formulas: GCJ-02 → BD-09 is a small rotation and scaling about the origin plus a constant
shift; BD-09 → BD-09MC is a polynomial in latitude chosen by a band of latitude (the coefficients below are those
of Baidu's map API, `LL2MC`), linear in longitude. Baidu's maps cover China, so the bands are chosen by |lat| and
latitudes beyond Baidu's ±74° are held there, as its API does.
"""

from __future__ import annotations

import numpy as np

from mujun.gcj02 import wgs84_to_gcj02

_X_PI = np.pi * 3000.0 / 180.0
_BANDS = np.array([75.0, 60.0, 45.0, 30.0, 15.0, 0.0])
_LL2MC = np.array([
    [-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880,
     -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5],
    [0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142,
     -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5],
    [0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455,
     -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5],
    [0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013,
     -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5],
    [-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378,
     54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5],
    [-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093,
     2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45],
])


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    radius = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return radius * np.cos(theta) + 0.0065, radius * np.sin(theta) + 0.006


def bd09_to_mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 lon/lat to BD-09MC x/y (Baidu's "metres": about a Web Mercator metre, never exactly one)."""
    lat = np.clip(lat, -74.0, 74.0)
    band = (np.abs(lat)[..., None] < _BANDS).sum(axis=-1)
    c = _LL2MC[band]
    x = c[..., 0] + c[..., 1] * np.abs(lon)
    d = np.abs(lat) / c[..., 9]
    y = c[..., 2] + d * (c[..., 3] + d * (c[..., 4] + d * (c[..., 5] + d * (c[..., 6] + d * (c[..., 7] + d * c[..., 8])))))
    return np.copysign(x, lon), np.copysign(y, lat)


def wgs84_to_bd09_mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where Baidu's tiles draw the place that is truly at WGS84 lon/lat."""
    return bd09_to_mercator(*gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)))
