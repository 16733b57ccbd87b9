"""Monthly reports of major projects (月报): `mujun load --monthly F`, an Excel or CSV table.

Each row: 项目编号, 月份 (2018-06, 2018年6月, 201806), 本月完成投资 and/or 本年累计完成投资 (万元), 形象进度, 填报日期
(default: the load's day in China). Refused, every one named with its row, field and value: an unknown
project, a month still to come, a negative amount, neither amount, a 填报日期 after the load's day or before
the month, the same project and month twice in one file, and both amounts given where 本年累计 is not the
previous reported month's plus 本月完成 (the three numbers are shown).

Written in the load's transaction: a report for a project and month already stored supersedes the stored one,
which is kept (an identical report changes nothing); the figures not given are derived
(`mujun.stages.derive_figures`) over the project-year from the earliest month the file touches, so that a
corrected month carries into the derived months after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg

from etl import binary_copy as bc
from etl.check import Checked, Rows, texts_of
from etl.fields import MONTHLY_FIELDS
from etl.read import TableSource
from mujun.errors import InputError, Problem, WarningKind
from mujun.rules import CENT
from mujun.stages import derive_figures, month_text, parse_month

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
    if (year, month) > (today.year, today.month):
        rows.error(i, "month", raw, f"月份 {month_text(year, month)} 尚未到来（载入日 {today.isoformat()}）",
                   f"the month {month_text(year, month)} has not come yet (the load's day is {today.isoformat()})")
        return None
    return year, month


def _cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount.quantize(CENT) * 100)


def check_monthly(source: TableSource, today: dt.date) -> Checked:
    """Every row of a monthly-report file checked on its own and against the file's other rows."""
    checked = Checked("monthly", source.path.name, [], warnings=list(source.warnings), inferences=list(source.inferences),
                      locate=source.row)
    n = len(source)
    rows = Rows(checked, source.columns, MONTHLY_FIELDS, checked.locate)
    codes = texts_of(rows, "project_code", n, required=True)
    months: list[tuple[int, int] | None] = [None] * n
    month_amounts: list[Decimal | None] = [None] * n
    ytd_amounts: list[Decimal | None] = [None] * n
    given_on: list[dt.date | None] = [None] * n
    seen: dict[tuple[str, tuple[int, int]], int] = {}
    for i in range(n):  # a row at a time, so that its problems are listed in the order of the rows
        months[i] = month = _month_of(rows, i, today)
        month_amounts[i] = rows.amount(i, "completed_month", "万元", "10,000 CNY")
        ytd_amounts[i] = rows.amount(i, "completed_ytd", "万元", "10,000 CNY")
        given_on[i] = when = rows.date(i, "reported_on")
        if rows.raw(i, "completed_month") is None and rows.raw(i, "completed_ytd") is None:
            rows.error(i, "completed_month", None, "本月完成投资与本年累计完成投资至少应给出一项",
                       "give 本月完成投资 (completed this month) or 本年累计完成投资 (completed this year), or both")
        if when is not None and when > today:
            rows.error(i, "reported_on", when.isoformat(), f"填报日期晚于载入日 {today.isoformat()}",
                       f"the report date is after the load's day ({today.isoformat()})")
        if when is not None and month is not None and when < dt.date(month[0], month[1], 1):
            rows.error(i, "reported_on", when.isoformat(), f"填报日期早于所报月份 {month_text(*month)}",
                       f"the report date is before the month it reports ({month_text(*month)})")
        if codes[i] is not None and month is not None:
            first = seen.setdefault((codes[i], month), i)
            if first != i:
                rows.error(i, "month", month_text(*month), f"同一项目同一月份在文件中出现两次（与{checked.locate(first)}相同）",
                           f"the same project and month twice in the file (as {checked.locate(first)})")
    checked.columns = {
        "project_code": codes,
        "year": np.array([m[0] if m else 0 for m in months], dtype=np.int64),
        "month": np.array([m[1] if m else 0 for m in months], dtype=np.int64),
        "month_cents": np.array([_cents(a) for a in month_amounts], dtype=np.int64),
        "has_month": np.array([a is not None for a in month_amounts], dtype=bool),
        "ytd_cents": np.array([_cents(a) for a in ytd_amounts], dtype=np.int64),
        "has_ytd": np.array([a is not None for a in ytd_amounts], dtype=bool),
        "progress_note": texts_of(rows, "progress_note", n),
        "reported_on": np.array([np.datetime64(w or today, "D") for w in given_on], dtype="datetime64[D]"),
        "reported_given": np.array([w is not None for w in given_on], dtype=bool),
    }
    return checked


