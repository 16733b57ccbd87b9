"""The audit trail, for admins: who did what, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from geo_api.access import CanAdminister
from mujun import audit

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit", summary="Audit trail entries, newest first: sign-ins, loads, exports, account and token changes")
def audit_trail(
    request: Request, _: CanAdminister,
    since: Annotated[datetime | None, Query(description="entries at or after this time (ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00+08:00)")]
    = None,
    user: Annotated[str | None, Query(max_length=200, description="entries of this account")] = None,
    action: Annotated[audit.Event | None, Query(description="entries of this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    with request.app.state.primary.connection() as conn:
        found = audit.entries(conn, audit.AuditQuery(since, user, action.value if action else None, limit))
    return {"entries": found}
