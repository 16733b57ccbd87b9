"""The base maps of this portal, from its settings: an offline MBTiles or PMTiles file, Tianditu, and sources by URL.

Every base map is served from the portal's own address, `/basemaps/{id}/{z}/{x}/{y}.{format}` (XYZ, Web Mercator,
WGS84): an offline file's tiles (MBTiles rows flipped), remote tiles fetched by the server (so a key such as Tianditu's `tk`
stays on it), GCJ-02 tiles (Gaode, Tencent) and BD-09 tiles (Baidu) redrawn in WGS84. What the browser learns of a base map is
`Basemap.public()`: never a source's URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from layers.shifted_tiles import bd09_tile, gcj02_tile
from layers.tile_archives import TileArchive, open_archive
from layers.upstream import UpstreamTiles
from mujun.errors import MujunError, NotFound
from mujun.settings import BasemapSettings

LOCAL_ID = "local"
NONE_ID = "none"
TIANDITU_ATTRIBUTION = "天地图 © 国家地理信息公共服务平台"
# Tianditu's WMTS in Web Mercator (TILEMATRIXSET=w): KVP requests on eight hosts t0–t7.
TIANDITU_PATH = ("/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w"
                 "&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}")
TIANDITU = (  # id, title (zh, en), base layer, label layer, format
    ("tianditu-vec", ("天地图矢量", "Tianditu map"), "vec", "cva", "png"),
    ("tianditu-img", ("天地图影像", "Tianditu imagery"), "img", "cia", "jpg"),
)
_PLACEHOLDER = re.compile(r"\{(z|x|y|-y|s|tk)\}")


class UnknownBasemap(NotFound):
    code = "basemap_not_found"


@dataclass(frozen=True)
class Basemap:
    id: str
    title: dict[str, str]
    crs: str
    attribution: str
    offline: bool
    format: str
    min_zoom: int = 0
    max_zoom: int = 18
    bounds: tuple[float, float, float, float] | None = None
    source: str | None = field(default=None, repr=False)
    """The remote URL template; may hold `{tk}`, which only `source_url` fills in."""
    labels: str | None = field(default=None, repr=False)
    subdomains: str = ""
    key: str | None = field(default=None, repr=False)
    archive: TileArchive | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"/basemaps/{self.id}/{{z}}/{{x}}/{{y}}.{self.format}"

    @property
    def labels_url(self) -> str | None:
        return f"/basemaps/{self.id}/labels/{{z}}/{{x}}/{{y}}.png" if self.labels else None

    def public(self, default: bool = False) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "url": self.url, "labels_url": self.labels_url, "crs": self.crs,
                "attribution": self.attribution, "offline": self.offline, "format": self.format,
                "min_zoom": self.min_zoom, "max_zoom": self.max_zoom, "bounds": self.bounds, "default": default}

    def source_url(self, template: str, z: int, x: int, y: int) -> str:
        values = {"z": str(z), "x": str(x), "y": str(y), "-y": str((1 << z) - 1 - y),
                  "s": self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else "", "tk": self.key or ""}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _tianditu(settings: BasemapSettings) -> list[Basemap]:
    if settings.tianditu_key is None:
        return []
    base = settings.tianditu_url.rstrip("/")
    key = settings.tianditu_key.get_secret_value()
    return [Basemap(id=ident, title={"zh": zh, "en": en}, crs="cgcs2000", attribution=TIANDITU_ATTRIBUTION, offline=False,
                    format=fmt, max_zoom=18, source=base + TIANDITU_PATH.format(layer=layer),
                    labels=base + TIANDITU_PATH.format(layer=labels), subdomains="01234567", key=key)
            for ident, (zh, en), layer, labels, fmt in TIANDITU]


def load_basemaps(settings: BasemapSettings) -> list[Basemap]:
    """Every configured base map, the offline one first. A missing or unreadable offline file is an error."""
    found: list[Basemap] = []
    if settings.basemap_mbtiles is not None:
        tiles = open_archive(settings.basemap_mbtiles)
        info = tiles.info
        found.append(Basemap(id=LOCAL_ID, title={"zh": settings.basemap_mbtiles_title, "en": info.name}, crs="cgcs2000",
                             attribution=info.attribution, offline=True, format=info.format, min_zoom=info.min_zoom,
                             max_zoom=info.max_zoom, bounds=info.bounds, archive=tiles))
    found.extend(_tianditu(settings))
    if settings.basemap_url:
        found.append(Basemap(id="url", title={"zh": settings.basemap_title, "en": settings.basemap_title},
                             crs=settings.basemap_crs, attribution=settings.basemap_attribution, offline=False, format="png",
                             source=settings.basemap_url))
    found.extend(Basemap(id=s.id, title={"zh": s.title, "en": s.title}, crs=s.crs, attribution=s.attribution, offline=False,
                         format=s.format, max_zoom=s.max_zoom, source=s.url, labels=s.labels_url, subdomains=s.subdomains)
                 for s in settings.basemaps)
    ids = [b.id for b in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1} | ({NONE_ID} & set(ids)))
    if repeated:
        raise MujunError(f"底图编号重复或保留：{'、'.join(repeated)}", f"base map ids repeated or reserved: {', '.join(repeated)}",
                         code="invalid_basemaps", status_code=500)
    return found


def default_basemap(settings: BasemapSettings, basemaps: list[Basemap]) -> str | None:
    """The base map the page opens with: the configured one (`none`: none), else the first."""
    chosen = settings.basemap_default
    if chosen == NONE_ID:
        return None
    if chosen is not None:
        if chosen not in {b.id for b in basemaps}:
            raise MujunError(f"MUJUN_BASEMAP_DEFAULT={chosen} 不是已配置的底图", f"MUJUN_BASEMAP_DEFAULT={chosen} is no configured base map",
                             code="invalid_basemaps", status_code=500)
        return chosen
    return basemaps[0].id if basemaps else None


@dataclass(frozen=True)
class Tile:
    data: bytes
    format: str
    gzipped: bool = False


def sniff(data: bytes, declared: str) -> str:
    """The format of a tile's bytes: a source declared as PNG may still send JPEG (Tianditu does, over the sea)."""
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[8:12] == b"WEBP":
        return "webp"
    return declared


