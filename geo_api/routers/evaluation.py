"""The per-mu evaluation of firms (亩均效益评价): a year's scores, ranks and classes by county, the classes the map colours
each firm's parcels by, and a firm's card.

Viewers see it in the page; its downloads (XLSX, CSV) are exports, for analysts, recorded in the audit trail. An
account of some districts sees their firms only (a firm's district is its 所属地区)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from geo_api import land_formats
from geo_api.access import CanView, CanViewOrExport, record
from geo_api.deps import DB, chosen_format
from geo_api.report_formats import sheets_csv, xlsx_workbook
from geo_api.responses import TABLES, attachment, json_response
from layers.evaluation import evaluation_of, firm_card, firm_parcels, latest_year
from mujun.access import Access
from mujun.audit import Event
from mujun.errors import MujunError, NotFound
from mujun.evaluation import INDICATORS, T_CLASS, EvaluationPolicy
from mujun.policy import load_evaluation_policy

router = APIRouter(prefix="/api/evaluation", tags=["evaluation"])

Year = Annotated[int | None, Query(ge=1990, le=2100, description="the year evaluated (default: the latest with figures)")]
Jurisdiction = Annotated[list[str] | None, Query(description="所属地区; repeat for several (each county is scored over all its firms)")]


def _policy(request: Request) -> tuple[EvaluationPolicy, str]:
    code = request.app.state.settings.rules.policy
    return load_evaluation_policy(code), code


def _year(conn: DB, access: Access, year: int | None) -> int:
    chosen = year if year is not None else latest_year(conn, access)
    if chosen is None:
        raise MujunError("尚无企业亩均效益数据：请先载入（mujun load --evaluation）", "no firms' figures yet: load them first "
                         "(mujun load --evaluation)", code="no_figures", status_code=422)
    return chosen


def _definitions(policy: EvaluationPolicy) -> dict[str, object]:
    return {
        "indicators": [{"name": i.name, "zh": i.zh, "en": i.en, "unit": i.unit, "weight": float(policy.weights[i.name])} for i in INDICATORS],
        "cap": float(policy.cap), "classes": [{"class": c.name, "up_to": float(c.up_to)} for c in policy.classes],
        "source": policy.source, "unverified": list(policy.unverified),
    }


@router.get("", summary="A year's firms scored, ranked and classed (A/B/C/D, T) within their county, with the benchmarks")
def get_evaluation(request: Request, conn: DB, access: CanViewOrExport, year: Year = None, jurisdiction: Jurisdiction = None,
                   output: Annotated[str, Query(alias="format", description="json, xlsx or csv")] = "json") -> Response:
    chosen_format(output, TABLES)
    policy, code = _policy(request)
    chosen = _year(conn, access, year)
    result = evaluation_of(conn, access, chosen, policy, jurisdiction or ())
    if output == "json":
        return json_response({**result.as_json(), "jurisdiction": jurisdiction or [], "definitions": _definitions(policy)})
    sheets = land_formats.evaluation_sheets(result)
    caption = land_formats.evaluation_caption(result, jurisdiction or (), policy, code)
    body = (xlsx_workbook if output == "xlsx" else sheets_csv)(sheets, caption)
    record(request, access, Event.EXPORT, {"report": "evaluation", "format": output, "year": chosen, "jurisdiction": jurisdiction or [],
                                           "rows": len(result.firms)})
    return attachment(body, output, f"mujun-evaluation-{chosen}")


@router.get("/map", summary="The class of each firm's parcels (its projects' parcels, matched by enterprise name) in a year")
def get_evaluation_map(request: Request, conn: DB, access: CanView, year: Year = None, jurisdiction: Jurisdiction = None) -> Response:
    policy, _ = _policy(request)
    chosen = _year(conn, access, year)
    result = evaluation_of(conn, access, chosen, policy, jurisdiction or ())
    classes = {row["enterprise"]: row["class"] for row in result.firms}
    firms = {row["enterprise"]: row["credit_code"] or row["enterprise"] for row in result.firms}
    parcels = {code: [classes[enterprise], firms[enterprise]] for code, enterprise in firm_parcels(conn, access, list(classes))}
    names = [*(c.name for c in policy.classes), T_CLASS]
    counts = {name: sum(1 for row in result.firms if row["class"] == name) for name in names}
    return json_response({"year": chosen, "classes": names, "counts": counts, "parcels": parcels})


@router.get("/firms/{firm}", summary="A firm's card: each year's indicators against its county's benchmarks, terms, score, rank and class")
def get_firm(request: Request, conn: DB, access: CanView, firm: str) -> Response:
    policy, _ = _policy(request)
    card = firm_card(conn, access, firm, policy)
    if card is None:
        raise NotFound(f"未找到企业 {firm}（统一社会信用代码或企业名称）", f"no firm {firm} (credit code or enterprise name)",
                       code="firm_not_found")
    return json_response({**card, "definitions": _definitions(policy)})
