"""The lists officials act on (`002_*`): 应开工未开工, 应竣工未竣工, 进度滞后 and the reports late or never sent; and each
project's class on the progress map.

A list is found a column at a time and kept as the projects' places in worst-first order; an entry is made into
a record only when it is read (a page of the JSON answer, or every entry of an export): a city's lists run to
tens of thousands of entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np

from mujun.listed import Facts, ListedProjects, wan
from mujun.rules import STAGES
from mujun.stages import COMPLETED, STARTED, month_end, month_text, reached_on, report_due


class ProjectList(Sequence[dict[str, Any]]):
    """Entries worst first; entry k is made by `make(k)` when read."""

    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._make(k) for k in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._make(index % self._count)


def _row(projects: ListedProjects, i: int) -> dict[str, Any]:
    return {"project_code": projects.code[i], "name": projects.name[i], "jurisdiction": projects.jurisdiction[i],
            "level": projects.level[i]}


def _date(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").item()


def _worst_first(rows: np.ndarray, badness: np.ndarray) -> np.ndarray:
    """Positions of `rows` by `badness`, highest first, then in the projects' order (their codes)."""
    return np.lexsort((rows, -badness))


def overdue(projects: ListedProjects, facts: Facts, planned: str, done: np.ndarray) -> ProjectList:
    """Projects whose `planned` date (计划开工日期, 计划竣工日期) is on or before D and which have not reached it (`done`),
    the most days overdue first."""
    limit = np.datetime64(facts.as_of, "D")
    due = projects.dates[planned]
    rows = np.flatnonzero((due <= limit) & ~done)
    days = (limit - due[rows]).astype(np.int64)
    order = _worst_first(rows, days)

    def make(k: int) -> dict[str, Any]:
        i = rows[order[k]]
        return {**_row(projects, int(i)), planned: _date(due[i]), "days_overdue": int(days[order[k]])}

    return ProjectList(len(rows), make)


def behind_schedule(projects: ListedProjects, facts: Facts) -> ProjectList:
    """进度滞后: projects with a plan whose 本年累计 is under plan × M/12, the widest gap first."""
    rows = np.flatnonzero(facts.scheduled & ~facts.ahead)
    gap = facts.expected[rows] - facts.ytd[rows]
    order = _worst_first(rows, gap)

    def make(k: int) -> dict[str, Any]:
        i = rows[order[k]]
        return {**_row(projects, int(i)), "annual_planned_wan": wan(projects.plan_cents[i]), "completed_ytd_wan": wan(facts.ytd[i]),
                "expected_wan": wan(facts.expected[i]), "gap_wan": wan(gap[order[k]])}

    return ProjectList(len(rows), make)


def late_reports(projects: ListedProjects, year: int, month: int, due_day: int, today: dt.date) -> ProjectList:
    """Reports owed for months k ≤ M whose deadline (`due_day` of month k+1) has passed by `today`, that came late or
    never came; never-came first (the oldest deadline first), then the latest. A project owes month k's report when
    it was started by the end of month k and was not completed before month k began."""
    rows, months, dues, came = [], [], [], []
    started_on = reached_on(projects.dates, projects.reported_stage, projects.reported_on, STARTED)
    completed_on = reached_on(projects.dates, projects.reported_stage, projects.reported_on, COMPLETED)
    for k in range(1, month + 1):
        due = report_due(year, k, due_day)
        if due >= today:
            continue
        started = started_on <= np.datetime64(month_end(year, k), "D")  # NaT compares False
        done_before = completed_on < np.datetime64(dt.date(year, k, 1), "D")
        first = projects.first_reported[:, k - 1]
        owing = np.flatnonzero(started & ~done_before & ~(first <= np.datetime64(due, "D")))  # NaT (never came) owes too
        rows.append(owing)
        months.append(np.full(len(owing), k))
        dues.append(np.full(len(owing), np.datetime64(due, "D")))
        came.append(first[owing])
    row, k_of = np.concatenate(rows or [np.zeros(0, np.int64)]), np.concatenate(months or [np.zeros(0, np.int64)])
    due_of, came_of = (np.concatenate(dues or [np.zeros(0, "datetime64[D]")]),
                       np.concatenate(came or [np.zeros(0, "datetime64[D]")]))
    never = np.isnat(came_of)
    days_late = np.where(never, 0, (came_of - due_of).astype(np.int64))
    order = np.lexsort((k_of, row, np.where(never, due_of.astype(np.int64), -days_late), ~never))

    def make(j: int) -> dict[str, Any]:
        n = order[j]
        return {**_row(projects, int(row[n])), "month": month_text(year, int(k_of[n])), "due": _date(due_of[n]),
                "reported_on": None if never[n] else _date(came_of[n]), "days_late": None if never[n] else int(days_late[n])}

    return ProjectList(len(row), make)


PROGRESS_CLASSES = ("not_started_due", "behind", "ahead", "none")
"""How a project's land is drawn on the progress map: due to start and not started; behind the time schedule; on it;
neither (no plan amount, not due)."""


def map_classes(projects: ListedProjects, facts: Facts) -> dict[str, tuple[str, str]]:
    """Each listed project's stage on D and progress class (`PROGRESS_CLASSES`), by project code."""
    limit = np.datetime64(facts.as_of, "D")
    not_started = (projects.dates["planned_start_date"] <= limit) & ~facts.started
    behind = facts.scheduled & ~facts.ahead
    chosen = np.select([not_started, behind, facts.ahead], [0, 1, 2], 3)
    return {str(code): (STAGES[int(stage)], PROGRESS_CLASSES[int(k)]) for code, stage, k in zip(projects.code, facts.stage, chosen, strict=True)}
