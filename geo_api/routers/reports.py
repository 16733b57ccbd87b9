"""The intensity-violation report in JSON, CSV, XLSX, GeoJSON, printable HTML or PDF; every download is recorded in the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from geo_api import guard, pdf, report_formats
from geo_api.access import CanReport, record
from geo_api.deps import DB, chosen_format, repeatable
from geo_api.responses import attachment
from layers.violations import (
    DEFAULT_SORT,
    SORT_FIELDS,
    Page,
    ViolationFilters,
    check_known,
    report_choices,
    violation_count,
    violation_report,
)
from mujun.access import Access
from mujun.audit import Event
from mujun.errors import MujunError

router = APIRouter(prefix="/api", tags=["reports"])

FORMATS = ("json", "csv", "xlsx", "geojson", "html", "pdf")


def report_filters(
    jurisdiction: Annotated[list[str] | None, repeatable("辖区 of the zone the project is held against, e.g. 武进区")] = None,
    zone: Annotated[list[str] | None, repeatable("zone code (园区编码) the project is held against")] = None,
    zone_class: Annotated[list[str] | None, repeatable("development_zone or industrial_cluster")] = None,
    stage: Annotated[list[str] | None, repeatable("project stage: 意向, 签约, 预备, 开工, 竣工, 评估")] = None,
    industry: Annotated[list[str] | None, repeatable("所属行业, exactly as loaded")] = None,
    level: Annotated[list[str] | None, repeatable("项目级别, exactly as loaded")] = None,
    status: Annotated[list[str] | None, repeatable("below (default) or meets")] = None,
    band: Annotated[list[str] | None, repeatable("meets, below (0.8–1.0) or far_below (< 0.8)")] = None,
    sort: Annotated[str, Query(description=f"a record field, `-` first for descending: {', '.join(SORT_FIELDS)}")]
    = DEFAULT_SORT,
) -> ViolationFilters:
    chosen = {"jurisdiction": jurisdiction, "zone": zone, "zone_class": zone_class, "stage": stage,
              "industry": industry, "level": level, "status": status, "band": band}
    return ViolationFilters(**{name: tuple(values) for name, values in chosen.items() if values}, sort=sort)


@router.get("/reports/violations", summary="Industrial projects below their zone's threshold, with summaries and data quality")
def violations(
    request: Request,
    conn: DB,
    access: CanReport,
    filters: Annotated[ViolationFilters, Depends(report_filters)],
    output: Annotated[str, Query(alias="format", description="json, csv, xlsx, geojson, html or pdf (the html, printed A4 landscape)")]
    = "json",
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="json only: at most this many entries in each list "
                                                                      "(the summary still covers everything selected)")] = None,
    offset: Annotated[int, Query(ge=0, description="json only: entries of each list to skip")] = 0,
) -> Response:
    chosen_format(output, FORMATS)
    if (limit is not None or offset) and output != "json":
        raise MujunError("limit 与 offset 只用于 format=json：导出文件总是包含筛选出的全部宗地",
                         "limit and offset apply to format=json only: an export always holds everything the filters select",
                         code="invalid_filter", status_code=422)
    if output == "csv":
        body, rows = report_formats.to_csv(conn, access, filters)
        return _download(request, access, filters, body, output, rows)
    if output == "pdf":
        executable = pdf.chromium(request.app.state.settings.web.chromium)
        check_known(conn, filters)  # a typo is a 422 here, not a printed error page
        rows = violation_count(conn, access, filters)
        html_url = f"{pdf.own_origin(request)}{request.url.path}?{request.url.include_query_params(format='html').query}"
        with pdf.print_pass(request, access) as credentials:
            printed = pdf.print_pdf(executable, html_url, ready="h1", landscape=True, credentials=credentials)
        return _download(request, access, filters, printed, output, rows)
    report = violation_report(conn, access, filters, with_geometry=output in ("geojson", "html"), page=Page(limit, offset))
    if output == "json":
        return JSONResponse(report.as_json())
    _record(request, access, filters, output, len(report.violations))
    if output == "html":
        page = report_formats.to_html(report, basemap=request.app.state.basemaps.offline_raster())
        # The report's map is folium's inline scripts: each allowed by its hash, nothing else inline.
        csp = guard.content_security_policy(guard.inline_script_hashes(page))
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})
    body = {"xlsx": report_formats.to_xlsx, "geojson": report_formats.geojson_bytes}[output](report)
    return _download(request, access, filters, body, output, None)


def _record(request: Request, access: Access, filters: ViolationFilters, output: str, rows: int) -> None:
    record(request, access, Event.EXPORT, {"report": "violations", "format": output, "filters": filters.as_dict(), "rows": rows})


def _download(request: Request, access: Access, filters: ViolationFilters, body: bytes, output: str, rows: int | None) -> Response:
    """The file as an attachment; recorded in the audit trail (`rows` None: recorded already)."""
    if rows is not None:
        _record(request, access, filters, output, rows)
    return attachment(body, output, f"mujun-violations-{date.today():%Y%m%d}")


@router.get("/reports/violations/choices", summary="Industries, levels and bands of below-threshold projects: the report's filter choices")
def violation_choices(conn: DB, access: CanReport) -> dict[str, list[str]]:
    return report_choices(conn, access)
