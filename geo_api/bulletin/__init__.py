"""The monthly bulletin (通报): gathered by `layers.bulletins`, written by `text`, rendered as Word, PDF or Excel.

`compose` reads the figures (the functions `/api/progress` and the violation report use) and writes the document;
`render` draws its charts and makes the file. The command line and the API both come through here, so a bulletin
made by `mujun bulletin` and one issued from the page are the same document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Connection

from geo_api.bulletin import charts, printed, text, word
from geo_api.bulletin.document import Document
from geo_api.deps import chosen_format
from geo_api.report_formats import xlsx_workbook
from layers.bulletins import BulletinData, BulletinScope, gather
from mujun.access import Access
from mujun.errors import MujunError
from mujun.policy import load_policy, load_progress_policy
from mujun.stages import parse_month

FORMATS = ("docx", "pdf", "xlsx")
PREVIOUS = "previous"


def bulletin_month(value: str, today: dt.date) -> tuple[int, int]:
    """The month a bulletin reports on: YYYY-MM (or 2018年6月, …), or `previous`: the month before `today` (in China).
    A month after today's is refused: its figures do not exist yet."""
    if value.strip().lower() == PREVIOUS:
        first = today.replace(day=1) - dt.timedelta(days=1)
        return first.year, first.month
    try:
        month = parse_month(value)
    except ValueError:
        raise MujunError(f"month 应为月份，如 2018-06，或 previous（上个月）（得到 {value!r}）",
                         f"month must be a month such as 2018-06, or previous (got {value!r})", code="invalid_month",
                         status_code=422) from None
    if month > (today.year, today.month):
        raise MujunError(f"{month[0]}年{month[1]}月尚未到来，无法通报", f"{month[0]}-{month[1]:02d} has not come yet",
                         code="invalid_month", status_code=422)
    return month


def check_format(output: str) -> str:
    return chosen_format(output, FORMATS)


def compose(conn: Connection, access: Access, policy_code: str, scope: BulletinScope, today: dt.date) -> tuple[BulletinData, Document]:
    """The figures and the document, read in one snapshot of the database (the caller's transaction)."""
    data = gather(conn, access, scope, load_policy(policy_code), load_progress_policy(policy_code), today)
    return data, text.document(data)


def _caption_height(caption: str, width_units: int) -> float:
    """Points for a wrapped caption of this many characters across columns this wide (a Chinese character is two units)."""
    per_line = max(10, width_units // 2)
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in caption.split("\n"))
    return 15.0 * lines + 6


def to_xlsx(document: Document) -> bytes:
    """One sheet per section: on row 1 the title, the section's heading and its prose (the first also the notes)."""
    sheets = document.sheets()
    captions = {}
    for place, (section, (name, _, _)) in enumerate(zip(document.sections, sheets, strict=True)):
        lines = [document.title, section.heading, *section.paragraphs]
        if place == 0:
            lines += ["说明：", *(f"{n}. {note}" for n, note in enumerate(document.notes, 1))]
        captions[name] = "\n".join(lines)
    widths = {name: sum(max(10, min(30, 2 * len(c.header))) for c in columns) for name, columns, _ in sheets}
    return xlsx_workbook(sheets, captions, {name: _caption_height(captions[name], widths[name]) for name in captions})


def render(data: BulletinData, document: Document, output: str, chromium: str | None) -> bytes:
    """The file: Word with the charts as PNG, PDF with them as SVG, or Excel (the tables only)."""
    wanted = [name for section in document.sections for name, _ in section.charts]
    if output == "docx":
        return word.to_docx(document, charts.images(data, wanted, "png"))
    if output == "pdf":
        return printed.to_pdf(document, charts.images(data, wanted, "svg"), chromium)
    return to_xlsx(document)


@dataclass(frozen=True)
class Made:
    data: BulletinData
    document: Document
    format: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def make(conn: Connection, access: Access, policy_code: str, scope: BulletinScope, output: str, today: dt.date,
         chromium: str | None) -> Made:
    data, document = compose(conn, access, policy_code, scope, today)
    return Made(data, document, output, render(data, document, output, chromium))


def content_disposition(title: str, output: str, month: str) -> str:
    """The title as the file's name (RFC 5987), with an ASCII name for old clients."""
    return f"attachment; filename=\"mujun-bulletin-{month}.{output}\"; filename*=UTF-8''{quote(f'{title}.{output}')}"


SECTION_ORDER = "一二三四五六"


def changes(issued: dict[str, str], now: dict[str, str]) -> list[dict[str, str | None]]:
    """The figures that differ between an issued bulletin and the same month made now (None: not shown then, or now),
    in the document's order: by section, then as the bulletin made now shows them (those it no longer shows last)."""
    place = {key: n for n, key in enumerate([*now, *(key for key in issued if key not in now)])}
    found = []
    for key in sorted(place, key=lambda key: (SECTION_ORDER.find(key[:1]), place[key])):
        before, after = issued.get(key), now.get(key)
        if before != after:
            section, _, item = key.partition(" · ")
            found.append({"key": key, "section": section, "item": item, "issued": before, "now": after})
    return found
