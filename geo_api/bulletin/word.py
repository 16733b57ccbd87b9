"""The bulletin as an editable Word document (python-docx): the title, headings, prose, tables and charts as images.

Laid out as a government notice (GB/T 9704 in spirit): A4 portrait, the title centred in a Song face, headings in
黑体, the prose in 仿宋 with a two-character first-line indent, tables in 宋体, page numbers in the footer. The
fonts are named for East Asian text, so Word on an official's machine uses its own; the office edits a sentence
and signs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from geo_api.bulletin.document import Document, Table

TITLE_FONT, HEADING_FONT, BODY_FONT, TABLE_FONT = "宋体", "黑体", "仿宋", "宋体"
BLACK = RGBColor(0, 0, 0)


def _font(style: ParagraphStyle, face: str, size: float, bold: bool = False) -> None:
    style.font.name = face
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = BLACK
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):  # a theme font would win over the face named
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    fonts.set(qn("w:eastAsia"), face)


def _page_number(paragraph: Paragraph) -> None:
    """— 1 — in the footer: a PAGE field between two dashes."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _repeat_header(table: DocxTable) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(docx: DocxDocument, table: Table) -> None:
    docx.add_paragraph(table.caption, style="Table Caption")
    if not table.rows:
        docx.add_paragraph("（无）", style="Table Text")
        return
    grid = docx.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = column.header
        cell.paragraphs[0].style = "Table Head"
    _repeat_header(grid)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, column in zip(cells, table.columns, strict=True):
            cell.text = column.text(row)
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Text"
            if column.css_class == "num":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _styles(docx: DocxDocument) -> None:
    styles = docx.styles
    normal = styles["Normal"]
    _font(normal, BODY_FONT, 15)
    normal.paragraph_format.first_line_indent = Pt(30)
    normal.paragraph_format.line_spacing = Pt(26)
    normal.paragraph_format.space_after = Pt(0)
    _font(styles["Title"], TITLE_FONT, 20, bold=True)
    borders = styles["Title"].element.pPr.find(qn("w:pBdr"))  # the template's rule under the title
    if borders is not None:
        styles["Title"].element.pPr.remove(borders)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.space_after = Pt(18)
    heading = styles["Heading 1"]
    _font(heading, HEADING_FONT, 15)
    heading.paragraph_format.first_line_indent = Pt(30)
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.space_after = Pt(4)
    for name, face, size, bold in (("Table Caption", HEADING_FONT, 11, False), ("Table Head", TABLE_FONT, 9, True),
                                   ("Table Text", TABLE_FONT, 9, False), ("Figure", BODY_FONT, 11, False)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _font(style, face, size, bold)
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        if name in ("Table Caption", "Figure"):
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            style.paragraph_format.space_before = Pt(6)
            style.paragraph_format.space_after = Pt(4)


def to_docx(document: Document, charts: Mapping[str, bytes]) -> bytes:
    docx = new_docx()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    _styles(docx)
    _page_number(section.footer.paragraphs[0])
    docx.core_properties.title = document.title
    docx.add_paragraph(document.title, style="Title")
    for part in document.sections:
        docx.add_paragraph(part.heading, style="Heading 1")
        for text in part.paragraphs:
            docx.add_paragraph(text)
        for name, caption in part.charts:
            picture = docx.add_paragraph(style="Figure")
            picture.add_run().add_picture(io.BytesIO(charts[name]), width=Cm(15.5))
            docx.add_paragraph(caption, style="Figure")
        for table in part.tables:
            _table(docx, table)
    docx.add_paragraph("说明", style="Heading 1")
    for number, note in enumerate(document.notes, 1):
        docx.add_paragraph(f"{number}. {note}")
    dated = docx.add_paragraph(document.dated)
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.paragraph_format.space_before = Pt(24)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()
