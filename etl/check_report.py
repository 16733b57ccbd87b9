"""The check report of `mujun check`: a table in the terminal (rich), one JSON document, an .xlsx for officials."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from rich.console import Console
from rich.table import Table
from rich.text import Text

from etl.check import Checked
from etl.warning_summary import EXAMPLES, print_warnings, title
from mujun.errors import Problem

SHOWN_IN_TERMINAL = 200


@dataclass
class FileSummary:
    kind: str
    file: str
    features: int
    errors: int
    warnings: int


@dataclass
class CheckReport:
    files: list[FileSummary] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    inferences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def build_report(checked: list[Checked], refused: list[Problem], inferences: list[str]) -> CheckReport:
    """One report from the checked files, the problems of files that could not be checked and the decisions taken."""
    report = CheckReport(errors=list(refused), inferences=list(inferences))
    for item in checked:
        report.files.append(FileSummary(item.kind, item.file, item.count, len(item.errors), len(item.warnings)))
        report.errors += item.errors
        report.warnings += item.warnings
        report.inferences += item.inferences
    return report


def _row(problem: Problem) -> tuple[str, str, str, str, str, str]:
    return (problem.file, problem.location, problem.field or "", problem.value or "", problem.expected_zh, problem.expected_en)


def print_report(report: CheckReport, console: Console, lang: str = "zh", examples: int | None = EXAMPLES) -> None:
    """The report in the terminal, in `lang`: the files, every error (up to SHOWN_IN_TERMINAL), the warnings by kind
    with the first `examples` of each (None: all), the inferences and the verdict."""
    zh = lang == "zh"
    summary = Table(title="检查" if zh else "check")
    for column in ("类别", "文件", "要素/行", "错误", "警告") if zh else ("kind", "file", "features", "errors", "warnings"):
        summary.add_column(column)
    for item in report.files:
        summary.add_row(item.kind, item.file, f"{item.features:,}", f"{item.errors:,}", f"{item.warnings:,}")
    console.print(summary)
    if report.errors:
        table = Table(title=f"错误（{len(report.errors):,} 处）" if zh else f"errors ({len(report.errors):,})", title_style="red")
        for column in ("文件", "位置", "字段", "值", "问题") if zh else ("file", "where", "field", "value", "problem"):
            table.add_column(column, overflow="fold")
        for problem in report.errors[:SHOWN_IN_TERMINAL]:
            table.add_row(*_row(problem)[:4], problem.expected_zh if zh else problem.expected_en)
        console.print(table)
        if len(report.errors) > SHOWN_IN_TERMINAL:
            more = len(report.errors) - SHOWN_IN_TERMINAL
            console.print(f"… 另有 {more:,} 处（--json 或 --xlsx 列出全部）" if zh else f"… and {more:,} more (--json or --xlsx lists them all)")
    if report.warnings and print_warnings(console, report.warnings, lang, examples):
        console.print("完整列表：--xlsx 文件.xlsx（警告表）或 --json；加 --verbose 全部打印" if zh
                      else "the full list: --xlsx FILE.xlsx (its 警告 sheet) or --json; --verbose prints every one", highlight=False)
    for inference in report.inferences:
        console.print(Text.assemble(("i ", "cyan"), inference))
    if report.ok:
        console.print(Text.assemble(("✓ ", "green"), "可以载入" if zh else "no errors: the files can be loaded"))
    else:
        n = len(report.errors)
        console.print(Text.assemble(("✗ ", "bold red"), f"{n:,} 处错误，不能载入" if zh else f"{n:,} errors: the files cannot be loaded"))


def report_document(report: CheckReport, listed: int | None = None) -> dict[str, Any]:
    """The report as JSON values; with `listed`, at most that many errors and warnings each (all are counted)."""
    return {
        "ok": report.ok,
        "files": [vars(item) for item in report.files],
        "error_count": len(report.errors),
        "warning_count": len(report.warnings),
        "errors": [p.as_dict() for p in report.errors[:listed]],
        "warnings": [p.as_dict() for p in report.warnings[:listed]],
        "inferences": report.inferences,
    }


def report_json(report: CheckReport) -> str:
    return json.dumps(report_document(report), ensure_ascii=False, indent=1)


def _sheet(sheet: Worksheet, header: tuple[str, ...], rows: list[tuple[Any, ...]], widths: tuple[int, ...]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFG", widths, strict=False):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_xlsx(report: CheckReport, path: Path) -> None:
    """The report for officials: 概况, 错误, 警告 (each warning's kind first, to filter by) and 推断 sheets, Chinese
    headers, the header row frozen."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "概况"
    _sheet(summary, ("类别 kind", "文件 file", "要素/行数 features", "错误 errors", "警告 warnings"),
           [(f.kind, f.file, f.features, f.errors, f.warnings) for f in report.files], (14, 40, 16, 12, 12))
    summary.append([])
    summary.append(["结论 verdict", "可以载入 can be loaded" if report.ok else f"{len(report.errors)} 处错误，不能载入 cannot be loaded"])
    problem_header = ("文件", "位置", "字段", "值", "问题", "problem (English)")
    problem_widths = (24, 18, 18, 24, 48, 48)
    _sheet(workbook.create_sheet("错误"), problem_header, [_row(p) for p in report.errors], problem_widths)
    _sheet(workbook.create_sheet("警告"), ("类别", *problem_header), [(title(p.code, "zh"), *_row(p)) for p in report.warnings],
           (24, *problem_widths))
    _sheet(workbook.create_sheet("推断"), ("序号", "推断 inference (English / 中文)"),
           [(i + 1, text) for i, text in enumerate(report.inferences)], (8, 120))
    workbook.save(path)