def check_monthly_projects(monthly: Checked, known: set[str]) -> None:
    """An error for each report of a project in neither the load's projects file nor the database."""
    for i, code in enumerate(monthly.columns["project_code"]):
        if code is not None and code not in known:
            monthly.errors.append(Problem(monthly.file, monthly.locate(i), "project_code", code,
                                          "项目编号在项目表和数据库中都不存在", "no such project in the projects file or the database"))


# ---- writing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Stored:
    """The current reports of the file's project-years from the earliest month the file gives in each."""

    id: np.ndarray
    code: np.ndarray
    month: np.ndarray  # datetime64[D], first of the month
    month_cents: np.ndarray
    has_month: np.ndarray
    ytd_cents: np.ndarray
    has_ytd: np.ndarray
    figures: np.ndarray  # (n, 2): 本月完成, 本年累计 in force
    note: np.ndarray
    reported_on: np.ndarray
    first_reported_on: np.ndarray
    load_id: np.ndarray


_STORED = (
    "WITH f(code, first) AS (SELECT * FROM unnest(%s::text[], %s::date[])) "
    "SELECT m.id, m.project_code, m.month, coalesce((m.month_given_wan * 100)::bigint, 0), m.month_given_wan IS NOT NULL, "
    "coalesce((m.ytd_given_wan * 100)::bigint, 0), m.ytd_given_wan IS NOT NULL, (m.completed_month_wan * 100)::bigint, "
    "(m.completed_ytd_wan * 100)::bigint, m.progress_note, m.reported_on, m.first_reported_on, m.load_id "
    "FROM f JOIN monthly_reports m ON m.project_code = f.code AND m.superseded_by IS NULL AND m.month >= f.first "
    "AND m.month < (date_trunc('year', f.first) + interval '1 year')::date"
)
_BASE = (
    "SELECT f.code, f.first, b.ytd FROM unnest(%s::text[], %s::date[]) AS f(code, first) CROSS JOIN LATERAL "
    "(SELECT (m.completed_ytd_wan * 100)::bigint AS ytd FROM monthly_reports m WHERE m.project_code = f.code "
    "AND m.superseded_by IS NULL AND m.month >= date_trunc('year', f.first)::date AND m.month < f.first "
    "ORDER BY m.month DESC LIMIT 1) b"
)


def _stored(conn: psycopg.Connection[Any], codes: list[str], firsts: list[dt.date]) -> _Stored:
    rows = conn.execute(_STORED, [codes, firsts]).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 13

    def ints(k: int) -> np.ndarray:
        return np.array(columns[k], dtype=np.int64)

    def days(k: int) -> np.ndarray:
        return np.array(columns[k], dtype="datetime64[D]")

    return _Stored(id=ints(0), code=np.array(columns[1], dtype=object), month=days(2), month_cents=ints(3),
                   has_month=np.array(columns[4], dtype=bool), ytd_cents=ints(5), has_ytd=np.array(columns[6], dtype=bool),
                   figures=np.stack([ints(7), ints(8)], axis=1) if rows else np.zeros((0, 2), dtype=np.int64),
                   note=np.array(columns[9], dtype=object), reported_on=days(10), first_reported_on=days(11), load_id=ints(12))


def _wan(cents: int | np.integer) -> str:
    return f"{Decimal(int(cents)) / 100:.2f}"


