"""Monthly reports written in the load's transaction (`etl.monthly` checks them).

A report for a project and month already stored supersedes the stored one, which is kept; a report equal to the
one in force (amounts and note, and its date when given) changes nothing. The figures not given are derived
(`mujun.stages.derive_figures`) over each project-year from the earliest month the file gives in it, so that a
corrected month carries into the derived months after it: the stored reports of those months are read, with the
figure of the month before (the base), through a table of the file's project-years made by COPY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from etl import binary_copy as bc
from etl.check import Checked
from mujun.errors import InputError, Problem, WarningKind
from mujun.stages import Derived, derive_figures, month_text

_STORED = (
    "SELECT k.k, m.id, m.project_code, m.month - date '2000-01-01', coalesce((m.month_given_wan * 100)::bigint, 0), m.month_given_wan IS NOT NULL, "
    "coalesce((m.ytd_given_wan * 100)::bigint, 0), m.ytd_given_wan IS NOT NULL, (m.completed_month_wan * 100)::bigint, "
    "(m.completed_ytd_wan * 100)::bigint, m.progress_note, m.reported_on - date '2000-01-01', "
    "m.first_reported_on - date '2000-01-01', m.load_id "
    "FROM load_groups k JOIN monthly_reports m ON m.project_code = k.code AND m.superseded_by IS NULL AND m.month >= k.first "
    "AND m.month < k.year_end WHERE m.month >= %s"
)
"""A join, not a lateral: the planner reads the months from the earliest the file gives through the month index when
(as with a new month's reports) few are stored, and through each project's reports when many are."""
_BASE_PREVIOUS = (
    "SELECT k.k, (m.completed_ytd_wan * 100)::bigint FROM load_groups k JOIN monthly_reports m ON m.project_code = k.code "
    "AND m.superseded_by IS NULL AND m.month = (k.first - interval '1 month')::date AND m.month >= k.year_start "
    "WHERE m.month >= %s AND m.month < %s"
)
"""The base of the project-years whose month before the file's first was reported: most of them, read through the
month index at once rather than a project at a time."""
_BASE_EARLIER = (
    "SELECT k.k, b.ytd FROM load_groups k CROSS JOIN LATERAL (SELECT (m.completed_ytd_wan * 100)::bigint AS ytd "
    "FROM monthly_reports m WHERE m.project_code = k.code AND m.superseded_by IS NULL AND m.month >= k.year_start "
    "AND m.month < k.first ORDER BY m.month DESC LIMIT 1) b WHERE k.k = ANY(%s)"
)
"""The base of the others: each one's latest report before its first month, if any."""
PG_EPOCH = np.datetime64("2000-01-01", "D")
ANALYZE_AFTER = 1000
"""Reports written by one load from which the table's statistics may be brought up to date in the load."""


@dataclass(frozen=True)
class _Stored:
    """The reports in force of the file's project-years from the earliest month the file gives in each."""

    group: np.ndarray
    id: np.ndarray
    code: np.ndarray
    month: np.ndarray
    month_cents: np.ndarray
    has_month: np.ndarray
    ytd_cents: np.ndarray
    has_ytd: np.ndarray
    figures: np.ndarray
    """(n, 2): 本月完成, 本年累计 in force."""
    note: np.ndarray
    reported_on: np.ndarray
    first_reported_on: np.ndarray
    load_id: np.ndarray


def _read_stored(conn: psycopg.Connection[Any], earliest: dt.date) -> _Stored:
    """The stored reports in force from each group's first month; none read when none is stored from the file's earliest
    month on (a new month's reports: the month index says so at once)."""
    found = conn.execute("SELECT EXISTS (SELECT 1 FROM monthly_reports WHERE superseded_by IS NULL AND month >= %s)", [earliest]).fetchone()
    rows = conn.execute(_STORED, [earliest]).fetchall() if found and found[0] else []
    columns = list(zip(*rows, strict=True)) if rows else [()] * 14

    def ints(k: int) -> np.ndarray:
        return np.array(columns[k], dtype=np.int64)

    def days(k: int) -> np.ndarray:
        return PG_EPOCH + ints(k)

    return _Stored(group=ints(0), id=ints(1), code=np.array(columns[2], dtype=object), month=days(3), month_cents=ints(4),
                   has_month=np.array(columns[5], dtype=bool), ytd_cents=ints(6), has_ytd=np.array(columns[7], dtype=bool),
                   figures=np.stack([ints(8), ints(9)], axis=1) if rows else np.zeros((0, 2), dtype=np.int64),
                   note=np.array(columns[10], dtype=object), reported_on=days(11), first_reported_on=days(12), load_id=ints(13))


def _wan(cents: int | np.integer) -> str:
    return f"{Decimal(int(cents)) / 100:.2f}"


@dataclass(frozen=True)
class _File:
    """The file's reports in project-year and month order, with their group (project-year)."""

    order: np.ndarray
    code: np.ndarray
    year: np.ndarray
    month: np.ndarray
    group: np.ndarray


def _groups(conn: psycopg.Connection[Any], monthly: Checked) -> _File:
    """The file's rows sorted by project, year and month; each project-year (group) COPYed into `load_groups` with the
    first month the file gives in it."""
    c = monthly.columns
    code = np.asarray(c["project_code"]).astype(str)
    order = np.lexsort((c["month"], c["year"], code))
    code, year = code[order], c["year"][order]
    month = ((year - 1970) * 12 + c["month"][order] - 1).astype("datetime64[M]").astype("datetime64[D]")
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (code[1:] != code[:-1]) | (year[1:] != year[:-1])
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    conn.execute("CREATE TEMP TABLE load_groups (k integer, code text, year_start date, first date, year_end date) ON COMMIT DROP")
    year_start = (year[first] - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (year[first] + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    with bc.copy_into(conn, "load_groups", ["k", "code", "year_start", "first", "year_end"]) as send:
        send([bc.int4(np.arange(len(first))), bc.text(code[first]), bc.date(year_start), bc.date(month[first]), bc.date(year_end)])
    conn.execute("ANALYZE load_groups")
    return _File(order, code, year, month, group)


def write_monthly(conn: psycopg.Connection[Any], monthly: Checked, load_id: int) -> dict[str, int]:
    """The file's reports stored as new versions, the figures of their project-years derived again; raises
    `InputError` (the caller's transaction then rolls back) where given amounts disagree."""
    c = monthly.columns
    n = monthly.count
    f = _groups(conn, monthly)
    stored = _read_stored(conn, f.month.min().astype(object))
    base = _bases(conn, f)
    replaces = _superseded(f, stored)
    hit = replaces >= 0
    rows = f.order  # file row of each sorted position
    unchanged = np.zeros(n, dtype=bool)
    for k in map(int, np.flatnonzero(hit)):  # corrections are few: compared one by one
        j, i = replaces[k], rows[k]
        unchanged[k] = (stored.has_month[j] == c["has_month"][i] and stored.month_cents[j] == c["month_cents"][i]
                        and stored.has_ytd[j] == c["has_ytd"][i] and stored.ytd_cents[j] == c["ytd_cents"][i]
                        and stored.note[j] == c["progress_note"][i]
                        and (not c["reported_given"][i] or stored.reported_on[j] == c["reported_on"][i]))
    new = np.flatnonzero(~unchanged)  # sorted positions of the reports written
    kept = np.setdiff1d(np.arange(len(stored.id)), replaces[new][replaces[new] >= 0])

    # One run per project-year: the new reports and the stored ones they leave, in month order.
    run_group = np.concatenate([f.group[new], stored.group[kept]])
    run_month = np.concatenate([f.month[new], stored.month[kept]])
    is_file = np.concatenate([np.ones(len(new), dtype=bool), np.zeros(len(kept), dtype=bool)])
    source = np.concatenate([rows[new], kept])  # file row, or stored index
    order = np.lexsort((run_month, run_group))
    run_group, run_month, is_file, source = run_group[order], run_month[order], is_file[order], source[order]

    def pick(file_values: np.ndarray, stored_values: np.ndarray) -> np.ndarray:
        if not len(stored_values):
            return file_values[source]
        return np.where(is_file, file_values[np.where(is_file, source, 0)], stored_values[np.where(is_file, 0, source)])

    derived = derive_figures(run_group, pick(c["month_cents"], stored.month_cents), pick(c["has_month"], stored.has_month),
                             pick(c["ytd_cents"], stored.ytd_cents), pick(c["has_ytd"], stored.has_ytd), base[run_group])
    _refuse_conflicts(monthly, derived, is_file, source, run_month, stored)
    _warn_negative(monthly, derived, is_file, source)
    _insert_versions(conn, monthly, load_id, rows[new], f.month[new], replaces[new], stored, derived, is_file, source)
    rederived = _update_figures(conn, stored, derived, is_file, source)
    return {"read": n, "inserted": int(np.count_nonzero(replaces[new] < 0)), "updated": int(np.count_nonzero(replaces[new] >= 0)),
            "unchanged": int(np.count_nonzero(unchanged)), "rederived": rederived}


def _bases(conn: psycopg.Connection[Any], f: _File) -> np.ndarray:
    """Each project-year's 本年累计 of its last report before the first month the file gives (0 when none)."""
    groups = int(f.group[-1]) + 1 if len(f.group) else 0
    base = np.zeros(groups, dtype=np.int64)
    if not groups:
        return base
    starts = np.flatnonzero(np.r_[True, f.group[1:] != f.group[:-1]])
    first = f.month[starts]
    earliest = (first.min().astype("datetime64[M]") - 1).astype("datetime64[D]")
    found = np.zeros(groups, dtype=bool)
    for k, ytd in conn.execute(_BASE_PREVIOUS, [earliest.astype(object), first.max().astype(object)]).fetchall():
        base[k], found[k] = ytd, True
    january = first.astype("datetime64[M]").astype(np.int64) % 12 == 0
    missing = np.flatnonzero(~found & ~january)  # a January has no month before it in its year
    if len(missing):
        for k, ytd in conn.execute(_BASE_EARLIER, [missing.tolist()]).fetchall():
            base[k] = ytd
    return base


def _superseded(f: _File, stored: _Stored) -> np.ndarray:
    """For each of the file's reports (in sorted order), the stored report in force of its project and month, or -1."""
    if not len(stored.id):
        return np.full(len(f.group), -1, dtype=np.int64)
    stored_key = stored.group * 100_000 + (stored.month - PG_EPOCH).astype(np.int64)
    file_key = f.group * 100_000 + (f.month - PG_EPOCH).astype(np.int64)
    by_key = np.argsort(stored_key)
    spot = np.minimum(np.searchsorted(stored_key[by_key], file_key), len(stored_key) - 1)
    return np.where(stored_key[by_key][spot] == file_key, by_key[spot], -1)


def _warn_negative(monthly: Checked, derived: Derived, is_file: np.ndarray, source: np.ndarray) -> None:
    for k in np.flatnonzero(is_file & (derived.month_cents < 0)):
        i = int(source[k])
        monthly.warnings.append(Problem(monthly.file, monthly.locate(i), "completed_ytd", _wan(monthly.columns["ytd_cents"][i]),
                                        f"本年累计少于上一填报月份的 {_wan(derived.previous_cents[k])}：推算的本月完成投资为负",
                                        f"less than the previous reported month's {_wan(derived.previous_cents[k])}: the derived "
                                        "本月完成投资 is negative", severity="warning", code=WarningKind.NEGATIVE_MONTH))


def _refuse_conflicts(monthly: Checked, derived: Derived, is_file: np.ndarray, source: np.ndarray, run_month: np.ndarray,
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
            day = run_month[k].astype(object)
            month, ytd, code = month_text(day.year, day.month), _wan(stored.ytd_cents[j]), stored.code[j]
            problems.append(Problem(
                monthly.file, "文件 file", "completed_ytd", ytd,
                f"本文件更正后，项目 {code} 已存的 {month} 月报（载入 #{stored.load_id[j]}）不再相符：{previous} + {given} ≠ {ytd}；"
                "请在同一文件中一并更正该月",
                f"after this file's corrections, the stored report of project {code} for {month} (load #{stored.load_id[j]}) "
                f"no longer agrees: {previous} + {given} ≠ {ytd}; correct that month in the same file"))
    if problems:
        raise InputError(problems)


def _insert_versions(conn: psycopg.Connection[Any], monthly: Checked, load_id: int, rows: np.ndarray, month: np.ndarray,
                     replaces: np.ndarray, stored: _Stored, derived: Derived, is_file: np.ndarray, source: np.ndarray) -> None:
    """The file's changed reports (file rows `rows`) as new versions, each superseding the stored one of its month."""
    count = len(rows)
    if count == 0:
        return
    c = monthly.columns
    figures = np.zeros((len(c["month_cents"]), 2), dtype=np.int64)
    figures[source[is_file], 0] = derived.month_cents[is_file]
    figures[source[is_file], 1] = derived.ytd_cents[is_file]
    found = conn.execute("SELECT setval(pg_get_serial_sequence('monthly_reports', 'id'), "
                         "nextval(pg_get_serial_sequence('monthly_reports', 'id')) + %s - 1)", [count]).fetchone()
    assert found is not None
    ids = np.arange(int(found[0]) - count + 1, int(found[0]) + 1, dtype=np.int64)
    reported_on = c["reported_on"][rows]
    first_on = np.where(replaces >= 0, stored.first_reported_on[np.maximum(replaces, 0)] if len(stored.id) else reported_on,
                        reported_on)
    places = pc.binary_join_element_wise(f"{monthly.file}, 行 row ", pa.array(c["row_numbers"][rows]).cast(pa.string()), "")
    columns: dict[str, bc.Encoded] = {
        "id": bc.int8(ids), "project_code": bc.text(c["project_code"][rows]), "month": bc.date(month),
        "month_given_wan": bc.numeric(c["month_cents"][rows], 2, c["has_month"][rows]),
        "ytd_given_wan": bc.numeric(c["ytd_cents"][rows], 2, c["has_ytd"][rows]),
        "completed_month_wan": bc.numeric(figures[rows, 0], 2), "completed_ytd_wan": bc.numeric(figures[rows, 1], 2),
        "progress_note": bc.text(c["progress_note"][rows]), "reported_on": bc.date(reported_on),
        "first_reported_on": bc.date(first_on), "load_id": bc.int4(np.full(count, load_id)), "source": bc.text(places),
    }
    replaced = replaces >= 0
    if replaced.any():  # the versions in force give way first: one report in force per project and month
        conn.execute("CREATE TEMP TABLE superseding (id bigint, by_id bigint) ON COMMIT DROP")
        with bc.copy_into(conn, "superseding", ["id", "by_id"]) as send:
            send([bc.int8(stored.id[replaces[replaced]]), bc.int8(ids[replaced])])
        conn.execute("UPDATE monthly_reports m SET superseded_by = s.by_id FROM superseding s WHERE m.id = s.id")
    with bc.copy_into(conn, "monthly_reports", list(columns)) as send:
        send(list(columns.values()))
    if _statistics_stale(conn, count):
        # The next load reads the reports in force through an index, a project at a time: with statistics from before
        # a large load the planner would scan the whole table for each project instead.
        conn.execute("ANALYZE monthly_reports")


def _statistics_stale(conn: psycopg.Connection[Any], written: int) -> bool:
    """Whether the reports' statistics are out of date after `written` more: the table never analysed, or grown by more
    than a fifth since."""
    row = conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'monthly_reports'::regclass").fetchone()
    return written >= ANALYZE_AFTER and (row is None or row[0] < 0 or written > 0.2 * row[0])


def _update_figures(conn: psycopg.Connection[Any], stored: _Stored, derived: Derived, is_file: np.ndarray, source: np.ndarray) -> int:
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
