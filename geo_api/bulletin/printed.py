"""The bulletin as a PDF: the document as one HTML page (charts inline as SVG), printed A4 portrait by headless Chromium.

The page needs nothing from any server, so `mujun bulletin` prints it as the API does. Chinese is set in the
official faces where the machine has them (仿宋, 黑体, 宋体) and otherwise in the CJK font `make setup` installs
(WenQuanYi Micro Hei); the charts' glyphs are paths and need no font.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

from geo_api import pdf
from geo_api.bulletin.document import Document, Table

WRAPPED = ("name", "note")
"""Columns whose text may wrap (a project's name); every other cell keeps to one line, so a district never breaks."""
FALLBACK = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'
CSS = f"""
@page {{ size: A4 portrait; margin: 25mm 22mm 22mm 24mm; }}
body {{ font-family: "FangSong", "仿宋", "STFangsong", {FALLBACK}; font-size: 12pt; line-height: 1.75; color: #000; margin: 0; }}
h1 {{ font-family: "SimSun", "宋体", {FALLBACK}; font-size: 19pt; text-align: center; margin: 0 0 14pt; line-height: 1.4; }}
h2 {{ font-family: "SimHei", "黑体", {FALLBACK}; font-size: 13pt; font-weight: normal; margin: 12pt 0 4pt; text-indent: 2em; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
figure {{ margin: 8pt 0; text-align: center; break-inside: avoid; }}
figure img {{ width: 100%; }}
.caption {{ break-after: avoid; }}
figcaption, .caption {{ font-family: "SimHei", "黑体", {FALLBACK}; font-size: 10pt; text-align: center; margin: 6pt 0 3pt; text-indent: 0; }}
table {{ border-collapse: collapse; width: 100%; font-family: "SimSun", "宋体", {FALLBACK}; font-size: 8pt; line-height: 1.35; }}
th, td {{ border: 0.5pt solid #444; padding: 1.5pt 3pt; }}
th {{ background: #eef1f5; font-weight: bold; }}
td {{ white-space: nowrap; }} td.num {{ text-align: right; }} td.wrap {{ white-space: normal; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }}
.empty {{ text-indent: 0; text-align: center; font-size: 9pt; }}
.notes p {{ font-size: 10pt; text-indent: 0; }}
.dated {{ text-align: right; margin-top: 18pt; }}
"""


def _table(table: Table) -> str:
    caption = f'<p class="caption">{html.escape(table.caption)}</p>'
    if not table.rows:
        return caption + '<p class="empty">（无）</p>'
    head = "".join(f"<th>{html.escape(column.header)}</th>" for column in table.columns)
    classes = [f"{column.css_class} wrap" if column.key in WRAPPED else column.css_class for column in table.columns]
    body = "".join("<tr>" + "".join(f'<td class="{css}">{html.escape(column.text(row))}</td>' for css, column in zip(classes, table.columns, strict=True))
                   + "</tr>" for row in table.rows)
    return f"{caption}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(document: Document, charts: Mapping[str, bytes]) -> str:
    """The document as one self-contained page: charts as inline SVG images (data: URLs)."""
    parts = [f"<h1>{html.escape(document.title)}</h1>"]
    for section in document.sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        parts += [f"<p>{html.escape(text)}</p>" for text in section.paragraphs]
        for name, caption in section.charts:
            source = "data:image/svg+xml;base64," + base64.b64encode(charts[name]).decode("ascii")
            parts.append(f'<figure><img src="{source}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}</figcaption></figure>')
        parts += [_table(table) for table in section.tables]
    parts.append('<h2>说明</h2><div class="notes">' + "".join(f"<p>{n}. {html.escape(note)}</p>" for n, note in enumerate(document.notes, 1))
                 + "</div>")
    parts.append(f'<p class="dated">{html.escape(document.dated)}</p>')
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(document.title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n{''.join(parts)}\n</body>\n</html>\n")


def to_pdf(document: Document, charts: Mapping[str, bytes], chromium: str | None) -> bytes:
    return pdf.print_html(pdf.chromium(chromium), to_html(document, charts))
