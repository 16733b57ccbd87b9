"""Monthly reports of major projects (月报): `mujun load --monthly F`, an Excel or CSV table.

Each row: 项目编号, 月份 (2018-06, 2018年6月, 201806), 本月完成投资 and/or 本年累计完成投资 (万元), 形象进度, 填报日期
(default: the load's day in China). Refused, every one named with its row, field and value: an unknown
project, a month still to come, a negative amount, neither amount, a 填报日期 after the load's day or before
the month, the same project and month twice in one file, and both amounts given where 本年累计 is not the
previous reported month's plus 本月完成 (the three numbers are shown).

Written by `etl.monthly_write`. Plain CSVs and the usual forms of months, amounts and dates are read a column
at a time; every other cell is read, or refused, by the general parsers one at a time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.check import Checked, Rows, arrow_texts_of
from etl.codes import repeats
from etl.fields import MONTHLY_FIELDS
from etl.read import TableSource
from mujun.errors import Problem
from mujun.rules import CENT
from mujun.stages import month_text, parse_month

MONTH_FORMS = "2018-06、2018年6月 或 201806"


def _month_of(rows: Rows, i: int, today: dt.date) -> tuple[int, int] | None:
    raw = rows.raw(i, "month")
    if raw is None:
        if "month" in rows.match.fields:
            rows.error(i, "month", None, "不能为空", "must not be empty")
        return None
    try:
        year, month = parse_month(raw)
    except ValueError:
        rows.error(i, "month", raw, f"应为月份，如 {MONTH_FORMS}", "expected a month such as 2018-06, 2018年6月 or 201806")
        return None
    return year, month


def _cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount.quantize(CENT) * 100)


# The forms nearly every row takes, read a column at a time; any other cell is read on its own by the general
# parsers (`parse_month`, `etl.units.parse_amount`, `parse_date`), which also say what is wrong with it.
_MONTH_FORMS = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?$", r"^(?P<y>\d{4})(?P<m>\d{2})$")
_PLAIN_AMOUNT = r"^\d{1,13}(\.\d{1,2})?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$"
"""A day as ISO writes it, or as a spreadsheet's date cell reads as text."""


