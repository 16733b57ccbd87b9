"""OGC API - Features, Part 1: Core, GeoJSON and an OpenAPI 3.0 definition, under `/ogc`.

QGIS, GDAL/OGR ("OAPIF:") and other GIS tools read the zones, parcels and projects from here. Coordinates
are CRS84 (lon/lat); `bbox` is CRS84 too.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from geo_api.access import CanView, Public
from geo_api.ogc_openapi import LIMIT_DEFAULT, LIMIT_MAX, openapi_document
from geo_api.pool import ReadPool
from layers.features import COLLECTIONS, Collection, extent, item, items
from mujun.errors import MujunError, NotFound

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _collection(collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise NotFound(f"没有要素集合 {collection_id}", f"no collection {collection_id}", code="collection_not_found")
    return collection


def _bad(name: str, zh: str, en: str) -> MujunError:
    return MujunError(f"参数 {name} 有误：{zh}", f"invalid parameter {name}: {en}", code="invalid_parameter", status_code=400,
                      details=[{"field": name}])


def _integer(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _bad(name, "应为整数", "expected an integer") from None
    if not low <= value <= high:
        raise _bad(name, f"应在 {low} 到 {high} 之间", f"expected {low} to {high}")
    return value


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90):
        raise _bad("bbox", "应为 最小经度,最小纬度,最大经度,最大纬度（CRS84）", "expected minLon,minLat,maxLon,maxLat (CRS84)")
    return parts[0], parts[1], parts[2], parts[3]


def _collection_json(request: Request, collection: Collection, bbox: list[float] | None) -> dict[str, Any]:
    url = f"{_base(request)}/collections/{collection.id}"
    described: dict[str, Any] = {
        "id": collection.id, "title": collection.title_zh, "description": collection.title_en, "itemType": "feature",
        "crs": [CRS84],
        "links": [{"href": url, "rel": "self", "type": "application/json", "title": collection.title_en},
                  {"href": f"{url}/items", "rel": "items", "type": GEOJSON, "title": collection.title_en}],
    }
    if bbox:
        described["extent"] = {"spatial": {"bbox": [bbox], "crs": CRS84}}
    return described


@router.get("", summary="OGC API - Features landing page")
def landing(request: Request, _: Public) -> dict[str, Any]:
    base = _base(request)
    return {
        "title": "Mujun 亩均 OGC API - Features",
        "description": "Development zones, project parcels and projects with their investment intensity (万元/亩)",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "this document"},
            {"href": f"{base}/api", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0",
             "title": "the API definition (OpenAPI 3.0)"},
            {"href": str(request.base_url).rstrip("/") + "/docs", "rel": "service-doc", "type": "text/html",
             "title": "the API documentation"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json", "title": "conformance classes"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "the feature collections"},
        ],
    }


@router.get("/api", summary="OpenAPI 3.0 definition of the OGC API")
def api(request: Request, _: Public) -> JSONResponse:
    return JSONResponse(openapi_document(_base(request)), media_type="application/vnd.oai.openapi+json;version=3.0")


@router.get("/conformance", summary="OGC API - Features conformance classes")
def conformance(_: Public) -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


@router.get("/collections", summary="The feature collections: zones, parcels, projects")
async def collections(request: Request, pool: ReadPool, _: CanView) -> dict[str, Any]:
    async with pool.connection() as conn:
        described = [_collection_json(request, c, await extent(conn, c)) for c in COLLECTIONS.values()]
    url = f"{_base(request)}/collections"
    return {"links": [{"href": url, "rel": "self", "type": "application/json", "title": "collections"}], "collections": described}


@router.get("/collections/{collection_id}", summary="One feature collection")
async def collection(request: Request, collection_id: str, pool: ReadPool, _: CanView) -> dict[str, Any]:
    found = _collection(collection_id)
    async with pool.connection() as conn:
        return _collection_json(request, found, await extent(conn, found))


@router.get("/collections/{collection_id}/items", summary="Features of a collection (GeoJSON, CRS84): bbox, limit, offset, property filters",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def collection_items(request: Request, collection_id: str, pool: ReadPool, access: CanView) -> Response:
    found = _collection(collection_id)
    params = dict(request.query_params)
    unknown = sorted(set(params) - {"bbox", "limit", "offset", "f", *found.queryables})
    if unknown:
        raise _bad(unknown[0], f"不认识的参数；可用：bbox、limit、offset、{'、'.join(found.queryables)}",
                   f"unknown parameter; expected bbox, limit, offset, {', '.join(found.queryables)}")
    limit = _integer(params, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX)
    offset = _integer(params, "offset", 0, 0, 2**31 - 1)
    bbox = _bbox(params.get("bbox"))
    filters = {name: params[name] for name in found.queryables if name in params}
    async with pool.connection() as conn:
        page = await items(conn, access, found, bbox, filters, limit, offset)
    url = f"{_base(request)}/collections/{found.id}/items"

    def link(rel: str, at: int) -> dict[str, str]:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit", "f")]
        return {"href": f"{url}?{urlencode([*kept, ('limit', limit), ('offset', at)], safe=',')}", "rel": rel, "type": GEOJSON}

    links = [link("self", offset)]
    if page.has_next:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    # The features are GeoJSON text from PostgreSQL: joined, never parsed here.
    tail: dict[str, Any] = {"numberReturned": len(page.features), "links": links}
    if page.number_matched is not None:
        tail["numberMatched"] = page.number_matched
    body = f'{{"type": "FeatureCollection", "features": [{",".join(page.features)}], {json.dumps(tail, ensure_ascii=False)[1:]}'
    return Response(body, media_type=GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature (GeoJSON, CRS84)",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def collection_item(request: Request, collection_id: str, feature_id: str, pool: ReadPool, access: CanView) -> Response:
    found = _collection(collection_id)
    async with pool.connection() as conn:
        feature = await item(conn, access, found, feature_id)
    if feature is None:
        raise NotFound(f"集合 {found.id} 中没有要素 {feature_id}", f"no feature {feature_id} in {found.id}", code="feature_not_found")
    url = f"{_base(request)}/collections/{found.id}"
    links = [{"href": f"{url}/items/{quote(feature_id)}", "rel": "self", "type": GEOJSON},
             {"href": url, "rel": "collection", "type": "application/json"}]
    return Response(f'{feature[:-1]}, "links": {json.dumps(links, ensure_ascii=False)}}}', media_type=GEOJSON)
