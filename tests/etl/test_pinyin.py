"""Pinyin initials from the character table and phrase overrides, against pypinyin itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypinyin import Style, lazy_pinyin

from etl.pinyin import initials

SAMPLE_PROJECTS = Path(__file__).resolve().parents[2] / "sample_geo" / "projects.xlsx"


def by_pypinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


@pytest.mark.parametrize(("name", "expected"), [
    ("江苏源丰微电子", "jsyfwdz"),
    ("中国银行常州分行", "zgyhczfh"),  # 银行 hang; 分行 hang
    ("重庆长安汽车", "cqcaqc"),  # 重庆 chong, 长安 chang
    ("长江", "cj"),
    ("行业协会", "hyxh"),  # 行业 hang
    ("发行", "fx"),  # 发行 xing: the default reading
    ("江苏长荣精密", "jscrjm"),  # 长 alone: chang (pypinyin reads zhang)
    ("常州市长荣精密", "czszrjm"),  # but 市长 (mayor) is a phrase in pypinyin's list, and it wins
    ("ABC公司2号", "abcgs2h"),  # letters and digits kept, lower case
])
def test_known_polyphones(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_nothing_has_no_initials() -> None:
    assert initials(None) is None and initials("") is None


def test_agrees_with_pypinyin_on_every_sample_name() -> None:
    workbook = load_workbook(SAMPLE_PROJECTS, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    names = {str(row[header.index(column)]) for row in rows[1:] for column in ("项目名称", "企业名称") if row[header.index(column)]}
    assert len(names) > 2000
    differing = {name for name in names if initials(name) != by_pypinyin(name)}
    # The one intended difference: 长 read alone (outside pypinyin's phrases) as chang, not zhang.
    assert all("长" in name for name in differing), sorted(differing)[:10]
