"""Printing the map as seen: `POST /api/print` draws the view (base map, layers, filters) on `print.html` with title,
legend, scale bar, north arrow, the data's date and the base map's attribution, and has the same headless Chromium
as the reports print it to PDF or photograph it to PNG, on A4 or A3.

A print is an export: for analysts and up, recorded in the audit trail. The printing browser asks with a pass of the
asker's account (`geo_api.pdf.print_pass`), so the sheet holds only the parcels of the asker's districts."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from geo_api import pdf
from geo_api.access import CanReport, record
from geo_api.deps import DB
from layers.basemaps import NONE_ID
from layers.catalogue import load_catalogue
from layers.records import data_date
from layers.tiles import MapFilters
from mujun.audit import Event
from mujun.errors import MujunError

router = APIRouter(prefix="/api", tags=["print"])

PRINT_STORAGE_KEY = "mujun.printMap"
"""Where print.html reads what to draw (PRINT_KEY in web/print-view.js)."""
FILTER_NAMES = tuple(f.name for f in fields(MapFilters))
MEDIA = {"pdf": "application/pdf", "png": "image/png"}


class Paper(BaseModel):
    size: Literal["A4", "A3"] = "A4"
    orientation: Literal["landscape", "portrait"] = "landscape"


class PrintRequest(BaseModel):
    bbox: Annotated[list[float], Field(min_length=4, max_length=4, description="minLon,minLat,maxLon,maxLat (CRS84): the view",
                                       examples=[[119.90, 31.75, 120.02, 31.82]])]
    layers: list[str] = Field(default=["zones", "parcels"], description="the catalogue's layers shown, e.g. zones, parcels")
    filters: dict[str, str] = Field(default_factory=dict, description=f"the map's filters ({', '.join(FILTER_NAMES)})")
    basemap: str | None = Field(default=None, description="a base map id of GET /api/basemaps; none or null: no base map")
    title: str = Field(default="亩均 · 常州工业用地投资强度", min_length=1, max_length=100)
    lang: Literal["zh", "en"] = "zh"
    format: Literal["pdf", "png"] = "pdf"
    paper: Paper = Field(default_factory=Paper)


def _invalid(zh: str, en: str) -> MujunError:
    return MujunError(zh, en, code="invalid_print", status_code=422)


@router.post("/print", summary="The map as seen, printed: PDF or PNG, A4 or A3, with title, legend, scale bar, north arrow",
             response_class=Response, responses={200: {"content": {media: {} for media in MEDIA.values()}}})
def print_map(body: PrintRequest, request: Request, conn: DB, access: CanReport) -> Response:
    west, south, east, north = body.bbox
    if not (-180 <= west < east <= 180 and -85.06 <= south < north <= 85.06):
        raise _invalid("bbox 应为 最小经度,最小纬度,最大经度,最大纬度", "bbox must be minLon,minLat,maxLon,maxLat")
    known = [layer.id for layer in load_catalogue().layers]
    unknown = [layer for layer in body.layers if layer not in known] + [f for f in body.filters if f not in FILTER_NAMES]
    if unknown:
        raise _invalid(f"未知的图层或筛选条件：{'、'.join(unknown)}", f"unknown layers or filters: {', '.join(unknown)}")
    MapFilters(**{name: (value,) for name, value in body.filters.items() if value})  # a value no filter takes is a 422
    basemap = None
    if body.basemap not in (None, NONE_ID):
        basemap = request.app.state.basemaps.get(body.basemap).public()
    executable = pdf.chromium(request.app.state.settings.web.chromium)
    loaded = data_date(conn)
    sheet = {**body.model_dump(), "basemap": basemap, "data_date": loaded.isoformat() if loaded else None,
             "printed_at": datetime.now(UTC).isoformat()}
    render = pdf.print_pdf if body.format == "pdf" else pdf.screenshot_png
    with pdf.print_pass(request, access) as credentials:
        document = render(executable, f"{pdf.own_origin(request)}/print.html", ready="body[data-ready]",
                          landscape=body.paper.orientation == "landscape", credentials=credentials, paper=body.paper.size,
                          session_storage={PRINT_STORAGE_KEY: json.dumps(sheet, ensure_ascii=False)})
    record(request, access, Event.EXPORT, {"report": "map", "format": body.format, "layers": body.layers, "filters": body.filters,
                                           "bbox": body.bbox, "paper": body.paper.model_dump()})
    filename = f"mujun-map-{datetime.now():%Y%m%d-%H%M}.{body.format}"
    return Response(document, media_type=MEDIA[body.format], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
