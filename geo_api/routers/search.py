"""Search: a parcel code, a project or enterprise name, pinyin initials, or typed coordinates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from geo_api.access import CanView
from geo_api.deps import DB
from layers.records import parcels_at
from layers.search import data_central_meridian, search_parcels
from mujun.coords import looks_like_coordinates, parse_point

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", summary="Find parcels by code, project or enterprise name, pinyin initials, or coordinates")
def search(
    request: Request, conn: DB, access: CanView,
    q: Annotated[str, Query(min_length=1, max_length=200, description="宗地编号, 项目/企业名称, 拼音首字母 (jsyf), "
                                                                       "or coordinates: lon,lat or Gauss-Krüger x,y")],
    limit: Annotated[int, Query(gt=0, le=100)] = 20,
) -> dict[str, Any]:
    if looks_like_coordinates(q):
        meridian = request.app.state.settings.rules.gk_central_meridian or data_central_meridian(conn)
        point = parse_point(q, meridian)
        found = [{**record, "match": "point"} for record in parcels_at(conn, access, point.lon, point.lat)]
        return {"query": q, "point": {"lon": point.lon, "lat": point.lat, "read_as": point.read_as}, "results": found}
    return {"query": q, "point": None, "results": search_parcels(conn, access, q, limit)}
