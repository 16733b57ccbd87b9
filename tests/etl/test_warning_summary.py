"""Warnings told by kind: each kind's title and count, its first few, how many more; in Chinese or English."""

from __future__ import annotations

import io

from rich.console import Console

from etl.warning_summary import TITLES, by_kind, print_warnings
from mujun.errors import Problem, WarningKind


def _warning(code: WarningKind | None, row: int) -> Problem:
    return Problem("p.xlsx", f"行 row {row}", "project_code", f"X{row}", "该项目没有宗地", "the project has no parcel",
                   severity="warning", code=code)


def _printed(warnings: list[Problem], lang: str, examples: int | None) -> tuple[list[str], bool]:
    out = io.StringIO()
    left_out = print_warnings(Console(file=out, width=100, color_system=None), warnings, lang, examples)
    return out.getvalue().splitlines(), left_out


def test_every_kind_has_a_title_in_both_languages() -> None:
    assert set(TITLES) == {*WarningKind, None}
    assert all(zh and en and zh != en for zh, en in TITLES.values())
    assert len({zh for zh, _ in TITLES.values()}) == len({en for _, en in TITLES.values()}) == len(TITLES)


def test_warnings_by_kind_in_the_order_their_first_came() -> None:
    warnings = [_warning(WarningKind.NO_PARCEL, 2), _warning(None, 3), _warning(WarningKind.NO_PARCEL, 4)]
    assert by_kind(warnings) == [(WarningKind.NO_PARCEL, [warnings[0], warnings[2]]), (None, [warnings[1]])]


def test_the_first_few_of_each_kind_and_how_many_more() -> None:
    warnings = [*(_warning(WarningKind.NO_PARCEL, row) for row in range(2, 7)), _warning(None, 9)]
    lines, left_out = _printed(warnings, "en", 3)
    assert left_out and lines == [
        "6 warnings of 2 kinds",
        "! projects with no parcel: 5",
        "    p.xlsx, 行 row 2, field project_code: value 'X2', the project has no parcel",
        "    p.xlsx, 行 row 3, field project_code: value 'X3', the project has no parcel",
        "    p.xlsx, 行 row 4, field project_code: value 'X4', the project has no parcel",
        "    … and 2 more",
        "! other warnings: 1",
        "    p.xlsx, 行 row 9, field project_code: value 'X9', the project has no parcel",
    ]
    lines, left_out = _printed(warnings, "zh", None)
    assert not left_out and lines[:2] == ["警告 6 条，分 2 类", "! 项目没有宗地：5 条"]
    assert lines[2:7] == [f"    p.xlsx, 行 row {row}, 字段 project_code：值 'X{row}'，该项目没有宗地" for row in range(2, 7)]
    assert lines[7:] == ["! 其他警告：1 条", "    p.xlsx, 行 row 9, 字段 project_code：值 'X9'，该项目没有宗地"]


def test_a_long_warning_wraps_under_its_indent() -> None:
    long = Problem("parcels.gpkg", "要素 feature 15", "recorded_area_m2", "27279.25", "出让面积与图形的高斯-克吕格面积（25306.03 m²）相差超过 1%",
                   "differs by more than 1% from the geometry's Gauss-Krüger area (25306.03 m²)", severity="warning",
                   code=WarningKind.AREA_MISMATCH)
    lines, _ = _printed([long], "en", 3)
    assert lines[2:] == ["    parcels.gpkg, 要素 feature 15, field recorded_area_m2: value '27279.25', differs by more than 1%",
                         "    from the geometry's Gauss-Krüger area (25306.03 m²)"]
    assert all(len(line) <= 100 for line in lines)
