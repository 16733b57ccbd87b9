"""Working on the map: a point's coordinates in every form officials use, and lengths and areas measured as a
cadastre measures them (Gauss-Krüger plane). The figures are the core's (`mujun.coords`, `mujun.measure`); the page
only shows them. For viewers and up, with no districts: a point or a drawing holds no one's records."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from geo_api.access import CanView
from geo_api.deps import engine
from layers.search import data_central_meridian
from mujun.coords import CHINA_LAT, CHINA_LON, gauss_kruger_point, parse_point
from mujun.errors import MujunError
from mujun.measure import measure, parse_measured

router = APIRouter(prefix="/api", tags=["measure"])


class GaussKrugerOut(BaseModel):
    zone: int = Field(description="the 3-degree zone's number (central meridian ÷ 3)")
    central_meridian: int
    epsg: int = Field(description="the zone without its number in the easting, e.g. 4549")
    epsg_prefixed: int = Field(description="the zone with its number in front of the easting, e.g. 4528")
    easting: float = Field(description="m, ≈ 500 000 (x without the zone number)")
    easting_prefixed: float = Field(description="m, ≈ 40 500 000 (x with the zone number)")
    northing: float = Field(description="m (y)")


class PointOut(BaseModel):
    lon: float
    lat: float
    read_as: str = Field(description="how typed coordinates were read (lon/lat, EPSG:4528 x/y, …)")
    gauss_kruger: GaussKrugerOut


@router.get("/coords", summary="A point in lon/lat and in Gauss-Krüger x/y of its zone (with and without the zone number)",
            response_model=PointOut)
def coordinates(
    request: Request,
    _: CanView,
    lon: Annotated[float | None, Query(description="longitude (CGCS2000/WGS84)")] = None,
    lat: Annotated[float | None, Query(description="latitude")] = None,
    q: Annotated[str | None, Query(max_length=200, description="typed coordinates instead: lon,lat or Gauss-Krüger x,y")] = None,
) -> PointOut:
    if q is not None:
        meridian = request.app.state.settings.rules.gk_central_meridian
        if meridian is None:  # only typed x/y may need the data's zone: the cursor's many requests never touch the database
            with engine(request).connect() as conn:
                meridian = data_central_meridian(conn)
        typed = parse_point(q, meridian)
        lon, lat, read_as = typed.lon, typed.lat, typed.read_as
    elif lon is None or lat is None:
        raise MujunError("请给出 lon 与 lat，或 q（输入的坐标）", "give lon and lat, or q (typed coordinates)",
                         code="invalid_coordinates", status_code=422)
    else:
        read_as = "lon/lat"
    if not (CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
        raise MujunError(f"坐标不在中国范围内：经度 {lon}，纬度 {lat}", f"the point lies outside China: lon {lon}, lat {lat}",
                         code="invalid_coordinates", status_code=422)
    gk = gauss_kruger_point(lon, lat)
    return PointOut(lon=lon, lat=lat, read_as=read_as, gauss_kruger=GaussKrugerOut(**vars(gk)))


class MeasureRequest(BaseModel):
    geometry: dict[str, Any] = Field(description="a GeoJSON LineString or Polygon (or Multi…), lon/lat (CRS84)",
                                     examples=[{"type": "LineString", "coordinates": [[119.95, 31.78], [119.96, 31.78]]}])


class MeasurementOut(BaseModel):
    kind: Literal["length", "area"]
    gauss_kruger_epsg: int = Field(description="the plane it was measured in (the zone of its centroid)")
    length_m: float = Field(description="the line's length, or the polygon's perimeter, m (to 0.01)")
    area_m2: float | None = Field(description="m², to 0.01")
    area_mu: float | None = Field(description="亩 (10000/15 m²), to 0.01")
    area_ha: float | None = Field(description="公顷 (10 000 m²), to 0.0001")


@router.post("/measure", summary="Length or area of a drawn line or polygon in the Gauss-Krüger plane (m, m², 亩, 公顷)",
             response_model=MeasurementOut)
def measure_geometry(body: MeasureRequest, _: CanView) -> MeasurementOut:
    return MeasurementOut.model_validate(vars(measure(parse_measured(body.geometry))))