def _int_field(matched: pa.StructArray, name: str) -> np.ndarray:
    values = matched.field(name)
    return pc.cast(pc.if_else(pc.equal(values, ""), None, values), pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


def _vector_months(cells: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, read) of the cells written in a usual form; the rest (read False) are read one by one."""
    year, month = np.zeros(len(cells), dtype=np.int64), np.zeros(len(cells), dtype=np.int64)
    read = np.zeros(len(cells), dtype=bool)
    for form in _MONTH_FORMS:
        matched = pc.extract_regex(cells, form)
        found = matched.is_valid().to_numpy(zero_copy_only=False) & ~read
        if found.any():
            y, m = _int_field(matched, "y"), _int_field(matched, "m")
            good = found & (m >= 1) & (m <= 12) & (y >= 1900) & (y <= 2999)
            year[good], month[good] = y[good], m[good]
            read |= good
    return year, month, read


def _vector_cents(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(0.01 万元, read) of the cells that are plain non-negative numbers of at most two decimals."""
    plain = pc.match_substring_regex(cells, _PLAIN_AMOUNT).fill_null(False)
    numbers = pc.cast(pc.if_else(plain, cells, None), pa.float64()).fill_null(0).to_numpy(zero_copy_only=False)
    return np.round(numbers * 100).astype(np.int64), plain.to_numpy(zero_copy_only=False)


def _vector_dates(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(day, read) of the cells written YYYY-MM-DD that are real days."""
    iso = pc.if_else(pc.match_substring_regex(cells, _ISO_DATE).fill_null(False), pc.utf8_slice_codeunits(cells, 0, 10), None)
    days = pc.cast(pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    return days.to_numpy(zero_copy_only=False).astype("datetime64[D]"), days.is_valid().to_numpy(zero_copy_only=False)


def first_days(year: np.ndarray, month: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The first day of each (year, month), NaT where not `valid`."""
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]")
    return np.where(valid, months, np.datetime64("NaT"))


class _Found:
    """Problems with the row they belong to, listed at the end in the order of the rows."""

    def __init__(self, checked: Checked) -> None:
        self.checked, self.rows = checked, [(-1, k) for k in range(len(checked.errors))]

    def at(self, i: int) -> None:
        """Tag with row `i` the problems added since the last call."""
        self.rows += [(i, k) for k in range(len(self.rows), len(self.checked.errors))]

    def in_row_order(self) -> None:
        self.checked.errors = [self.checked.errors[k] for _, k in sorted(self.rows)]


def check_monthly(source: TableSource, today: dt.date) -> Checked:
    """Every row of a monthly-report file checked on its own and against the file's other rows; its problems are
    listed in the order of the rows."""
    checked = Checked("monthly", source.path.name, [], warnings=list(source.warnings), inferences=list(source.inferences),
                      locate=source.row)
    n = len(source)
    rows = Rows(checked, source.columns, MONTHLY_FIELDS, checked.locate)
    found = _Found(checked)
    codes = arrow_texts_of(rows, "project_code", n)
    cells = {name: arrow_texts_of(rows, name, n) for name in ("month", "completed_month", "completed_ytd", "reported_on")}
    given = {name: values.is_valid().to_numpy(zero_copy_only=False) for name, values in cells.items()}
    year, month, month_read = _vector_months(cells["month"])
    month_cents, month_read_amount = _vector_cents(cells["completed_month"])
    ytd_cents, ytd_read = _vector_cents(cells["completed_ytd"])
    reported, reported_read = _vector_dates(cells["reported_on"])
    has_month, has_ytd, has_month_key = month_read_amount.copy(), ytd_read.copy(), month_read.copy()
    code_missing = codes.is_null().to_numpy(zero_copy_only=False)
    odd = (code_missing | ~month_read | (given["completed_month"] & ~month_read_amount) | (given["completed_ytd"] & ~ytd_read)
           | (given["reported_on"] & ~reported_read) | ~(given["completed_month"] | given["completed_ytd"]))
    for i in map(int, np.flatnonzero(odd)):  # the few rows not in a usual form: read (or refused) one by one
        if code_missing[i] and "project_code" in rows.match.fields:
            rows.error(i, "project_code", None, "不能为空", "must not be empty")
        if not month_read[i]:
            found_month = _month_of(rows, i, today)
            if found_month is not None:
                (year[i], month[i]), has_month_key[i] = found_month, True
        for name, cents, present in (("completed_month", month_cents, has_month), ("completed_ytd", ytd_cents, has_ytd)):
            if given[name][i] and not present[i]:
                amount = rows.amount(i, name, "万元", "10,000 CNY")
                cents[i], present[i] = _cents(amount), amount is not None
        if not given["completed_month"][i] and not given["completed_ytd"][i]:
            rows.error(i, "completed_month", None, "本月完成投资与本年累计完成投资至少应给出一项",
                       "give 本月完成投资 (completed this month) or 本年累计完成投资 (completed this year), or both")
        if given["reported_on"][i] and not reported_read[i]:
            day = rows.date(i, "reported_on")
            reported[i], reported_read[i] = (np.datetime64(day, "D"), True) if day is not None else (reported[i], False)
        found.at(i)
    _check_days(rows, found, year, month, has_month_key, reported, reported_read, today)
    keys = pc.binary_join_element_wise(codes, pa.array(np.where(has_month_key, year * 100 + month, 0)).cast(pa.large_string()),
                                       pa.scalar("|", pa.large_string()))
    for row, first in repeats(pc.if_else(pa.array(has_month_key), keys, None)):
        rows.error(row, "month", month_text(int(year[row]), int(month[row])),
                   f"同一项目同一月份在文件中出现两次（与{checked.locate(first)}相同）",
                   f"the same project and month twice in the file (as {checked.locate(first)})")
        found.at(row)
    found.in_row_order()
    checked.columns = {
        "project_code": codes.to_numpy(zero_copy_only=False), "year": year, "month": month,
        "month_cents": month_cents, "has_month": has_month, "ytd_cents": ytd_cents, "has_ytd": has_ytd,
        "progress_note": arrow_texts_of(rows, "progress_note", n).to_numpy(zero_copy_only=False),
        "reported_on": np.where(reported_read, reported, np.datetime64(today, "D")).astype("datetime64[D]"),
        "reported_given": reported_read, "row_numbers": np.asarray(source.row_numbers, dtype=np.int64),
    }
    return checked


def _check_days(rows: Rows, found: _Found, year: np.ndarray, month: np.ndarray, has_month: np.ndarray, reported: np.ndarray,
                reported_read: np.ndarray, today: dt.date) -> None:
    """A month still to come; a report date after the load's day, or before the month it reports."""
    first_day = first_days(year, month, has_month)
    limit = np.datetime64(today, "D")
    future = has_month & (first_day > limit.astype("datetime64[M]").astype("datetime64[D]"))
    late = reported_read & (reported > limit)
    early = reported_read & has_month & (reported < first_day)
    for i in map(int, np.flatnonzero(future | late | early)):
        if future[i]:
            rows.error(i, "month", month_text(int(year[i]), int(month[i])),
                       f"月份 {month_text(int(year[i]), int(month[i]))} 尚未到来（载入日 {today.isoformat()}）",
                       f"the month {month_text(int(year[i]), int(month[i]))} has not come yet (the load's day is {today.isoformat()})")
        day = str(reported[i])
        if late[i]:
            rows.error(i, "reported_on", day, f"填报日期晚于载入日 {today.isoformat()}",
                       f"the report date is after the load's day ({today.isoformat()})")
        if early[i]:
            rows.error(i, "reported_on", day, f"填报日期早于所报月份 {month_text(int(year[i]), int(month[i]))}",
                       f"the report date is before the month it reports ({month_text(int(year[i]), int(month[i]))})")
        found.at(i)


def check_monthly_projects(monthly: Checked, known: pa.Array) -> None:
    """An error for each report of a project in neither the load's projects file nor the database."""
    codes = pa.array(monthly.columns["project_code"], type=pa.large_string())
    unknown = pc.and_(codes.is_valid(), pc.invert(pc.is_in(codes, value_set=known.cast(pa.large_string()))))
    for i in map(int, np.flatnonzero(unknown.to_numpy(zero_copy_only=False))):
        monthly.errors.append(Problem(monthly.file, monthly.locate(i), "project_code", codes[i].as_py(),
                                      "项目编号在项目表和数据库中都不存在", "no such project in the projects file or the database"))