def write_monthly(conn: psycopg.Connection[Any], monthly: Checked, load_id: int) -> dict[str, int]:
    """The file's reports stored as new versions, the figures of their project-years derived again; raises
    `InputError` (the caller's transaction then rolls back) where given amounts disagree."""
    c = monthly.columns
    n = monthly.count
    code = np.array(c["project_code"], dtype=object)
    month = np.array([np.datetime64(f"{y:04d}-{m:02d}-01", "D") for y, m in zip(c["year"], c["month"], strict=True)],
                     dtype="datetime64[D]")
    first: dict[tuple[str, int], dt.date] = {}
    for i in range(n):
        key, day = (code[i], int(c["year"][i])), dt.date(int(c["year"][i]), int(c["month"][i]), 1)
        first[key] = min(first.get(key, day), day)
    codes, firsts = [k[0] for k in first], list(first.values())
    stored = _stored(conn, codes, firsts)
    base = {(row[0], row[1].year): int(row[2]) for row in conn.execute(_BASE, [codes, firsts])}
    current = {(stored.code[j], stored.month[j]): j for j in range(len(stored.id))}

    # A file row equal to the stored report of its month (amounts and note; its date too when given) changes nothing.
    replaces = np.full(n, -1, dtype=np.int64)
    unchanged = np.zeros(n, dtype=bool)
    for i in range(n):
        j = current.get((code[i], month[i]))
        if j is None:
            continue
        replaces[i] = j
        unchanged[i] = (stored.has_month[j] == c["has_month"][i] and stored.month_cents[j] == c["month_cents"][i]
                        and stored.has_ytd[j] == c["has_ytd"][i] and stored.ytd_cents[j] == c["ytd_cents"][i]
                        and stored.note[j] == c["progress_note"][i]
                        and (not c["reported_given"][i] or stored.reported_on[j] == c["reported_on"][i]))
    new = np.flatnonzero(~unchanged)
    kept = np.setdiff1d(np.arange(len(stored.id)), replaces[new][replaces[new] >= 0])

    # One run per project-year: the file's new reports and the stored ones they leave, in month order.
    run_code = np.concatenate([code[new], stored.code[kept]])
    run_month = np.concatenate([month[new], stored.month[kept]])
    run_year = run_month.astype("datetime64[Y]").astype(np.int64) + 1970
    is_file = np.concatenate([np.ones(len(new), dtype=bool), np.zeros(len(kept), dtype=bool)])
    source = np.concatenate([new, kept])
    order = np.lexsort((run_month, run_year, run_code.astype(str)))
    run_code, run_month, run_year, is_file, source = run_code[order], run_month[order], run_year[order], is_file[order], source[order]
    group = np.zeros(len(order), dtype=np.int64)
    group[1:] = np.cumsum((run_code[1:] != run_code[:-1]) | (run_year[1:] != run_year[:-1]))

    def pick(file_values: np.ndarray, stored_values: np.ndarray) -> np.ndarray:
        return np.where(is_file, file_values[np.where(is_file, source, 0)], stored_values[np.where(is_file, 0, source)]) \
            if len(stored_values) else file_values[source]

    derived = derive_figures(
        group, pick(c["month_cents"], stored.month_cents), pick(c["has_month"], stored.has_month),
        pick(c["ytd_cents"], stored.ytd_cents), pick(c["has_ytd"], stored.has_ytd),
        np.array([base.get((run_code[k], int(run_year[k])), 0) for k in range(len(order))], dtype=np.int64))
    _refuse_conflicts(monthly, derived, is_file, source, run_month, stored)
    for k in np.flatnonzero(is_file & (derived.month_cents < 0)):
        i = int(source[k])
        monthly.warnings.append(Problem(monthly.file, monthly.locate(i), "completed_ytd", _wan(c["ytd_cents"][i]),
                                        f"本年累计少于上一填报月份的 {_wan(derived.previous_cents[k])}：推算的本月完成投资为负",
                                        f"less than the previous reported month's {_wan(derived.previous_cents[k])}: the derived "
                                        "本月完成投资 is negative", severity="warning", code=WarningKind.NEGATIVE_MONTH))
    _insert_versions(conn, monthly, load_id, new, month, replaces, stored, derived, is_file, source)
    rederived = _update_figures(conn, stored, derived, is_file, source)
    return {"read": n, "inserted": int(np.count_nonzero(replaces[new] < 0)), "updated": int(np.count_nonzero(replaces[new] >= 0)),
            "unchanged": int(np.count_nonzero(unchanged)), "rederived": rederived}


def _refuse_conflicts(monthly: Checked, derived: Any, is_file: np.ndarray, source: np.ndarray, run_month: np.ndarray,
                      stored: _Stored) -> None:
    problems = []
    for k in np.flatnonzero(derived.conflict):
        previous, given = _wan(derived.previous_cents[k]), _wan(derived.month_cents[k])
        if is_file[k]:
            i = int(source[k])
            ytd = _wan(monthly.columns["ytd_cents"][i])
            problems.append(Problem(monthly.file, monthly.locate(i), "completed_ytd", ytd,
                                    f"与本月完成投资不符：上一填报月份本年累计 {previous} + 本月完成 {given} ≠ 本年累计 {ytd}",
                                    f"disagrees with 本月完成投资: the previous reported month's 本年累计 {previous} + this month's {given} "
                                    f"≠ 本年累计 {ytd}"))
        else:
            j = int(source[k])
            month, ytd = month_text(*map(int, str(run_month[k])[:7].split("-"))), _wan(stored.ytd_cents[j])
            problems.append(Problem(
                monthly.file, "文件 file", "completed_ytd", ytd,
                f"本文件更正后，项目 {stored.code[j]} 已存的 {month} 月报（载入 #{stored.load_id[j]}）不再相符：{previous} + {given} ≠ {ytd}；"
                "请在同一文件中一并更正该月",
                f"after this file's corrections, the stored report of project {stored.code[j]} for {month} (load #{stored.load_id[j]}) "
                f"no longer agrees: {previous} + {given} ≠ {ytd}; correct that month in the same file"))
    if problems:
        raise InputError(problems)


