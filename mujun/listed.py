"""The projects on a year's list as columns, and what each of them is on the as-of day D (`Facts`).

The query gathers one row per listed project; `mujun.progress` and `mujun.progress_lists` decide the rates and
lists from these columns. Money is integer 0.01 万元 ("cents") until it is shown: sums are exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from mujun.stages import COMPLETED, CONTINUING, EVALUATED, FILED, NEW, SIGNED, STARTED, month_end, stages_on

RATE_STEP = 10_000
"""Rates are kept to 1/10 000 (0.01%)."""


@dataclass(frozen=True)
class Labels:
    """A text column of few distinct values (district, level, category): each row's place in `names`, -1 for none."""

    codes: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, values: Sequence[str | None]) -> Labels:
        names = tuple(sorted({v for v in values if v is not None}))
        return cls(np.array([-1 if v is None else names.index(v) for v in values], dtype=np.int64), names)

    def __getitem__(self, row: int) -> str | None:
        code = int(self.codes[row])
        return None if code < 0 else self.names[code]

    def is_(self, name: str) -> np.ndarray:
        """Where the column holds `name`."""
        return self.codes == self.names.index(name) if name in self.names else np.zeros(len(self.codes), dtype=bool)

    def among(self, names: Iterable[str]) -> np.ndarray:
        """Where the column holds any of `names`."""
        wanted = [k for k, name in enumerate(self.names) if name in set(names)]
        return np.isin(self.codes, wanted)


@dataclass(frozen=True)
class ListedProjects:
    """One row per project on year Y's list, as columns, in the order of their codes (ties in a list keep it). Dates
    are datetime64[D] (NaT: none)."""

    code: np.ndarray
    name: np.ndarray
    jurisdiction: Labels
    level: Labels
    category: Labels
    plan_cents: np.ndarray
    """年度计划投资 in 0.01 万元 (0 where none: see `has_plan`)."""
    has_plan: np.ndarray
    total_cents: np.ndarray
    """总投资 in 0.01 万元 (0 where none: see `has_total`)."""
    has_total: np.ndarray
    ytd_by_month: np.ndarray
    """(n, 12): 本年累计 at the end of each month of Y, that of the latest report for a month up to it (0 before any)."""
    dates: Mapping[str, np.ndarray]
    reported_stage: np.ndarray
    """A stage reported without its date (place in STAGES), -1 where none; `reported_on` its day."""
    reported_on: np.ndarray
    first_reported: np.ndarray
    """(n, 12): the day each month's report of Y first came (NaT: none)."""

    def __len__(self) -> int:
        return len(self.code)

    def ytd_at(self, month: int) -> np.ndarray:
        """本年累计 at the end of `month` of Y, in 0.01 万元."""
        return self.ytd_by_month[:, month - 1]


def carried_forward(given: np.ndarray) -> np.ndarray:
    """(n, 12) 本年累计 at each month's end from those reported for each month (-1: no report for it): the latest
    reported up to the month, 0 before the first."""
    latest = np.maximum.accumulate(np.where(given >= 0, np.arange(12), -1), axis=1)
    return np.where(latest >= 0, np.take_along_axis(given, np.maximum(latest, 0), axis=1), 0)


# ---- arithmetic ---------------------------------------------------------------------------------

def fraction(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator rounded half-up to 0.0001; None over nothing."""
    if denominator == 0:
        return None
    return Decimal((2 * numerator * RATE_STEP + denominator) // (2 * denominator)) / RATE_STEP


def wan(cents: int | np.integer) -> Decimal:
    """0.01 万元 as 万元."""
    return Decimal(int(cents)) / 100


def expected_cents(plan_cents: np.ndarray, month: int) -> np.ndarray:
    """时序进度: the plan × M/12 expected by the end of month M, to 0.01 万元 (half up)."""
    return (2 * plan_cents * month + 12) // 24


def share_meets(ytd_cents: np.ndarray, total_cents: np.ndarray, share: Decimal) -> np.ndarray:
    """本年累计 ÷ 总投资, rounded half-up to 0.0001, at least `share` (where 总投资 > 0)."""
    safe = np.where(total_cents > 0, total_cents, 1)
    rounded = (2 * ytd_cents * RATE_STEP + safe) // (2 * safe)
    return (total_cents > 0) & (rounded >= int(share * RATE_STEP))


# ---- the facts of each project on D --------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What each listed project is on D, as boolean and money columns."""

    as_of: dt.date
    month: int
    stage: np.ndarray
    """Each project's stage on D (place in STAGES)."""
    ytd: np.ndarray
    """本年累计 at M, 0.01 万元."""
    new: np.ndarray
    continuing: np.ndarray
    signed: np.ndarray
    filed: np.ndarray
    started: np.ndarray
    completed: np.ndarray
    producing: np.ndarray
    at_capacity: np.ndarray
    planned: np.ndarray
    scheduled: np.ndarray
    expected: np.ndarray
    ahead: np.ndarray
    share_base: np.ndarray
    share_met: np.ndarray


def facts_of(projects: ListedProjects, year: int, month: int, annual_share: Decimal) -> Facts:
    """Each listed project's stage, 本年累计 and standing on the last day of `month`; `annual_share`: the share of its
    total a project's year must reach (当年投资完成率)."""
    day = month_end(year, month)
    stage = stages_on(projects.dates, projects.reported_stage, projects.reported_on, day)
    limit = np.datetime64(day, "D")
    new, continuing = projects.category.is_(NEW), projects.category.is_(CONTINUING)
    scheduled = projects.has_plan & (projects.plan_cents > 0)
    expected = expected_cents(projects.plan_cents, month)
    share_base = (new | continuing) & projects.has_total & (projects.total_cents > 0)
    ytd = projects.ytd_at(month)
    return Facts(
        as_of=day, month=month, stage=stage, ytd=ytd, new=new, continuing=continuing, signed=stage >= SIGNED, filed=stage >= FILED,
        started=stage >= STARTED, completed=stage >= COMPLETED,
        # In production from 投产日期; a project evaluated (one year after 投产) is in production whatever its data say.
        producing=(projects.dates["production_date"] <= limit) | (stage >= EVALUATED),
        at_capacity=projects.dates["capacity_date"] <= limit,
        planned=projects.has_plan, scheduled=scheduled, expected=expected,
        ahead=scheduled & (ytd >= expected),
        share_base=share_base, share_met=share_base & share_meets(ytd, projects.total_cents, annual_share),
    )


