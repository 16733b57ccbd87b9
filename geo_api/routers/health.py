"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from geo_api.access import Public
from mujun.db import schema_is_current

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz(_: Public) -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema is current")
def readyz(request: Request, _: Public) -> JSONResponse:
    try:
        current = schema_is_current(request.app.state.engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "database": "schema not current: run `mujun db up`"},
                            status_code=503)
    return JSONResponse({"status": "ready", "database": "ok"})
