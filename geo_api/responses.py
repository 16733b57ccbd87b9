"""What the routes answer with: JSON of the portal's values (decimals as numbers, dates as YYYY-MM-DD) and files to
download, with the media type of each format they come in."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from fastapi.responses import Response

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "geojson": "application/geo+json",
}
TABLES = ("json", "csv", "xlsx")
"""The formats of a list officials act on: JSON for the page, CSV and XLSX to download."""


def _plain(value: Any) -> Any:
    """Decimals as JSON numbers, dates as YYYY-MM-DD."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def json_response(body: Any) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_plain), media_type=MEDIA_TYPES["json"])


def attachment(body: bytes, output: str, name: str) -> Response:
    """`body` to download as the file `name.output`."""
    return Response(body, media_type=MEDIA_TYPES[output], headers={"Content-Disposition": f'attachment; filename="{name}.{output}"'})
