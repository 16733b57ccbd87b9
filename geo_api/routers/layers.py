"""The layer catalogue and each layer's GeoJSON features by bbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from geo_api.access import CanView
from geo_api.deps import DB, BBoxParam
from layers.catalogue import load_catalogue
from layers.records import data_extent, parcel_features, zone_features
from mujun.errors import NotFound

router = APIRouter(prefix="/api", tags=["layers"])


@router.get("/layers", summary="Map layers with title, style and legend, the overlays drawn from classes the API decides, and the data's extent")
def list_layers(conn: DB, _: CanView) -> dict[str, Any]:
    layers = [
        {**layer.model_dump(exclude={"table", "key", "properties"}),
         "features_url": f"/api/layers/{layer.id}/features"}
        for layer in load_catalogue().layers
    ]
    overlays = [overlay.model_dump() for overlay in load_catalogue().overlays]
    return {"layers": layers, "overlays": overlays, "initial_bbox": data_extent(conn)}


@router.get("/layers/{layer_id}/features", summary="GeoJSON features (CRS84) of a layer within a bbox")
def layer_features(
    layer_id: str, conn: DB, bbox: BBoxParam, access: CanView,
    limit: Annotated[int | None, Query(gt=0, description="at most this many features")] = None,
) -> dict[str, Any]:
    layer = load_catalogue().get(layer_id)
    if layer is None:
        raise NotFound(f"没有图层 {layer_id}", f"no layer {layer_id}", code="layer_not_found")
    cap = min(limit or layer.feature_limit, layer.feature_limit)
    if layer.properties == "parcel_record":
        return parcel_features(conn, access, bbox, cap)
    return zone_features(conn, layer, bbox, cap)
