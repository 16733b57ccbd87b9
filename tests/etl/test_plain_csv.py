"""A plain CSV read by Arrow gives what the general reader gives; any other file goes to the general reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.plain_csv import read_plain_csv
from etl.read import general_table, read_table

HEADER = "项目编号,月份,本月完成投资(万元),本年累计完成投资(万元),形象进度,填报日期\n"


def cells(source: object) -> dict[str, list[str | None]]:
    columns = source.columns  # type: ignore[attr-defined]
    return {name: [None if v in (None, "") else v for v in columns[name]] for name in columns}


@pytest.mark.parametrize("body", [
    "A,2018-06,100,,主体,2018-07-10\nB,201806,,300,\"桩基，基础\",2018-07-11\n",
    "A,2018-06, 100 ,,,\r\nB,2018-06,,300,,\r\n",  # CRLF, blank and padded cells
    "\"A\",2018-06,100,,\"line one\nline two\",2018-07-10\nB,2018-06,1,,,\n",  # a quoted cell over two lines
])
def test_a_plain_file_reads_as_the_general_reader_reads_it(tmp_path: Path, body: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    assert read_plain_csv(path.read_bytes()) is not None
    fast, general = read_table(path), general_table(path, None)
    assert cells(fast) == cells(general)
    assert fast.row_numbers == general.row_numbers


@pytest.mark.parametrize("text", [
    "2018年6月月报\n" + HEADER + "A,2018-06,1,,,\n",  # a title row
    HEADER + "A,2018-06,1,,,\n\nB,2018-06,1,,,\n",  # a blank line: rows keep their numbers
    HEADER + "A,2018-06,1,,,\n合计,,1,,,\n",  # a totals row
    HEADER + "A,2018-06,1,,,\n,2018-06,1,,,\n",  # a row with no code
    HEADER.replace(",", "\t") + "A\t2018-06\t1\t\t\t\n",  # tabs
    "填报单位：武进区,,,,,\n" + HEADER + "A,2018-06,1,,,\n",  # a form line
])
def test_anything_else_goes_to_the_general_reader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    assert read_plain_csv(path.read_bytes()) is None


def test_gbk_goes_to_the_general_reader(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes((HEADER + "A,2018-06,1,,施工,\n").encode("gbk"))
    assert read_plain_csv(path.read_bytes()) is None
    assert cells(read_table(path))["形象进度"] == ["施工"]
