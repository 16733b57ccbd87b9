"""A project's six stages on a date, the months of its reports, and the figures a monthly report derives.

DOMAIN.md: a project's stage on a date is the furthest stage whose date has come (签约 ← 签约日期, 预备 ←
备案日期, 开工 ← 实际开工日期, 竣工 ← 实际竣工日期, 评估 ← 评估日期; 意向 before any). A stage reported without
its date (项目阶段 on a load, no date beside it) counts from the day it was reported. Monthly reports give
本月完成投资 and/or 本年累计完成投资; the one missing is derived from the previous reported month of that year.

Money here is integer 0.01 万元 ("cents"): sums and differences are exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from mujun.rules import STAGES

CHINA = ZoneInfo("Asia/Shanghai")

INTENTION, SIGNED, FILED, STARTED, COMPLETED, EVALUATED = range(len(STAGES))

STAGE_DATES = {SIGNED: "signed_date", FILED: "filed_date", STARTED: "actual_start_date",
               COMPLETED: "actual_completion_date", EVALUATED: "evaluation_date"}
"""The date that brings each stage (意向 has none: it is where every project begins)."""

DATE_FIELDS = {
    "signed_date": ("签约日期", "signed"),
    "filed_date": ("备案日期", "filed"),
    "planned_start_date": ("计划开工日期", "planned start"),
    "actual_start_date": ("实际开工日期", "actual start"),
    "planned_completion_date": ("计划竣工日期", "planned completion"),
    "actual_completion_date": ("实际竣工日期", "actual completion"),
    "production_date": ("投产日期", "in production"),
    "capacity_date": ("达产日期", "at full capacity"),
    "evaluation_date": ("评估日期", "evaluated"),
}
"""A project's dates: field, Chinese header, English name."""

CATEGORIES = ("新建", "续建", "预备")
"""项目类别 on a year's list: new, continuing, in reserve."""
NEW, CONTINUING, RESERVE = CATEGORIES


def today_in_china() -> dt.date:
    """The date in China now: what a load's 'today' is (a report's default 填报日期, a stage reported today)."""
    return dt.datetime.now(CHINA).date()


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


def stage_from_dates(dates: Mapping[str, dt.date | None], day: dt.date) -> int:
    """The furthest stage whose date has come by `day`, as its place in `STAGES`."""
    return max((index for index, name in STAGE_DATES.items() if (when := dates.get(name)) is not None and when <= day),
               default=INTENTION)


def stage_on(dates: Mapping[str, dt.date | None], day: dt.date, reported: tuple[int, dt.date] | None = None) -> int:
    """The stage on `day`: from the dates, or a stage reported (without its date) on or before `day`, the further."""
    stage = stage_from_dates(dates, day)
    if reported is not None and reported[1] <= day:
        stage = max(stage, reported[0])
    return stage


def stages_on(dates: Mapping[str, np.ndarray], reported_stage: np.ndarray, reported_on: np.ndarray, day: dt.date) -> np.ndarray:
    """`stage_on` for many projects: `dates` as datetime64[D] columns (NaT: none), `reported_stage` -1 where none."""
    limit = np.datetime64(day, "D")
    stage = np.zeros(len(reported_stage), dtype=np.int8)
    for index, name in STAGE_DATES.items():  # ascending: a later stage's date overrides
        stage[dates[name] <= limit] = index  # NaT compares False
    reported = (reported_on <= limit) & (reported_stage > stage)
    stage[reported] = reported_stage[reported]
    return stage


def reached_on(dates: Mapping[str, np.ndarray], reported_stage: np.ndarray, reported_on: np.ndarray, stage: int) -> np.ndarray:
    """The first day each project was at `stage` or beyond (NaT: not yet): `stages_on(…, day) >= stage` exactly when
    this day is ≤ `day`, found once for every day asked after."""
    days = [dates[name] for index, name in STAGE_DATES.items() if index >= stage]
    days.append(np.where(reported_stage >= stage, reported_on, np.datetime64("NaT")))
    stacked = np.stack(days).astype("datetime64[D]")
    present = ~np.isnat(stacked)
    earliest = np.where(present, stacked, np.datetime64("9999-12-31")).min(axis=0)
    return np.where(present.any(axis=0), earliest, np.datetime64("NaT"))


