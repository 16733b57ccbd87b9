"""Siting review (选址审查) of a proposed site: parse the site, fetch what lies under it, apply the rules."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from etl.file_limits import UPLOAD_LIMITS, safe_file_name
from etl.site_file import read_site
from geo_api import pdf
from geo_api.access import CanView
from geo_api.deps import DB
from layers.search import data_central_meridian
from layers.siting import siting_candidates
from mujun.errors import MujunError
from mujun.policy import load_policy
from mujun.siting import parse_site, review_site

router = APIRouter(prefix="/api", tags=["siting"])

EXAMPLE_SITE = {"type": "Polygon", "coordinates": [[[119.95, 31.67], [119.952, 31.67], [119.952, 31.6715],
                                                    [119.95, 31.6715], [119.95, 31.67]]]}


class SitingRequest(BaseModel):
    geometry: dict[str, Any] = Field(description="the site: a GeoJSON Polygon or MultiPolygon, lon/lat (CRS84)",
                                     examples=[EXAMPLE_SITE])
    total_investment_wan: Annotated[Decimal, Field(ge=0, description="planned total investment, 万元", examples=[13500])]
    project_type: Literal["industrial", "service", "infrastructure"] = Field(examples=["industrial"])


class ParcelOverlapOut(BaseModel):
    parcel_code: str | None = Field(description="None: a parcel of a district the account does not see")
    area_m2: float


class ConstraintOverlapOut(BaseModel):
    constraint_type: Literal["permanent_farmland", "ecological_redline"]
    code: str
    area_m2: float


class SitingReviewOut(BaseModel):
    area_m2: float = Field(description="Gauss-Krüger (CGCS2000) planar area of the site, m²")
    area_mu: float
    gauss_kruger_epsg: int = Field(description="the plane every area and overlap was measured in")
    project_type: str
    total_investment_wan: float
    policy_code: str
    zone_code: str | None
    zone_name: str | None
    zone_share: float
    threshold_wan_per_mu: float | None
    intensity_wan_per_mu: float | None
    ratio: float | None
    status: Literal["meets", "below", "not_assessed", "outside_zone"]
    band: Literal["meets", "below", "far_below", "none"]
    shortfall_wan: float | None
    min_investment_wan: float | None = Field(description="threshold × area, rounded up to 0.01 万元")
    max_area_mu: float | None = Field(description="the land the investment carries at the threshold, rounded down")
    flags: list[str]
    parcel_overlaps: list[ParcelOverlapOut]
    constraint_overlaps: list[ConstraintOverlapOut] = Field(
        description="overlaps with 永久基本农田 and 生态保护红线, which must not be occupied")
    outside_development_boundary_m2: float = Field(description="the part of the site outside 城镇开发边界, m²")


@router.post("/siting/review", summary="Siting review of a proposed site: zone, threshold, overlaps",
             response_model=SitingReviewOut)
def siting_review(body: SitingRequest, request: Request, conn: DB, access: CanView) -> SitingReviewOut:
    site = parse_site(body.geometry)
    review = review_site(
        site, total_investment_wan=body.total_investment_wan, project_type=body.project_type,
        policy=load_policy(request.app.state.settings.rules.policy), candidates=siting_candidates(conn, access, site),
    )
    return SitingReviewOut.model_validate(asdict(review))


SHEET_STORAGE_KEY = "mujun.sitingSheet"
"""Where siting-sheet.html reads its sheet (SHEET_KEY in web/siting-verdict.js)."""


class SheetFileIn(BaseModel):
    name: str = Field(max_length=255)
    read_as: str = Field(max_length=500)


class SitingSheetRequest(SitingRequest):
    lang: Literal["zh", "en"] = "zh"
    file: SheetFileIn | None = Field(default=None, description="the uploaded file the site came from, if any")


@router.post("/siting/sheet.pdf", summary="The siting review sheet as a PDF (A4), reviewed again by the server",
             response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def siting_sheet_pdf(body: SitingSheetRequest, request: Request, conn: DB, access: CanView) -> Response:
    executable = pdf.chromium(request.app.state.settings.web.chromium)
    # The figures printed are the server's own review of the site, never figures a client sent.
    review = siting_review(body, request, conn, access)
    sheet = {"review": review.model_dump(), "geometry": body.geometry, "lang": body.lang,
             "file": body.file.model_dump() if body.file else None, "reviewed_at": datetime.now(UTC).isoformat()}
    with pdf.print_pass(request, access) as credentials:
        document = pdf.print_pdf(executable, f"{pdf.own_origin(request)}/siting-sheet.html", ready="#sheet-print:not([disabled])",
                                 landscape=False, credentials=credentials,
                                 session_storage={SHEET_STORAGE_KEY: json.dumps(sheet, ensure_ascii=False)})
    return Response(document, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="mujun-siting-{datetime.now():%Y%m%d-%H%M}.pdf"'})


class SiteFileOut(BaseModel):
    geometry: dict[str, Any] = Field(description="the site as GeoJSON (CRS84)")
    read_as: str = Field(description="how the file's coordinates were read (declared CRS or what was detected)")


@router.post("/siting/upload", summary="Read a site drawn in a file (GeoJSON, zipped Shapefile, KML/KMZ, DXF)",
             response_model=SiteFileOut)
def siting_upload(file: UploadFile, request: Request, conn: DB, _: CanView) -> SiteFileOut:
    name = safe_file_name(file.filename)
    with tempfile.TemporaryDirectory(prefix="mujun-site-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        size = 0
        with path.open("wb") as out:
            while block := file.file.read(1 << 20):
                size += len(block)
                if size > UPLOAD_LIMITS.max_bytes:
                    raise MujunError(f"{name}：文件超过 20 MB", f"{name}: the file is over 20 MB",
                                     code="file_too_large", status_code=413)
                out.write(block)
        meridian = request.app.state.settings.rules.gk_central_meridian or data_central_meridian(conn)
        site, read_as = read_site(path, name, meridian)
    parse_site(site.__geo_interface__)  # the same checks as a drawn site: polygonal, valid, in China
    return SiteFileOut(geometry=site.__geo_interface__, read_as=read_as)
