"""The API's documentation page: Swagger UI served from the app's own files (no CDN), reading /openapi.json."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from geo_api.access import Public

router = APIRouter(tags=["docs"])


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request, _: Public) -> FileResponse:
    return FileResponse(request.app.state.settings.web.web_dir / "api-docs.html", media_type="text/html")
