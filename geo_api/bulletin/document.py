"""A bulletin as the formats render it: title, sections of prose, tables and charts, and the sheets of its workbook.

Word, PDF and Excel all render one `Document`, so the three say the same; its `figures()` are every figure it
shows, as shown, each under a key an official can read (section · table · row · column): what an issued
bulletin keeps and a later one is compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from geo_api.report_formats import Column, Sheet

CHARTS = ("series", "rates", "land")
"""Cumulative investment by month against the plan; rates by district against the targets; the lagging projects' land."""


@dataclass(frozen=True)
class Table:
    """A table of a section: its caption, columns, rows, and the columns that name a row in the figures."""

    caption: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    key: tuple[str, ...]

    def row_name(self, row: dict[str, Any]) -> str:
        return " ".join(str(row.get(name) or "") for name in self.key).strip()


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)
    """(chart name among `CHARTS`, caption), drawn after the paragraphs."""
    sheet: Sheet | None = None
    """The section's sheet of the workbook (numbers as numbers); None: its first table."""
    facts: dict[str, str] = field(default_factory=dict)
    """Figures the prose states that no table holds (the number of projects listed), by name."""


@dataclass
class Document:
    title: str
    sections: list[Section]
    notes: list[str]
    """说明: how the figures are defined and where they come from."""
    dated: str
    """The day it was made, as the notice's date line (2018年7月20日)."""

    def figures(self) -> dict[str, str]:
        """Every figure shown, as shown (text at the precision officials see), by key."""
        found: dict[str, str] = {}
        for section in self.sections:
            for name, value in section.facts.items():
                found[f"{section.heading} · {name}"] = value
            for table in section.tables:
                for row in table.rows:
                    row_name = table.row_name(row)
                    for column in table.columns:
                        if column.key not in table.key:
                            found[f"{section.heading} · {table.caption} · {row_name} · {column.header}"] = column.text(row)
        return found

    def sheets(self) -> list[Sheet]:
        """One sheet per section: its own sheet, or its first table."""
        sheets: list[Sheet] = []
        for section in self.sections:
            if section.sheet is not None:
                sheets.append(section.sheet)
            elif section.tables:
                table = section.tables[0]
                sheets.append((section.heading, table.columns, table.rows))
        return sheets


# ---- numbers as the prose shows them -------------------------------------------------------------

CENT = Decimal("0.01")


def yi(wan: Decimal | float | int) -> str:
    """万元 as 亿元 to 0.01 (half up), as a notice writes money: 12 999 万元 → 1.30."""
    return f"{(Decimal(str(wan)) / 10_000).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def wan(amount: Decimal | float | int) -> str:
    """万元 to 0.01, as the tables show it: 1,500.00."""
    return f"{Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def pct(rate: Decimal | None) -> str:
    """A rate (fraction, already rounded to 0.0001) as a percentage to 0.01%; 无 over nothing."""
    return "无" if rate is None else f"{rate * 100:.2f}%"


def points(a: Decimal, b: Decimal) -> str:
    """The gap between two rates in percentage points, to 0.01."""
    return f"{abs(a - b) * 100:.2f}"


def month_span(month: int) -> str:
    """1—6月 (the months of the year so far); 1月 for January."""
    return "1月" if month == 1 else f"1—{month}月"


def day_text(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def names(values: Sequence[str]) -> str:
    return "、".join(values)
