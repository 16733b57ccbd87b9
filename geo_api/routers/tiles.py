"""Vector tiles of every catalogue layer, with ETags from the data version, and TileJSON per layer."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Integer, Numeric

from geo_api.access import CanView
from geo_api.tile_cache import CachedTile, etag_for
from layers.catalogue import Layer, load_catalogue
from layers.tiles import SUMMARY_BANDS, MapFilters, render_tile, tile_query
from mujun.access import Access, Via
from mujun.errors import NotFound
from mujun.models import Base

router = APIRouter(tags=["tiles"])

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
_FILTER_HELP = "repeatable; the violation report's filter of the same name (any status unless `status` is given)"


def map_filters(
    jurisdiction: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    zone: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    zone_class: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    stage: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    industry: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    level: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    band: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
    status: Annotated[list[str] | None, Query(description=_FILTER_HELP)] = None,
) -> MapFilters:
    def values(given: list[str] | None) -> tuple[str, ...]:
        return tuple(sorted({v for v in given or () if v}))

    return MapFilters(jurisdiction=values(jurisdiction), zone=values(zone), zone_class=values(zone_class),
                      stage=values(stage), industry=values(industry), level=values(level), band=values(band),
                      status=values(status))


Filters = Annotated[MapFilters, Depends(map_filters)]


def _tiled_layer(layer_id: str) -> Layer:
    layer = load_catalogue().get(layer_id)
    if layer is None or layer.tiles is None:
        raise NotFound(f"没有图层 {layer_id} 的矢量瓦片", f"no vector tiles for layer {layer_id}", code="layer_not_found")
    return layer


def catalogue_digest() -> str:
    """Changes when the catalogue's tile settings change, so a new catalogue never meets an old ETag."""
    text = json.dumps([layer.tiles.model_dump() for layer in load_catalogue().layers if layer.tiles], sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def _headers(tile: CachedTile, max_age_s: int, cache: str, access: Access) -> dict[str, str]:
    # A tile asked for with credentials is that account's: a shared cache (a proxy) must not hand it to another.
    shared = "public" if access.via is Via.ANONYMOUS else "private"
    headers = {"ETag": tile.etag, "Cache-Control": f"{shared}, max-age={max_age_s}, must-revalidate",
               "Vary": "Authorization, Cookie", "X-Tile-Features": str(tile.features), "X-Cache": cache}
    if tile.capped:
        headers["X-Tile-Capped"] = tile.capped
    return headers


@router.get("/tiles/{layer_id}/{z}/{x}/{y}.mvt", summary="A Mapbox Vector Tile of a layer (Web Mercator), with the map's filters",
            response_class=Response, responses={200: {"content": {MVT_MEDIA_TYPE: {}}}, 304: {"description": "not modified"}})
async def tile(request: Request, layer_id: str, z: int, x: int, y: int, filters: Filters, access: CanView) -> Response:
    state = request.app.state
    layer = _tiled_layer(layer_id)
    query = tile_query(layer, z, x, y, filters, access)
    version = await state.data_version.current(state.pool)
    scope = access.scope_key() if layer.table == "parcels" else ""  # zone outlines are the same for every district
    key = f"{version}|{state.catalogue_digest}|{layer_id}|{z}|{x}|{y}|{filters.key()}|{scope}"
    cached = state.tile_cache.get(key)
    hit = "hit" if cached is not None else "miss"
    if cached is None:
        # On the replica once it has replayed the load that made this version (else on the primary).
        async with (await state.reads.pool(state.data_version.must_see)).connection() as conn:
            rendered = await render_tile(conn, query)
        cached = CachedTile(rendered.data, etag_for(version, key), rendered.features, rendered.capped)
        state.tile_cache.put(key, cached)
    headers = _headers(cached, state.settings.web.tile_max_age_s, hit, access)
    if cached.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(cached.data, media_type=MVT_MEDIA_TYPE, headers=headers)


def _fields(layer: Layer) -> dict[str, str]:
    assert layer.tiles is not None
    table = Base.metadata.tables[layer.table]
    return {name: "Number" if isinstance(table.c[name].type, Integer | Numeric) else "String" for name in layer.tiles.properties}


@router.get("/tiles/{layer_id}.json", summary="TileJSON 3.0 of a layer's vector tiles (the filters given are kept in the tile URL)")
def tilejson(request: Request, layer_id: str, filters: Filters, _: CanView) -> dict[str, Any]:
    layer = _tiled_layer(layer_id)
    settings = layer.tiles
    assert settings is not None
    query = urlencode([(name, value) for name in filters.in_use() for value in getattr(filters, name)])
    base = str(request.base_url).rstrip("/")
    vector_layers = [{"id": layer.id, "description": layer.title.en, "minzoom": settings.min_zoom,
                      "maxzoom": settings.max_zoom, "fields": _fields(layer)}]
    if settings.summary_layer:
        vector_layers.append({
            "id": settings.summary_layer, "description": "one point per zone: its parcels counted by band",
            "minzoom": 0, "maxzoom": settings.min_zoom - 1,
            "fields": {"zone_code": "String", "name": "String", "zone_class": "String", "jurisdiction": "String",
                       "parcels": "Number", **dict.fromkeys(SUMMARY_BANDS, "Number")},
        })
    return {
        "tilejson": "3.0.0", "name": layer.title.zh, "description": layer.title.en, "scheme": "xyz",
        "tiles": [f"{base}/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt" + (f"?{query}" if query else "")],
        "minzoom": 0 if settings.summary_layer else settings.min_zoom, "maxzoom": settings.max_zoom,
        "bounds": [-180, -85.0511287798066, 180, 85.0511287798066], "vector_layers": vector_layers,
    }