def _insert_versions(conn: psycopg.Connection[Any], monthly: Checked, load_id: int, new: np.ndarray, month: np.ndarray,
                     replaces: np.ndarray, stored: _Stored, derived: Any, is_file: np.ndarray, source: np.ndarray) -> None:
    """The file's changed reports as new versions, each superseding the stored one of its month."""
    rows = len(new)
    if rows == 0:
        return
    c = monthly.columns
    figures = np.zeros((len(c["month_cents"]), 2), dtype=np.int64)
    figures[source[is_file], 0] = derived.month_cents[is_file]
    figures[source[is_file], 1] = derived.ytd_cents[is_file]
    found = conn.execute("SELECT setval(pg_get_serial_sequence('monthly_reports', 'id'), "
                         "nextval(pg_get_serial_sequence('monthly_reports', 'id')) + %s - 1)", [rows]).fetchone()
    assert found is not None
    ids = np.arange(int(found[0]) - rows + 1, int(found[0]) + 1, dtype=np.int64)
    earlier = replaces[new]
    first_on = np.where(earlier >= 0, stored.first_reported_on[np.maximum(earlier, 0)] if len(stored.id) else c["reported_on"][new],
                        c["reported_on"][new])
    columns: dict[str, bc.Encoded] = {
        "id": bc.int8(ids), "project_code": bc.text(c["project_code"][new]), "month": bc.date(month[new]),
        "month_given_wan": bc.numeric(c["month_cents"][new], 2, c["has_month"][new]),
        "ytd_given_wan": bc.numeric(c["ytd_cents"][new], 2, c["has_ytd"][new]),
        "completed_month_wan": bc.numeric(figures[new, 0], 2), "completed_ytd_wan": bc.numeric(figures[new, 1], 2),
        "progress_note": bc.text(c["progress_note"][new]), "reported_on": bc.date(c["reported_on"][new]),
        "first_reported_on": bc.date(first_on), "load_id": bc.int4(np.full(rows, load_id)),
        "source": bc.text([f"{monthly.file}, {monthly.locate(int(i))}" for i in new]),
    }
    conn.execute("CREATE TEMP TABLE stage_monthly (LIKE monthly_reports) ON COMMIT DROP")
    with bc.copy_into(conn, "stage_monthly", list(columns)) as send:
        send(list(columns.values()))
    conn.execute("UPDATE monthly_reports m SET superseded_by = s.id FROM stage_monthly s WHERE m.project_code = s.project_code "
                 "AND m.month = s.month AND m.superseded_by IS NULL")
    conn.execute("INSERT INTO monthly_reports SELECT * FROM stage_monthly")


def _update_figures(conn: psycopg.Connection[Any], stored: _Stored, derived: Any, is_file: np.ndarray, source: np.ndarray) -> int:
    """Stored reports left in force whose derived figures changed with the file's: updated; their count."""
    kept = np.flatnonzero(~is_file)
    j = source[kept]
    changed = kept[(derived.month_cents[kept] != stored.figures[j, 0]) | (derived.ytd_cents[kept] != stored.figures[j, 1])]
    if len(changed) == 0:
        return 0
    conn.execute("CREATE TEMP TABLE rederived (id bigint, completed_month_wan numeric(18, 2), completed_ytd_wan numeric(18, 2)) "
                 "ON COMMIT DROP")
    with bc.copy_into(conn, "rederived", ["id", "completed_month_wan", "completed_ytd_wan"]) as send:
        send([bc.int8(stored.id[source[changed]]), bc.numeric(derived.month_cents[changed], 2), bc.numeric(derived.ytd_cents[changed], 2)])
    conn.execute("UPDATE monthly_reports m SET completed_month_wan = r.completed_month_wan, completed_ytd_wan = r.completed_ytd_wan "
                 "FROM rederived r WHERE m.id = r.id")
    return len(changed)
