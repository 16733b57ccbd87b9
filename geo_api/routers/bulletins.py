"""The monthly bulletin (通报): made on request, issued (stored whole), listed, opened again, compared with now.

For analysts and up; an account of some districts has only its districts' bulletins (`layers.bulletins.scope_for`).
Every bulletin made or opened, and every one issued, is recorded in the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from geo_api import bulletin
from geo_api.access import CanReport, record
from geo_api.deps import DB, PrimaryDB
from geo_api.guard import NO_CONTROL_CHARACTERS
from geo_api.replica import remember_write
from geo_api.responses import MEDIA_TYPES, json_response
from layers.bulletins import BulletinScope, Issue, issued, issued_content, issued_entry, issued_figures, scope_for, store
from mujun.access import Access
from mujun.audit import Event
from mujun.errors import NotFound
from mujun.stages import today_in_china

router = APIRouter(prefix="/api", tags=["bulletins"])

MonthQuery = Annotated[str, Query(description="the month reported on, YYYY-MM, or `previous` (the month before today in China)",
                                  examples=["2018-06"])]
BulletinId = Annotated[int, Path(ge=1, le=2**31 - 1, description="an issued bulletin's id")]
"""An id the table can hold (a larger one is a 422, not the database's error)."""
JurisdictionQuery = Annotated[str | None, Query(description="a 所属地区: that district's bulletin (default: the whole city's; "
                                                            "an account of one district: its district's)")]


def _snapshot(conn: Connection) -> Connection:
    """Every figure of a bulletin from one snapshot: a load committing meanwhile is not half in it."""
    return conn.execution_options(isolation_level="REPEATABLE READ")


def _scope(access: Access, month: str, jurisdiction: str | None) -> BulletinScope:
    return scope_for(access, *bulletin.bulletin_month(month, today_in_china()), jurisdiction or None)


def _record(request: Request, access: Access, event: Event, entry: dict[str, object]) -> None:
    record(request, access, event, {"report": "bulletin", **{key: entry[key] for key in ("month", "jurisdiction", "format", "sha256")},
                                    **({"id": entry["id"]} if "id" in entry else {})})


def _file(content: bytes, output: str, title: str, month: str, sha256: str) -> Response:
    return Response(content, media_type=MEDIA_TYPES[output],
                    headers={"Content-Disposition": bulletin.content_disposition(title, output, month), "ETag": f'"{sha256}"'})


@router.get("/bulletins", summary="Make the bulletin of a month (Word, PDF or Excel) from the figures as they are now; nothing is stored")
def make_bulletin(
    request: Request,
    conn: DB,
    access: CanReport,
    month: MonthQuery,
    jurisdiction: JurisdictionQuery = None,
    output: Annotated[str, Query(alias="format", description="docx (Word), pdf (A4 portrait) or xlsx (one sheet per section)")] = "docx",
) -> Response:
    bulletin.check_format(output)
    settings = request.app.state.settings
    scope = _scope(access, month, jurisdiction)
    made = bulletin.make(_snapshot(conn), access, settings.rules.policy, scope, output, today_in_china(), settings.web.chromium)
    _record(request, access, Event.EXPORT, {"month": scope.month_text, "jurisdiction": scope.jurisdiction, "format": output,
                                            "sha256": made.sha256})
    return _file(made.content, output, made.document.title, made.data.scope.month_text, made.sha256)


class IssueRequest(BaseModel):
    month: str = Field(max_length=20, pattern=NO_CONTROL_CHARACTERS, description="the month reported on, YYYY-MM, or `previous`",
                       examples=["2018-06"])
    format: str = Field(default="docx", max_length=10, pattern=NO_CONTROL_CHARACTERS, description="docx, pdf or xlsx")
    jurisdiction: str | None = Field(default=None, max_length=100, pattern=NO_CONTROL_CHARACTERS,
                                     description="a 所属地区 (default: the whole city; an account of one district: its district)")


@router.post("/bulletins", status_code=201,
             summary="Issue a bulletin: make it and store the file with its month, scope, format, sha256, data version and figures")
def issue_bulletin(request: Request, conn: PrimaryDB, access: CanReport, body: IssueRequest) -> Response:
    output = bulletin.check_format(body.format)
    settings = request.app.state.settings
    scope = _scope(access, body.month, body.jurisdiction)
    made = bulletin.make(_snapshot(conn), access, settings.rules.policy, scope, output, today_in_china(), settings.web.chromium)
    entry = store(conn, Issue(scope=made.data.scope, format=output, title=made.document.title, policy_code=settings.rules.policy,
                              sha256=made.sha256, data_version=made.data.data_version, content=made.content,
                              figures=made.document.figures()))
    conn.commit()
    _record(request, access, Event.BULLETIN_ISSUED, entry)
    response = json_response({**entry, "url": f"/api/bulletins/{entry['id']}"})
    response.status_code = 201
    remember_write(request, response)  # the archive the page lists next is read where this bulletin is
    return response


@router.get("/bulletins/issued", summary="Issued bulletins, latest first: all, of a month, or of a district")
def list_bulletins(
    conn: DB,
    access: CanReport,
    month: Annotated[str | None, Query(description="YYYY-MM: only that month's")] = None,
    jurisdiction: JurisdictionQuery = None,
) -> Response:
    chosen = bulletin.bulletin_month(month, today_in_china()) if month else None
    entries = issued(conn, access, chosen, jurisdiction)
    return json_response({"bulletins": [{**entry, "url": f"/api/bulletins/{entry['id']}"} for entry in entries]})


def _not_found(bulletin_id: int) -> NotFound:
    return NotFound(f"没有编号为 {bulletin_id} 的已签发通报", f"no issued bulletin {bulletin_id}", code="bulletin_not_found")


@router.get("/bulletins/{bulletin_id}", summary="An issued bulletin: the very bytes issued, whatever was loaded since")
def get_bulletin(request: Request, conn: DB, access: CanReport, bulletin_id: BulletinId) -> Response:
    found = issued_content(conn, access, bulletin_id)
    if found is None:
        raise _not_found(bulletin_id)
    entry, content = found
    _record(request, access, Event.EXPORT, entry)
    return _file(content, entry["format"], entry["title"], entry["month"], entry["sha256"])


@router.get("/bulletins/{bulletin_id}/changes", summary="Which figures of an issued bulletin differ now (a late report, a correction)")
def bulletin_changes(request: Request, conn: DB, access: CanReport, bulletin_id: BulletinId) -> Response:
    entry = issued_entry(_snapshot(conn), access, bulletin_id)
    then = issued_figures(conn, access, bulletin_id)
    if entry is None or then is None:
        raise _not_found(bulletin_id)
    year, month = (int(part) for part in entry["month"].split("-"))
    data, document = bulletin.compose(conn, access, request.app.state.settings.rules.policy, BulletinScope(year, month, entry["jurisdiction"]),
                                      today_in_china())
    return json_response({"bulletin": entry, "data_version": data.data_version, "changes": bulletin.changes(then, document.figures())})
