"""Major projects: the progress picture as of a month (rates, targets, districts ranked, lists) and a project's card.

Viewers see it in the page; its downloads (XLSX, CSV) are exports, for analysts, and recorded in the audit trail.
Everything holds only the asker's districts' projects."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from geo_api import progress_formats
from geo_api.access import CanView, CanViewOrExport, record
from geo_api.deps import DB, chosen_format, repeatable
from geo_api.responses import TABLES, attachment, json_response
from layers.progress import ProgressFilters, latest_report_month, progress_choices, progress_map, progress_of, project_card
from mujun.audit import Event
from mujun.errors import MujunError, NotFound
from mujun.policy import load_progress_policy
from mujun.progress import PORTAL_DEFINITION, RATES, ProgressPolicy
from mujun.progress_lists import PROGRESS_CLASSES
from mujun.rules import STAGES
from mujun.stages import month_end, month_text, parse_month, today_in_china

router = APIRouter(prefix="/api", tags=["progress"])

LIST_PAGE = 500
"""Entries of each list in a JSON answer unless `limit` says otherwise: a city's lists run to tens of thousands."""


def progress_filters(
    jurisdiction: Annotated[list[str] | None, repeatable("所属地区 of the project (else of the zone it is held against), e.g. 武进区")] = None,
    zone: Annotated[list[str] | None, repeatable("zone code (园区编码) the project's land is held against")] = None,
    industry: Annotated[list[str] | None, repeatable("所属行业, exactly as loaded")] = None,
    level: Annotated[list[str] | None, repeatable("项目级别 on the year's list, exactly as loaded")] = None,
    category: Annotated[list[str] | None, repeatable("项目类别: 新建, 续建 or 预备")] = None,
) -> ProgressFilters:
    chosen = {"jurisdiction": jurisdiction, "zone": zone, "industry": industry, "level": level, "category": category}
    return ProgressFilters(**{name: tuple(values) for name, values in chosen.items() if values})


def _month(value: str) -> tuple[int, int]:
    try:
        return parse_month(value)
    except ValueError:
        raise MujunError(f"as_of 应为月份，如 2018-06（得到 {value!r}）", f"as_of must be a month such as 2018-06 (got {value!r})",
                         code="invalid_month", status_code=422) from None


def _as_of(conn: DB, as_of: str | None) -> tuple[int, int]:
    month = _month(as_of) if as_of else latest_report_month(conn)
    if month is None:
        raise MujunError("尚无月报：请用 as_of 指定月份", "no monthly reports yet: give the month as as_of", code="no_reports",
                         status_code=422)
    return month


def progress_policy(request: Request) -> ProgressPolicy:
    return load_progress_policy(request.app.state.settings.rules.policy)


@router.get("/progress", summary="Major projects as of a month: rates, targets, districts ranked, and the lists officials act on")
def get_progress(
    request: Request,
    conn: DB,
    access: CanViewOrExport,
    filters: Annotated[ProgressFilters, Depends(progress_filters)],
    as_of: Annotated[str | None, Query(description="the month, YYYY-MM (default: the latest month with reports)",
                                       examples=["2018-06"])] = None,
    output: Annotated[str, Query(alias="format", description="json, xlsx or csv")] = "json",
    limit: Annotated[int, Query(ge=1, le=100_000, description="json: at most this many entries of each list (`list_totals` "
                                                               "counts them all; an export holds them all)")] = LIST_PAGE,
    offset: Annotated[int, Query(ge=0, description="json: entries of each list to skip")] = 0,
) -> Response:
    chosen_format(output, TABLES)
    month = _as_of(conn, as_of)
    policy = progress_policy(request)
    result = progress_of(conn, access, *month, filters, policy, today_in_china())
    if output == "json":
        definitions = {info.name: {"zh": info.zh, "en": info.en,
                                   **({"note": {"zh": PORTAL_DEFINITION[0], "en": PORTAL_DEFINITION[1]}} if info.portal_definition else {})}
                       for info in RATES}
        return json_response({**result.as_json(offset, limit), "filters": filters.as_dict(), "definitions": definitions})
    name = f"{request.app.state.settings.rules.policy}（{policy.source}）"
    body = (progress_formats.to_xlsx if output == "xlsx" else progress_formats.to_csv)(result, filters, name)
    record(request, access, Event.EXPORT, {"report": "progress", "format": output, "as_of": result.as_of,
                                           "filters": filters.as_dict(), "rows": sum(result.stages.values())})
    return attachment(body, output, f"mujun-progress-{result.as_of}")


@router.get("/progress/map", summary="Each listed project's stage and progress class as of a month, to draw its land by")
def get_progress_map(
    request: Request,
    conn: DB,
    access: CanView,
    filters: Annotated[ProgressFilters, Depends(progress_filters)],
    as_of: Annotated[str | None, Query(description="the month, YYYY-MM (default: the latest month with reports)")] = None,
) -> Response:
    month = _as_of(conn, as_of)
    classes = progress_map(conn, access, *month, filters, progress_policy(request))
    return json_response({"as_of": month_text(*month), "classes": list(PROGRESS_CLASSES), "stages": list(STAGES),
                          "projects": {code: list(pair) for code, pair in classes.items()}})


@router.get("/progress/choices", summary="What the progress view offers: the months with reports, and the values of each filter on the lists")
def get_progress_choices(conn: DB, access: CanView) -> Response:
    return json_response(progress_choices(conn, access))


def _day(value: str | None) -> dt.date:
    if value is None:
        return today_in_china()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        year, month = _month(value)
        return month_end(year, month)


@router.get("/projects/{project_code}", summary="A project's card: fields, stage on a date and how it got there, plans, monthly reports, parcels")
def get_project(
    request: Request,
    project_code: str,
    conn: DB,
    access: CanView,
    as_of: Annotated[str | None, Query(description="a date (YYYY-MM-DD) or a month (YYYY-MM: its last day); default today")] = None,
) -> Response:
    card = project_card(conn, access, project_code, _day(as_of), progress_policy(request))
    if card is None:
        raise NotFound(f"未找到项目编号 {project_code}", f"no project with code {project_code}", code="project_not_found")
    return json_response(card)