def basemap_tile(basemap: Basemap, z: int, x: int, y: int, upstream: UpstreamTiles, labels: bool = False) -> Tile | None:
    """Tile z/x/y (XYZ) of a base map or its label layer, None where it has none."""
    if not (0 <= z <= 22 and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        return None
    if basemap.archive is not None:
        data = None if labels else basemap.archive.tile(z, x, y)
        if data is None:
            return None
        return Tile(data, basemap.format, basemap.format == "pbf" and data.startswith(b"\x1f\x8b"))
    template = basemap.labels if labels else basemap.source
    if template is None or z > basemap.max_zoom:
        return None
    fmt = "png" if labels else basemap.format

    def fetch(tz: int, tx: int, ty: int) -> bytes | None:
        return upstream.get(basemap.source_url(template, tz, tx, ty), f"{basemap.id} {tz}/{tx}/{ty}")

    redraw = {"gcj02": gcj02_tile, "bd09": bd09_tile}.get(basemap.crs)
    if redraw is not None:
        drawn = redraw(z, x, y, fetch, fmt)
        return Tile(drawn, fmt) if drawn is not None else None
    data = fetch(z, x, y)
    return Tile(data, sniff(data, fmt)) if data is not None else None


@dataclass(frozen=True)
class Basemaps:
    """The configured base maps and the one the page opens with."""

    items: list[Basemap]
    default: str | None

    @classmethod
    def from_settings(cls, settings: BasemapSettings) -> Basemaps:
        items = load_basemaps(settings)
        return cls(items, default_basemap(settings, items))

    def get(self, basemap_id: str) -> Basemap:
        for basemap in self.items:
            if basemap.id == basemap_id:
                return basemap
        raise UnknownBasemap(f"没有底图 {basemap_id}", f"no base map {basemap_id}")

    def public(self) -> list[dict[str, Any]]:
        return [b.public(default=b.id == self.default) for b in self.items]

    def offline_raster(self) -> Basemap | None:
        """The offline raster base map that printed reports and siting sheets draw under their maps, if any."""
        return next((b for b in self.items if b.offline and b.format in ("png", "jpg", "webp")), None)
