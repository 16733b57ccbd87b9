"""Parcels: by code and by a point on the map."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from geo_api.access import CanView
from geo_api.deps import DB
from geo_api.pool import ReadPool
from geo_api.schemas import LookupOut, ParcelRecordOut
from layers.records import parcel_by_code, parcels_at_async
from layers.search import parcel_context
from mujun.errors import NotFound

router = APIRouter(prefix="/api", tags=["parcels"])


@router.get("/parcels/{parcel_code}", summary="One parcel's record (宗地)", response_model=ParcelRecordOut)
def get_parcel(parcel_code: str, conn: DB, access: CanView) -> dict[str, Any]:
    record = parcel_by_code(conn, access, parcel_code)
    if record is None:
        raise NotFound(f"未找到宗地编号 {parcel_code}", f"no parcel with code {parcel_code}", code="parcel_not_found")
    return record


@router.get("/parcels/{parcel_code}/context", summary="The parcel's record, its project's other parcels, its neighbours")
def get_parcel_context(parcel_code: str, conn: DB, access: CanView) -> dict[str, Any]:
    record = get_parcel(parcel_code, conn, access)
    return {"parcel": record, **parcel_context(conn, access, parcel_code)}


@router.get("/lookup", summary="Parcels containing a point (lon/lat, CGCS2000 ≈ WGS84)", response_model=LookupOut)
async def lookup(
    pool: ReadPool, access: CanView,
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude, degrees east")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude, degrees north")],
) -> Response:
    # The map's click: answered on the async pool and serialised once (the records are plain JSON values).
    async with pool.connection() as conn:
        parcels = await parcels_at_async(conn, access, lon, lat)
    answer = {"lon": lon, "lat": lat, "parcels": parcels}
    return Response(json.dumps(answer, ensure_ascii=False, separators=(",", ":")), media_type="application/json")
