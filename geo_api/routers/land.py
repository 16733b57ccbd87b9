"""Land not used as agreed, as of a date: idle land (令第53号), 供而未用 and 批而未供, the classes the map draws them by, and
a parcel's card saying why it is or is not idle.

Viewers see the lists in the page; their downloads (XLSX, CSV) are exports, for analysts, recorded in the audit trail.
Everything holds only the asker's districts' parcels, and the batches meeting their zones."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from geo_api import land_formats
from geo_api.access import CanView, CanViewOrExport, record
from geo_api.deps import DB, BBoxParam, chosen_format
from geo_api.report_formats import sheets_csv, xlsx_workbook
from geo_api.responses import TABLES, attachment, json_response
from geo_api.routers.tiles import Filters
from layers.land import idle_land_of, land_card, land_map, supply_of, unsupplied_features
from layers.tiles import MapFilters
from mujun.access import Access
from mujun.audit import Event
from mujun.errors import MujunError, NotFound
from mujun.idle_land import CATEGORIES, CATEGORY_LABELS, IdleLandPolicy
from mujun.policy import load_idle_land_policy
from mujun.stages import month_end, parse_month, today_in_china

router = APIRouter(prefix="/api/land", tags=["land"])

AsOf = Annotated[str | None, Query(description="the date, YYYY-MM-DD (or YYYY-MM: its last day); default today in China",
                                   examples=["2024-06-30"])]
Format = Annotated[str, Query(alias="format", description="json, xlsx or csv")]


def as_of_date(value: str | None) -> dt.date:
    if value is None:
        return today_in_china()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return month_end(*parse_month(value))
    except ValueError:
        raise MujunError(f"as_of 应为日期，如 2024-06-30（得到 {value!r}）", f"as_of must be a date such as 2024-06-30 (got {value!r})",
                         code="invalid_date", status_code=422) from None


def chosen(filters: MapFilters) -> dict[str, list[str]]:
    """The filters given, by name."""
    return {name: list(getattr(filters, name)) for name in filters.in_use()}


def _policy(request: Request) -> tuple[IdleLandPolicy, str]:
    code = request.app.state.settings.rules.policy
    return load_idle_land_policy(code), code


def _download(request: Request, access: Access, report: str, detail: dict[str, Any], body: bytes, output: str, name: str) -> Response:
    """The file as an attachment, recorded in the audit trail."""
    record(request, access, Event.EXPORT, {"report": report, "format": output, **detail})
    return attachment(body, output, name)


@router.get("/idle", summary="Idle land (令第53号) as of a date: each listed parcel's category, days overdue and fee, and the summary")
def get_idle(request: Request, conn: DB, access: CanViewOrExport, filters: Filters, as_of: AsOf = None,
             output: Format = "json") -> Response:
    output, day = chosen_format(output, TABLES), as_of_date(as_of)
    policy, code = _policy(request)
    result = idle_land_of(conn, access, day, policy, filters)
    if output == "json":
        return json_response({**result.as_json(), "filters": chosen(filters), "policy": {"code": code, "source": policy.source}})
    sheets, caption = land_formats.idle_sheets(result), land_formats.idle_caption(result, filters, policy, code)
    body = (xlsx_workbook if output == "xlsx" else sheets_csv)(sheets, caption)
    return _download(request, access, "idle_land", {"as_of": day.isoformat(), "filters": chosen(filters), "rows": len(result.parcels)},
                     body, output, f"mujun-idle-land-{day.isoformat()}")


@router.get("/supply", summary="供而未用 (supplied, not started) and 批而未供 (approved, not supplied) as of a date")
def get_supply(request: Request, conn: DB, access: CanViewOrExport, filters: Filters, as_of: AsOf = None,
               output: Format = "json") -> Response:
    output, day = chosen_format(output, TABLES), as_of_date(as_of)
    policy, code = _policy(request)
    result = supply_of(conn, access, day, policy, filters)
    if output == "json":
        return json_response({**result.as_json(), "filters": chosen(filters)})
    sheets, caption = land_formats.supply_sheets(result), land_formats.supply_caption(result, filters, code)
    body = (xlsx_workbook if output == "xlsx" else sheets_csv)(sheets, caption)
    rows = len(result.supplied_unused) + len(result.approved_unsupplied)
    return _download(request, access, "land_supply", {"as_of": day.isoformat(), "filters": chosen(filters), "rows": rows},
                     body, output, f"mujun-land-supply-{day.isoformat()}")


@router.get("/map", summary="Each listed parcel's idle-land category as of a date, and the parcels supplied and not started, to draw the parcel tiles by")
def get_land_map(request: Request, conn: DB, access: CanView, filters: Filters, as_of: AsOf = None) -> Response:
    day = as_of_date(as_of)
    classes, unused = land_map(conn, access, day, _policy(request)[0], filters)
    labels = {name: {"zh": CATEGORY_LABELS[name][0], "en": CATEGORY_LABELS[name][1]} for name in CATEGORIES}
    return json_response({"as_of": day, "classes": list(CATEGORIES), "labels": labels, "parcels": classes, "supplied_unused": unused})


@router.get("/unsupplied", summary="GeoJSON (CRS84) of the part of each approval batch in a bbox that no parcel supplied by a date covers")
def get_unsupplied(conn: DB, access: CanView, bbox: BBoxParam, as_of: AsOf = None,
                   limit: Annotated[int, Query(gt=0, le=5000, description="at most this many batches, the largest first")] = 2000) -> Any:
    return json_response(unsupplied_features(conn, access, as_of_date(as_of), bbox, limit))


@router.get("/parcels/{parcel_code}", summary="A parcel's land card: why it is or is not idle on a date, with the dates it rests on")
def get_land_card(request: Request, conn: DB, access: CanView, parcel_code: str, as_of: AsOf = None) -> Response:
    card = land_card(conn, access, parcel_code, as_of_date(as_of), _policy(request)[0])
    if card is None:
        raise NotFound(f"未找到宗地编号 {parcel_code}", f"no parcel with code {parcel_code}", code="parcel_not_found")
    return json_response(card)