@dataclass(frozen=True)
class StageCheck:
    """What a load makes of a 项目阶段 beside the dates, as of the load's day."""

    stage: int
    """The project's stage on the load's day."""
    reported: int | None = None
    """A stage given ahead of its dates (its own date left blank): kept as reported on the load's day."""
    contradiction: str | None = None
    """The date field that contradicts the given stage (the stage is refused)."""


def check_stage(given: int | None, dates: Mapping[str, dt.date | None], day: dt.date) -> StageCheck:
    """A 项目阶段 agrees with the dates when it is their stage on `day`. One further on is kept as reported on
    `day` if its own date is blank; one behind the dates, or ahead of them with its own date still to come,
    contradicts them."""
    by_dates = stage_from_dates(dates, day)
    if given is None or given == by_dates:
        return StageCheck(by_dates)
    if given < by_dates:
        return StageCheck(by_dates, contradiction=STAGE_DATES[by_dates])
    own_date = STAGE_DATES[given]
    if dates.get(own_date) is not None:  # its date is given, and has not come
        return StageCheck(by_dates, contradiction=own_date)
    return StageCheck(given, reported=given)


# ---- months -------------------------------------------------------------------------------------

_MONTH_PATTERNS = (
    re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$"),
    re.compile(r"^\s*(\d{4})(\d{2})\s*$"),
    re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*0?1\s*日?(?:[ T]0{1,2}:00(?::00)?)?\s*$"),
)


def parse_month(value: object) -> tuple[int, int]:
    """(year, month) from 2018-06, 2018/6, 2018.06, 2018年6月, 201806, or a date on the first of the month
    (a spreadsheet cell typed as a date); ValueError otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.day != 1:
            raise ValueError(value)
        return value.year, value.month
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return year, month
    raise ValueError(value)


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_end(year: int, month: int) -> dt.date:
    """The last day of the month: the as-of date D of a month's figures."""
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def report_due(year: int, month: int, due_day: int) -> dt.date:
    """A month's report is due by `due_day` of the following month (the 20th, `001_*`)."""
    return dt.date(year + month // 12, month % 12 + 1, due_day)


# ---- monthly figures ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Derived:
    """The figures of a run of monthly reports, each project-year's in month order."""

    month_cents: np.ndarray
    """本月完成投资, as given or derived (本年累计 less the previous reported month's)."""
    ytd_cents: np.ndarray
    """本年累计完成投资, as given or derived (the previous reported month's plus 本月完成)."""
    previous_cents: np.ndarray
    """The previous reported month's 本年累计 each figure was derived from (0 before the year's first report)."""
    conflict: np.ndarray
    """Both amounts given and 本年累计 ≠ previous + 本月完成."""


def derive_figures(group: np.ndarray, month_cents: np.ndarray, has_month: np.ndarray, ytd_cents: np.ndarray,
                   has_ytd: np.ndarray, base_cents: np.ndarray) -> Derived:
    """The figures of reports sorted by project-year (`group`, non-decreasing) and month; every report gives at
    least one amount. `base_cents`: per row, the 本年累计 of the group's last report before its first row here
    (0 when none), read only on each group's first row.

    A given 本年累计 stands as reported; one not given is the previous reported month's plus 本月完成, so that it
    follows a later correction of an earlier month. 本月完成 not given is 本年累计 less the previous month's."""
    n = len(group)
    rows = np.arange(n)
    first = np.ones(n, dtype=bool)
    first[1:] = group[1:] != group[:-1]
    start = np.maximum.accumulate(np.where(first, rows, 0))
    month = np.where(has_month, month_cents, 0)
    run = np.cumsum(month)
    before_start = np.where(start > 0, run[start - 1], 0)
    anchor = np.maximum.accumulate(np.where(has_ytd, rows, -1))
    anchored = anchor >= start
    safe = np.where(anchored, anchor, 0)
    # Not given: the last given 本年累计 of the group (or its base) plus every 本月完成 since.
    ytd = np.where(has_ytd, ytd_cents,
                   np.where(anchored, ytd_cents[safe] + run - run[safe], base_cents[start] + run - before_start))
    previous = np.where(first, base_cents[start], np.roll(ytd, 1))
    derived_month = np.where(has_month, month_cents, ytd - previous)
    conflict = has_month & has_ytd & (ytd_cents != previous + month_cents)
    return Derived(derived_month, ytd, previous, conflict)
