"""Tiles read from an MBTiles file (SQLite), as a surveying institute hands a bureau its offline base map.

MBTiles numbers rows the TMS way, from the south (row 0 at the bottom); the web's XYZ numbers them from the
north. A tile asked for at XYZ (z, x, y) is the file's row 2^z − 1 − y. Raster tiles (PNG, JPEG) are sent as
stored; vector tiles (MVT, `pbf`) are stored gzipped by most tools and are sent with `Content-Encoding: gzip`.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from mujun.errors import MujunError

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "pbf": "application/vnd.mapbox-vector-tile"}
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class MBTilesInfo:
    name: str
    format: str
    """png, jpg, webp or pbf (the file's `format` metadata; `jpeg` is read as jpg)."""
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None
    attribution: str
    version: str
    """Changes when the file changes (size and modification time): it goes into the tiles' ETags."""


def xyz_to_tms_row(z: int, y: int) -> int:
    return (1 << z) - 1 - y


class MBTiles:
    """One MBTiles file, opened read-only; a connection per thread (SQLite connections are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        if not path.is_file():
            raise MujunError(f"离线底图文件不存在：{path}", f"the offline base map file does not exist: {path}",
                             code="basemap_missing", status_code=503)
        self.info = self._read_info()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _read_info(self) -> MBTilesInfo:
        try:
            rows = dict(self._connection().execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._connection().execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        except sqlite3.Error as exc:
            raise MujunError(f"{self.path.name}：不是可读的 MBTiles 文件（{exc}）",
                             f"{self.path.name}: not a readable MBTiles file ({exc})", code="basemap_unreadable",
                             status_code=503) from exc
        fmt = {"jpeg": "jpg"}.get(str(rows.get("format", "png")).lower(), str(rows.get("format", "png")).lower())
        if fmt not in MEDIA_TYPES:
            raise MujunError(f"{self.path.name}：瓦片格式 {fmt} 不受支持（应为 png、jpg、webp 或 pbf）",
                             f"{self.path.name}: tile format {fmt} is not supported (png, jpg, webp or pbf)",
                             code="basemap_unreadable", status_code=503)
        bounds = None
        if rows.get("bounds"):
            parts = [float(v) for v in str(rows["bounds"]).split(",")]
            bounds = (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None
        stat = self.path.stat()
        return MBTilesInfo(
            name=str(rows.get("name") or self.path.stem), format=fmt,
            min_zoom=int(rows.get("minzoom", zooms[0] if zooms[0] is not None else 0)),
            max_zoom=int(rows.get("maxzoom", zooms[1] if zooms[1] is not None else 0)),
            bounds=bounds, attribution=str(rows.get("attribution") or ""),
            version=f"{stat.st_size:x}-{stat.st_mtime_ns:x}",
        )

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (z, x, y), or None outside the file."""
        if not (0 <= z <= 30 and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        row = self._connection().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, xyz_to_tms_row(z, y)),
        ).fetchone()
        return bytes(row[0]) if row is not None else None
