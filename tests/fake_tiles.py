"""Remote tile services the tests stand up on 127.0.0.1 (no internet here): a "Gaode" that draws GCJ-02 tiles, a
"Baidu" that draws BD-09 tiles on its BD-09MC grid, a "Tianditu" that wants its key, and an MBTiles file written by
hand. Where they draw a point is worked out here from the published formulas (`mujun.gcj02` and `mujun.bd09`, each
held to published pairs by its own test), never by the tile redrawing under test."""

from __future__ import annotations

import io
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image

from mujun.bd09 import wgs84_to_bd09_mercator
from mujun.gcj02 import wgs84_to_gcj02

TILE = 256
DOT_RADIUS_PX = 6.0
RED = (220, 20, 20)


def world_pixel(z: int, lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator pixel position at zoom z (0 at the world's west and north edges), worked out from the formula."""
    world = TILE * 2**z
    phi = math.radians(lat)
    return (lon + 180) / 360 * world, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * world


def metres_per_pixel(z: int, lat: float) -> float:
    return 40075016.686 * math.cos(math.radians(lat)) / (TILE * 2**z)


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(out, "PNG")
    return out.getvalue()


def plain_png(colour: tuple[int, int, int]) -> bytes:
    return png(np.broadcast_to(np.array(colour, dtype=np.uint8), (TILE, TILE, 3)))


def dot_tile(centres: list[tuple[float, float]]) -> bytes:
    """A white tile with a red disc centred at each (column, row) position in pixels from its top-left corner
    (antialiased, so its centroid is the position to a small fraction of a pixel)."""
    image = np.full((TILE, TILE, 3), 255.0)
    cols, rows = np.meshgrid(np.arange(TILE) + 0.5, np.arange(TILE) + 0.5)
    for cx, cy in centres:
        cover = np.clip(DOT_RADIUS_PX + 0.5 - np.hypot(cols - cx, rows - cy), 0, 1)[..., None]
        image = image * (1 - cover) + np.array(RED) * cover
    return png(np.rint(image))


def gcj02_dot_tile(z: int, x: int, y: int, points_wgs84: list[tuple[float, float]]) -> bytes:
    """GCJ-02 tile z/x/y (Web Mercator grid) marking each WGS84 point at its GCJ-02 position."""
    centres = []
    for lon, lat in points_wgs84:
        glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
        px, py = world_pixel(z, float(glon[0]), float(glat[0]))
        centres.append((px - x * TILE, py - y * TILE))
    return dot_tile(centres)


def bd09_dot_tile(level: int, x: int, y: int, points_wgs84: list[tuple[float, float]]) -> bytes:
    """Baidu tile x/y of `level` marking each WGS84 point at its BD-09MC position: 2^(18 - level) BD-09MC units a
    pixel, tile x spanning [256x, 256x + 256) pixels eastward of BD-09MC x = 0 and tile y [256y, 256y + 256)
    northward of y = 0, so the tile's top row is its northern edge."""
    centres = []
    for lon, lat in points_wgs84:
        mx, my = wgs84_to_bd09_mercator(np.array([lon]), np.array([lat]))
        px, py = float(mx[0]) / 2 ** (18 - level), float(my[0]) / 2 ** (18 - level)
        centres.append((px - x * TILE, (y + 1) * TILE - py))
    return dot_tile(centres)


def red_centroid(pixels: np.ndarray) -> tuple[float, float] | None:
    """The weighted centre (x, y in pixels, from the image's top-left corner) of how red each pixel is."""
    rgb = pixels[..., :3].astype(float)
    redness = np.clip((rgb[..., 0] - (rgb[..., 1] + rgb[..., 2]) / 2) / (RED[0] - (RED[1] + RED[2]) / 2), 0, 1)
    redness[redness < 0.05] = 0
    total = redness.sum()
    if total < 1:
        return None
    rows, cols = np.indices(redness.shape)
    return float(((cols + 0.5) * redness).sum() / total), float(((rows + 0.5) * redness).sum() / total)


class Recorder:
    """What a fake service was asked for."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.fail = False


@contextmanager
def tile_service(answer: Callable[[str, dict[str, list[str]]], bytes | None]) -> Iterator[tuple[str, Recorder]]:
    """An HTTP service on 127.0.0.1: `answer(path, query)` gives a tile's PNG bytes, or None for a 404."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorder.requests.append(self.path)
            parts = urlsplit(self.path)
            body = None if recorder.fail else answer(parts.path, parse_qs(parts.query))
            if recorder.fail:
                self.send_response(500)
                body = b"upstream broke"
            elif body is None:
                self.send_response(404)
                body = b""
            else:
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()


def gcj02_service(points_wgs84: list[tuple[float, float]]) -> Callable[[str, dict[str, list[str]]], bytes | None]:
    """Answers /gaode/{z}/{x}/{y}.png with GCJ-02 tiles marking the points."""
    def answer(path: str, _: dict[str, list[str]]) -> bytes | None:
        z, x, y = (int(part) for part in path.removeprefix("/gaode/").removesuffix(".png").split("/"))
        return gcj02_dot_tile(z, x, y, points_wgs84)

    return answer


def bd09_service(points_wgs84: list[tuple[float, float]]) -> Callable[[str, dict[str, list[str]]], bytes | None]:
    """Answers Baidu's own form, /tile/?qt=tile&x=X&y=Y&z=LEVEL, with BD-09 tiles marking the points; levels 3-19."""
    def answer(path: str, query: dict[str, list[str]]) -> bytes | None:
        level, x, y = (int(query[key][0]) for key in ("z", "x", "y"))
        if path != "/tile/" or query.get("qt") != ["tile"] or not 3 <= level <= 19:
            return None
        return bd09_dot_tile(level, x, y, points_wgs84)

    return answer


def write_mbtiles(path: Path, fmt: str, tiles: dict[tuple[int, int, int], bytes], **metadata: str) -> Path:
    """An MBTiles file with `tiles` keyed by (zoom, column, TMS row), as the format stores them."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [("format", fmt), *metadata.items()])
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(*key, data) for key, data in tiles.items()])
    return path
