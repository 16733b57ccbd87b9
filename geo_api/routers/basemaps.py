"""Base maps: the list the page's switcher shows, and their tiles served from the portal's own address.

For viewers and up, with no districts: a base map is the same for everyone. A tile asked for with credentials is
cached `private`, as the vector tiles are: a shared cache must not hand it to a request without them."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request, Response

from geo_api.access import CanView
from geo_api.tile_cache import etag_for
from layers.basemaps import Basemap, Basemaps, UnknownBasemap, basemap_tile
from layers.tile_archives import MEDIA_TYPES
from mujun.access import Access, Via

router = APIRouter(tags=["basemaps"])

_TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in MEDIA_TYPES.values()}}, 304: {"description": "not modified"},
    404: {"description": "no such base map, or no tile there"}, 502: {"description": "the remote source failed"},
}
_ALIASES = {"jpeg": "jpg"}


def _basemaps(request: Request) -> Basemaps:
    return request.app.state.basemaps


@router.get("/api/basemaps", summary="The configured base maps (offline MBTiles/PMTiles, Tianditu, sources by URL), each served by the portal")
def list_basemaps(request: Request, _: CanView) -> list[dict[str, Any]]:
    return _basemaps(request).public()


def _serve(request: Request, access: Access, basemap: Basemap, z: int, x: int, y: int, ext: str, labels: bool) -> Response:
    wanted = "png" if labels else basemap.format
    tile = basemap_tile(basemap, z, x, y, request.app.state.upstream, labels) if _ALIASES.get(ext, ext) == wanted else None
    if tile is None:
        raise UnknownBasemap(f"底图 {basemap.id} 在 {z}/{x}/{y} 没有瓦片", f"base map {basemap.id} has no tile at {z}/{x}/{y}",
                             code="tile_not_found")
    key = f"{basemap.id}|{'labels' if labels else 'base'}|{z}|{x}|{y}"
    if basemap.archive is not None:
        etag = etag_for(basemap.archive.info.version, key)
    else:  # a remote source has no version to ask: the bytes are the version
        etag = f'"{hashlib.blake2b(tile.data, digest_size=12).hexdigest()}"'
    shared = "public" if access.via is Via.ANONYMOUS else "private"
    headers = {"ETag": etag, "Cache-Control": f"{shared}, max-age={request.app.state.settings.basemaps.basemap_max_age_s}",
               "Vary": "Authorization, Cookie"}
    if tile.gzipped:
        headers["Content-Encoding"] = "gzip"
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(tile.data, media_type=MEDIA_TYPES[tile.format], headers=headers)


@router.get("/basemaps/{basemap_id}/{z}/{x}/{y}.{ext}", summary="A base-map tile (XYZ, Web Mercator, WGS84)",
            response_class=Response, responses=_TILE_RESPONSES)
def basemap_tile_route(request: Request, access: CanView, basemap_id: str, z: int, x: int, y: int, ext: str) -> Response:
    return _serve(request, access, _basemaps(request).get(basemap_id), z, x, y, ext, labels=False)


@router.get("/basemaps/{basemap_id}/labels/{z}/{x}/{y}.{ext}", summary="A tile of a base map's label layer (Tianditu's)",
            response_class=Response, responses=_TILE_RESPONSES)
def basemap_labels_route(request: Request, access: CanView, basemap_id: str, z: int, x: int, y: int, ext: str) -> Response:
    return _serve(request, access, _basemaps(request).get(basemap_id), z, x, y, ext, labels=True)
