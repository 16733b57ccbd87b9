"""The OpenAPI 3.0 definition of `/ogc` (conformance class oas30), written from the collection definitions.

FastAPI's own `/openapi.json` is OpenAPI 3.1 and covers the whole portal; OGC clients read this one, which
names each collection's items path with its own filter parameters.
"""

from __future__ import annotations

from typing import Any

from layers.features import COLLECTIONS, property_type

LIMIT_DEFAULT = 10
LIMIT_MAX = 10_000


def _json(description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


def _parameters() -> dict[str, Any]:
    return {
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
                 "description": "minLon,minLat,maxLon,maxLat (CRS84)",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT}},
        "offset": {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0}},
        "collectionId": {"name": "collectionId", "in": "path", "required": True,
                         "schema": {"type": "string", "enum": list(COLLECTIONS)}},
        "featureId": {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}},
    }


def openapi_document(base: str) -> dict[str, Any]:
    """The definition, with `base` (…/ogc) as its server."""
    paths: dict[str, Any] = {
        "/": {"get": {"operationId": "getLandingPage", "summary": "landing page", "responses": {"200": _json("links")}}},
        "/conformance": {"get": {"operationId": "getConformance", "summary": "conformance classes",
                                 "responses": {"200": _json("conformsTo")}}},
        "/collections": {"get": {"operationId": "getCollections", "summary": "the collections",
                                 "responses": {"200": _json("collections")}}},
        "/collections/{collectionId}": {"get": {
            "operationId": "describeCollection", "summary": "one collection",
            "parameters": [{"$ref": "#/components/parameters/collectionId"}],
            "responses": {"200": _json("the collection"), "404": {"description": "no such collection"}}}},
    }
    for collection in COLLECTIONS.values():
        filters = [{"name": name, "in": "query", "required": False, "description": f"{name} equals this value",
                    "schema": {"type": property_type(collection, name)}} for name in collection.queryables]
        paths[f"/collections/{collection.id}/items"] = {"get": {
            "operationId": f"get{collection.id.title()}Features", "summary": f"{collection.title_en}: features",
            "parameters": [{"$ref": "#/components/parameters/bbox"}, {"$ref": "#/components/parameters/limit"},
                           {"$ref": "#/components/parameters/offset"}, *filters],
            "responses": {"200": _json("GeoJSON FeatureCollection (CRS84)", "application/geo+json"),
                          "400": {"description": "an invalid or unknown parameter"}}}}
        paths[f"/collections/{collection.id}/items/{{featureId}}"] = {"get": {
            "operationId": f"get{collection.id.title()}Feature", "summary": f"{collection.title_en}: one feature",
            "parameters": [{"$ref": "#/components/parameters/featureId"}],
            "responses": {"200": _json("GeoJSON Feature (CRS84)", "application/geo+json"),
                          "404": {"description": "no such feature"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Mujun 亩均 OGC API - Features", "version": "1.0.0",
                 "description": "Development zones, project parcels and projects (CRS84)."},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"parameters": _parameters()},
    }
