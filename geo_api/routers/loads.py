"""Loads from the page, for editors: the files uploaded and checked as `mujun check` checks them (the report shown
before anything is written), then loaded as `mujun load` loads them, in one transaction, under the account's
districts and recorded in the audit trail.

An upload waits in its own folder under `MUJUN_UPLOAD_DIR` (shared by the workers of one machine) between its
check and its load, which only the account that uploaded it may start; the folder goes once the load has run, and
any left behind after a day with the next upload. Each file is held to the command line's limits
(`etl.file_limits.LOAD_LIMITS`: 4 GB, zips checked and read in place).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, Field

from etl.check_report import build_report, report_document
from etl.file_limits import LOAD_LIMITS, safe_file_name
from etl.load import LoadRequest, check_files, libpq_conninfo, load
from geo_api.access import CanLoad, actor
from geo_api.replica import remember_write
from mujun.access import Access
from mujun.errors import MujunError, NotFound
from mujun.policy import load_policy

router = APIRouter(prefix="/api/loads", tags=["loads"])

KINDS = ("zones", "parcels", "projects", "constraints", "monthly", "batches", "evaluation")
REPLACEABLE = ("zones", "parcels", "projects", "constraints", "batches")
"""Kinds whose stored rows missing from their file a load may delete (as `mujun load --replace`)."""
LISTED = 500
"""Errors and warnings listed in the page's report (all are counted; `mujun check --xlsx` lists every one)."""
KEPT_S = 24 * 3600
_UPLOAD_ID = r"^[A-Za-z0-9_-]{16,64}$"
MANIFEST = "upload.json"


def _folder(request: Request, upload_id: str | None = None) -> Path:
    base: Path = request.app.state.settings.web.upload_dir
    return base if upload_id is None else base / upload_id


def _forget_old(base: Path) -> None:
    if not base.exists():
        return
    for folder in base.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > KEPT_S:
            shutil.rmtree(folder, ignore_errors=True)


def _save(upload: UploadFile, target: Path) -> None:
    """The uploaded file under its own name, refused past the load's size cap while it is being written."""
    target.parent.mkdir(parents=True)
    size = 0
    with target.open("wb") as out:
        while block := upload.file.read(1 << 20):
            size += len(block)
            if size > LOAD_LIMITS.max_bytes:
                cap = LOAD_LIMITS.max_bytes // 2**20
                raise MujunError(f"{target.name}：文件超过 {cap} MB", f"{target.name}: the file is over {cap} MB", code="file_too_large",
                                 status_code=413)
            out.write(block)


def _request(folder: Path, files: dict[str, str], replace: frozenset[str] = frozenset()) -> LoadRequest:
    paths = {kind: folder / kind / files[kind] if kind in files else None for kind in KINDS}
    return LoadRequest(zones=paths["zones"], parcels=paths["parcels"], projects=paths["projects"], constraints=paths["constraints"],
                       monthly=paths["monthly"], batches=paths["batches"], evaluation=paths["evaluation"], replace=replace)


@router.post("/check", summary="Upload files to load (zones, parcels, projects, constraints, monthly reports, approval batches, "
             "firms' figures) and check them: the report, and an upload id to load them with")
def check_upload(
    request: Request, access: CanLoad,
    zones: Annotated[UploadFile | None, File(description="GeoPackage, GeoJSON, zipped Shapefile, KML, FlatGeobuf, DXF, …")] = None,
    parcels: Annotated[UploadFile | None, File(description="as zones")] = None,
    projects: Annotated[UploadFile | None, File(description="Excel or CSV")] = None,
    constraints: Annotated[UploadFile | None, File(description="as zones")] = None,
    monthly: Annotated[UploadFile | None, File(description="monthly reports of major projects, Excel or CSV")] = None,
    batches: Annotated[UploadFile | None, File(description="approval batches (批次), as zones")] = None,
    evaluation: Annotated[UploadFile | None, File(description="firms' figures for the per-mu evaluation, Excel or CSV")] = None,
) -> dict[str, Any]:
    given = {kind: upload for kind, upload in zip(KINDS, (zones, parcels, projects, constraints, monthly, batches, evaluation), strict=True)
             if upload is not None}
    if not given:
        raise MujunError("请至少选择一个文件", "choose at least one file (zones, parcels, projects, constraints, monthly reports, "
                         "approval batches or firms' figures)", code="no_files", status_code=422)
    base = _folder(request)
    _forget_old(base)
    upload_id = secrets.token_urlsafe(18)
    folder = base / upload_id
    folder.mkdir(parents=True)
    try:
        files = {kind: safe_file_name(upload.filename) for kind, upload in given.items()}
        for kind, upload in given.items():
            _save(upload, folder / kind / files[kind])
        (folder / MANIFEST).write_text(json.dumps({"user": access.user, "files": files}, ensure_ascii=False), encoding="utf-8")
        settings = request.app.state.settings
        checked = check_files(_request(folder, files), load_policy(settings.rules.policy), settings.rules,
                              conninfo=libpq_conninfo(request.app.state.primary_url))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    report = build_report(checked, [], [])
    if not report.ok:
        shutil.rmtree(folder, ignore_errors=True)
    return {"upload": upload_id if report.ok else None, **report_document(report, LISTED)}


class LoadIn(BaseModel):
    replace: list[str] = Field(default_factory=list, max_length=len(REPLACEABLE),
                               description="kinds whose stored rows missing from their file are deleted (only the account's districts')")


def _staged(request: Request, upload_id: str, access: Access) -> dict[str, str]:
    """The files of an upload this account made and checked; 404 otherwise, as if there were none."""
    manifest = _folder(request, upload_id) / MANIFEST
    if not re.fullmatch(_UPLOAD_ID, upload_id) or not manifest.is_file():
        raise NotFound("没有这次上传（已载入、已过期或不存在）", "no such upload (loaded already, expired or never made)", code="upload_not_found")
    stored = json.loads(manifest.read_text(encoding="utf-8"))
    if stored["user"] != access.user:
        raise NotFound("没有这次上传（已载入、已过期或不存在）", "no such upload (loaded already, expired or never made)", code="upload_not_found")
    files: dict[str, str] = stored["files"]
    return files


@router.post("/{upload_id}", summary="Load checked files in one transaction: all or nothing, under the account's districts")
def load_upload(upload_id: str, request: Request, response: Response, access: CanLoad, body: LoadIn | None = None) -> dict[str, Any]:
    files = _staged(request, upload_id, access)
    replace = frozenset((body or LoadIn()).replace)
    unknown = sorted(replace - set(REPLACEABLE))
    if unknown:
        raise MujunError(f"replace 只接受 {'、'.join(REPLACEABLE)}", f"replace takes {', '.join(REPLACEABLE)}", code="invalid_replace",
                         status_code=422)
    settings = request.app.state.settings
    conninfo = libpq_conninfo(request.app.state.primary_url)
    folder = _folder(request, upload_id)
    try:
        result = load(conninfo, _request(folder, files, replace), load_policy(settings.rules.policy), settings.rules,
                      actor=actor(request, access))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    remember_write(request, response)  # the writer's next reads go to the primary until a replica has replayed this load
    return {"load_id": result.load_id, "counts": result.counts, "warning_count": len(result.warnings),
            "warnings": [w.as_dict() for w in result.warnings[:LISTED]], "inferences": result.inferences}
