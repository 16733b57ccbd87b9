"""Warnings told in a summary: grouped by kind (`mujun.errors.WarningKind`), each kind's title and count and its
first few warnings, in the reader's language. `mujun load`, `mujun check` and `mujun loads --warnings` print them so."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from mujun.errors import Problem, WarningKind

EXAMPLES = 3
"""Warnings shown of each kind, unless every one is asked for (`--verbose`)."""
INDENT = "    "

TITLES: dict[str | None, tuple[str, str]] = {
    WarningKind.GEOMETRY_REPAIRED: ("无效几何已用 make_valid 修复", "invalid geometries repaired with make_valid"),
    WarningKind.OUTSIDE_ZONE: ("宗地不在任何园区内（无门槛，单独列出）", "parcels in no zone (no threshold, listed apart)"),
    WarningKind.STRADDLES_ZONES: ("宗地跨园区（所在园区不足一半）", "parcels straddling zones (under half in their zone)"),
    WarningKind.AREA_MISMATCH: ("出让面积与图形面积相差超过 1%", "recorded areas more than 1% off the geometry's"),
    WarningKind.UNKNOWN_PROJECT: ("宗地的项目编号在项目表和数据库中都不存在", "parcels whose project is in neither the projects file nor the database"),
    WarningKind.PARCEL_MOVED: ("已存宗地改属其他项目", "stored parcels moved to another project"),
    WarningKind.GEOMETRY_REPLACED: ("已存宗地的图形被替换", "stored parcels whose geometry is replaced"),
    WarningKind.OVERLAP: ("宗地相互重叠", "parcels overlapping each other"),
    WarningKind.NO_PARCEL: ("项目没有宗地", "projects with no parcel"),
    WarningKind.HEADLESS_COLUMN: ("无表头的列未读取", "columns without a header, not read"),
    WarningKind.OTHER_DISTRICT: ("宗地所在园区与项目的所属地区不符", "parcels in a zone of another district than their project's"),
    WarningKind.NEGATIVE_MONTH: ("本年累计少于上月：推算的本月完成投资为负", "本年累计 below the previous month's: a negative derived month"),
    None: ("其他警告", "other warnings"),
}
"""Each kind's title, Chinese and English; None: warnings of no kind (stored before warnings had kinds)."""


def title(code: str | None, lang: str) -> str:
    zh, en = TITLES.get(code, TITLES[None])
    return zh if lang == "zh" else en


def by_kind(warnings: Sequence[Problem]) -> list[tuple[str | None, list[Problem]]]:
    """The warnings grouped by kind, the kinds in the order of their first warning."""
    groups: dict[str | None, list[Problem]] = {}
    for warning in warnings:
        groups.setdefault(warning.code, []).append(warning)
    return list(groups.items())


def _count(n: int, lang: str, zh_unit: str, en_word: str) -> str:
    return f"{n:,} {zh_unit}" if lang == "zh" else f"{n:,} {en_word}{'' if n == 1 else 's'}"


def print_warnings(console: Console, warnings: Sequence[Problem], lang: str, examples: int | None = EXAMPLES) -> bool:
    """The warnings by kind: how many of how many kinds, then each kind's title and count, its first `examples`
    warnings (None: all of them) and how many more. Whether any was left out: the caller says where they are."""
    groups = by_kind(warnings)
    zh = lang == "zh"
    total, kinds = _count(len(warnings), lang, "条", "warning"), _count(len(groups), lang, "类", "kind")
    console.print(Text(f"警告 {total}，分 {kinds}" if zh else f"{total} of {kinds}", style="bold yellow"))
    left_out = False
    for code, group in groups:
        console.print(Text.assemble(("! ", "yellow"), (title(code, lang), "bold"), f"：{len(group):,} 条" if zh else f": {len(group):,}"))
        shown = group if examples is None else group[:examples]
        # as Text, not markup: a message is the file's own words, brackets and all
        lines = Text("\n").join(Text(warning.message(lang)) for warning in shown)
        if len(group) > len(shown):
            left_out = True
            more = len(group) - len(shown)
            lines.append(f"\n… 另有 {more:,} 条" if zh else f"\n… and {more:,} more", style="dim")
        console.print(_indented(console, lines), highlight=False)
    return left_out


def _indented(console: Console, text: Text) -> Text:
    """`text` wrapped to the console's width and indented by INDENT, its wrapped lines too (as no trailing blanks)."""
    lines = text.wrap(console, max(20, console.width - len(INDENT)))
    for line in lines:
        line.rstrip()
    return Text("\n").join(Text(INDENT) + line for line in lines)
