"""Tiles read from a file, as a surveying institute hands a bureau its offline base map: MBTiles (SQLite) or PMTiles
(one file of tiles and directories, read with the `pmtiles` package).

MBTiles numbers rows the TMS way, from the south (row 0 at the bottom); the web's XYZ numbers them from the
north. A tile asked for at XYZ (z, x, y) is the file's row 2^z − 1 − y. PMTiles addresses tiles by XYZ already.
Raster tiles (PNG, JPEG, WebP) are sent as stored; vector tiles (MVT, `pbf`) are stored gzipped by most tools and are
sent with `Content-Encoding: gzip`.
"""

from __future__ import annotations

import json
import mmap
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pmtiles.reader import Reader
from pmtiles.tile import TileType

from mujun.errors import MujunError

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "pbf": "application/vnd.mapbox-vector-tile"}
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ArchiveInfo:
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


def _version(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size:x}-{stat.st_mtime_ns:x}"


def _unreadable(path: Path, zh: str, en: str) -> MujunError:
    return MujunError(f"{path.name}：{zh}", f"{path.name}: {en}", code="basemap_unreadable", status_code=503)


def _missing(path: Path) -> None:
    if not path.is_file():
        raise MujunError(f"离线底图文件不存在：{path}", f"the offline base map file does not exist: {path}",
                         code="basemap_missing", status_code=503)


class TileArchive(Protocol):
    info: ArchiveInfo

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (z, x, y), or None outside the file."""


class MBTiles:
    """One MBTiles file, opened read-only; a connection per thread (SQLite connections are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        _missing(path)
        self.info = self._read_info()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _read_info(self) -> ArchiveInfo:
        try:
            rows = dict(self._connection().execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._connection().execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        except sqlite3.Error as exc:
            raise _unreadable(self.path, f"不是可读的 MBTiles 文件（{exc}）", f"not a readable MBTiles file ({exc})") from exc
        fmt = {"jpeg": "jpg"}.get(str(rows.get("format", "png")).lower(), str(rows.get("format", "png")).lower())
        if fmt not in MEDIA_TYPES:
            raise _unreadable(self.path, f"瓦片格式 {fmt} 不受支持（应为 png、jpg、webp 或 pbf）",
                              f"tile format {fmt} is not supported (png, jpg, webp or pbf)")
        bounds = None
        if rows.get("bounds"):
            parts = [float(v) for v in str(rows["bounds"]).split(",")]
            bounds = (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None
        return ArchiveInfo(
            name=str(rows.get("name") or self.path.stem), format=fmt,
            min_zoom=int(rows.get("minzoom", zooms[0] if zooms[0] is not None else 0)),
            max_zoom=int(rows.get("maxzoom", zooms[1] if zooms[1] is not None else 0)),
            bounds=bounds, attribution=str(rows.get("attribution") or ""),
            version=_version(self.path),
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


PMTILES_FORMATS = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp", TileType.MVT: "pbf"}


class PMTiles:
    """One PMTiles (v3) file, mapped read-only into memory; reads from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _missing(path)
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        self._reader = Reader(lambda offset, length: self._map[offset:offset + length])
        try:
            header = self._reader.header()
            metadata = self._reader.metadata()
        except (ValueError, json.JSONDecodeError, OSError) as exc:
            raise _unreadable(self.path, f"不是可读的 PMTiles 文件（{type(exc).__name__}）",
                              f"not a readable PMTiles file ({type(exc).__name__})") from exc
        fmt = PMTILES_FORMATS.get(header["tile_type"])
        if fmt is None:
            raise _unreadable(self.path, f"瓦片类型 {header['tile_type'].name} 不受支持", f"tile type {header['tile_type'].name} is not supported")
        bounds = tuple(header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
        self.info = ArchiveInfo(name=str(metadata.get("name") or path.stem), format=fmt, min_zoom=header["min_zoom"],
                                max_zoom=header["max_zoom"], bounds=(bounds[0], bounds[1], bounds[2], bounds[3]),
                                attribution=str(metadata.get("attribution") or ""), version=_version(path))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not (0 <= z <= 30 and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        data = self._reader.get(z, x, y)
        return bytes(data) if data else None


def open_archive(path: Path) -> TileArchive:
    """An MBTiles or a PMTiles file, told by its first bytes."""
    _missing(path)
    with path.open("rb") as file:
        magic = file.read(7)
    return PMTiles(path) if magic == b"PMTiles" else MBTiles(path)
