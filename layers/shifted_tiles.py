"""Gaode and Tencent tiles (GCJ-02) and Baidu's (BD-09, on its own BD-09MC grid) redrawn on the WGS84 Web Mercator
grid, so that our layers sit on them.

A GCJ-02 tile shows the place truly at WGS84 point P at the GCJ-02 coordinates of P (offsets of about half a
kilometre in Jiangsu, varying by tens of metres across a city). Each pixel of the tile the page asks for is a
WGS84 point: its colour is sampled (bilinearly) from the GCJ-02 tiles at that point's GCJ-02 coordinates, from the
published formulas in `mujun.gcj02`; from Baidu's at its BD-09MC coordinates (`mujun.bd09`, after GCJ-02). Every
pixel is placed by the formula itself, so the shift is exact to the sampling, at every zoom, rather than one offset
per tile.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from mujun.bd09 import wgs84_to_bd09_mercator
from mujun.gcj02 import wgs84_to_gcj02

TILE = 256
JPEG_QUALITY = 85


def pixel_lonlat(z: int, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat (degrees) of the centre of every pixel of Web Mercator tile z/x/y, as (256, 256) arrays."""
    world = TILE * (1 << z)
    cols = (x * TILE + np.arange(TILE) + 0.5) / world
    rows = (y * TILE + np.arange(TILE) + 0.5) / world
    lon = cols * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(np.pi * (1.0 - 2.0 * rows))))
    return np.broadcast_to(lon, (TILE, TILE)).copy(), np.broadcast_to(lat[:, None], (TILE, TILE)).copy()


def world_pixels(z: int, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at zoom z (0 at the west edge and at the north edge of the world)."""
    world = TILE * (1 << z)
    phi = np.radians(lat)
    return (lon + 180.0) / 360.0 * world, (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / np.pi) / 2.0 * world


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.float32)


def gcj02_tile(z: int, x: int, y: int, fetch: Callable[[int, int, int], bytes | None], fmt: str) -> bytes | None:
    """Tile z/x/y of the WGS84 grid drawn from GCJ-02 tiles of the same zoom (`fetch(z, x, y)`: their bytes, None
    where missing), as PNG or JPEG (`fmt`); None when the source has none of the tiles it needs."""
    lon, lat = pixel_lonlat(z, x, y)
    sx, sy = world_pixels(z, *wgs84_to_gcj02(lon, lat))
    last = (1 << z) - 1
    return _resampled(sx, sy, lambda i, j: fetch(z, i, j) if 0 <= i <= last and 0 <= j <= last else None, fmt)


def bd09_tile(z: int, x: int, y: int, fetch: Callable[[int, int, int], bytes | None], fmt: str) -> bytes | None:
    """Tile z/x/y of the WGS84 grid drawn from Baidu's tiles (`fetch(level, x, y)` in Baidu's numbering).

    Baidu's level L has 2^(18-L) BD-09MC units a pixel, its tiles counted from BD-09MC (0, 0) eastward and northward.
    A Web Mercator pixel at zoom z is about 156,543 / 2^z such units, so level z + 1 (131,072 / 2^z) is the nearest
    level at least as fine: the tile is sampled from it, never enlarged from a coarser one.
    """
    level = z + 1
    lon, lat = pixel_lonlat(z, x, y)
    mx, my = wgs84_to_bd09_mercator(lon, lat)
    scale = 2.0 ** (level - 18)
    # Rows counted downward as in an image: Baidu's tile row t spans rows -(t+1)*256 to -t*256 here.
    return _resampled(mx * scale, -my * scale, lambda i, j: fetch(level, i, -j - 1), fmt)


def _resampled(sx: np.ndarray, sy: np.ndarray, fetch: Callable[[int, int], bytes | None], fmt: str) -> bytes | None:
    """A 256 × 256 tile whose pixel (r, c) is the source's colour at source pixel position (sx[r, c], sy[r, c]): x
    eastward and y southward in pixels of the source's zoom, its tile (i, j) covering [256i, 256i + 256) ×
    [256j, 256j + 256) and fetched by `fetch(i, j)`. Sampled bilinearly; None when no tile it needs exists."""
    # Pixel centres are at .5: the source pixel (i, j) covers [i, i+1), so sample at the position minus a half.
    sx = sx - 0.5
    sy = sy - 0.5
    tx0, ty0 = math.floor(sx.min() / TILE), math.floor(sy.min() / TILE)
    tx1, ty1 = math.floor((sx.max() + 1) / TILE), math.floor((sy.max() + 1) / TILE)
    wanted = [(tx, ty) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)]
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        fetched = list(pool.map(lambda t: fetch(*t), wanted))
    if all(data is None for data in fetched):
        return None
    mosaic = np.zeros(((ty1 - ty0 + 1) * TILE, (tx1 - tx0 + 1) * TILE, 4), dtype=np.float32)
    for (tx, ty), data in zip(wanted, fetched, strict=True):
        if data is not None:
            mosaic[(ty - ty0) * TILE:(ty - ty0 + 1) * TILE, (tx - tx0) * TILE:(tx - tx0 + 1) * TILE] = _decode(data)
    px = np.clip(sx - tx0 * TILE, 0, mosaic.shape[1] - 1)
    py = np.clip(sy - ty0 * TILE, 0, mosaic.shape[0] - 1)
    x0 = np.minimum(np.floor(px).astype(np.intp), mosaic.shape[1] - 2)
    y0 = np.minimum(np.floor(py).astype(np.intp), mosaic.shape[0] - 2)
    fx, fy = (px - x0)[..., None], (py - y0)[..., None]
    top = mosaic[y0, x0] * (1 - fx) + mosaic[y0, x0 + 1] * fx
    bottom = mosaic[y0 + 1, x0] * (1 - fx) + mosaic[y0 + 1, x0 + 1] * fx
    pixels = np.clip(np.rint(top * (1 - fy) + bottom * fy), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    if fmt == "jpg":
        Image.fromarray(pixels[..., :3], "RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        Image.fromarray(pixels, "RGBA").save(out, "PNG", optimize=False)
    return out.getvalue()
