"""Major projects on a year's list: the rates districts are ranked by, the targets, and the lists officials act on.

All as of the end of month M of year Y (D, that day), over the projects with a plan for Y (DOMAIN.md,
`000_*` Changzhou 2018, `001_*` Wuxi 2022, `002_*` Chengdu, `004_*` Shiyan). The query gathers one row per
listed project (`ListedProjects`); this module decides everything from them. Rates are fractions rounded
half-up to 0.0001 (shown as % to 0.01) and compared with a target only after that rounding; a rate over
nothing is null. Money is integer 0.01 万元 until it is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from mujun.rules import STAGES
from mujun.stages import (
    COMPLETED,
    CONTINUING,
    EVALUATED,
    FILED,
    NEW,
    SIGNED,
    STARTED,
    month_end,
    month_text,
    report_due,
    stages_on,
)

RATE_STEP = 10_000
"""Rates are kept to 1/10 000 (0.01%)."""


@dataclass(frozen=True)
class RateInfo:
    name: str
    zh: str
    en: str
    portal_definition: bool = False
    """Wuxi's 五率 (`001_*`) publish no formula: these are this portal's definitions, and say so where shown."""


RATES = (
    RateInfo("investment_plan_completion", "投资计划完成率", "annual plan completion"),
    RateInfo("new_start", "新建项目开工率", "new projects started"),
    RateInfo("continuing_completion", "续建项目竣工率", "continuing projects completed"),
    RateInfo("annual_investment_share", "当年投资完成率", "year's investment ≥ share of total"),
    RateInfo("time_schedule", "时序进度", "on schedule (month/12 of the plan)"),
    RateInfo("signed_filed", "签约项目备案率", "signed projects filed", portal_definition=True),
    RateInfo("filed_started", "备案项目开工率", "filed projects started", portal_definition=True),
    RateInfo("started_investment", "开工项目投资完成率", "started projects' plan completion", portal_definition=True),
    RateInfo("completed_production", "竣工项目投产率", "completed projects in production", portal_definition=True),
    RateInfo("production_capacity", "最终产能达效率", "projects in production at full capacity", portal_definition=True),
)
RATE_NAMES = tuple(info.name for info in RATES)
PORTAL_DEFINITION = ("本平台口径（无锡“五率”未公布计算公式）", "this portal's definition (Wuxi published no formula)")


# ---- policy -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A rate a level's projects must reach by a day of the year (e.g. 市重点 新建开工率 80% by 30 June)."""

    rate: str
    level: str | None
    """The level as the policy names it (省重大, 市重点, …); None: every project on the list."""
    by: tuple[int, int]
    """(month, day) of the deadline in the list's year."""
    target: Decimal

    def deadline(self, year: int) -> dt.date:
        return dt.date(year, *self.by)


@dataclass(frozen=True)
class ProgressPolicy:
    """The progress parameters of a city-year's policy (`mujun/policies/*.yaml`, section `progress`)."""

    report_due_day: int
    """A month's report is due by this day of the next month."""
    annual_share: Decimal
    """当年投资完成率: a project meets it when its year's investment is at least this share of its total."""
    levels: Mapping[str, frozenset[str]]
    """Each level the targets name, with the spellings lists use for it (市重点: 市级重点项目, 市级重大项目, …)."""
    targets: tuple[Target, ...]
    source: str = ""

    def level_of(self, written: str | None) -> str | None:
        """The policy's name for a level as a list writes it; None when it is none of them."""
        return next((level for level, spellings in self.levels.items() if written in spellings), None)


# ---- the rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListedProjects:
    """One row per project on year Y's list, as columns. Dates are datetime64[D] (NaT: none)."""

    code: np.ndarray
    name: np.ndarray
    jurisdiction: np.ndarray
    level: np.ndarray
    category: np.ndarray
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


def _dates(values: Sequence[dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None else np.datetime64("NaT") for v in values], dtype="datetime64[D]")


def listed_projects(rows: Sequence[Mapping[str, Any]], date_fields: Sequence[str]) -> ListedProjects:
    """Columns from row mappings: money as `Decimal` 万元, dates as `date`; `months`, `ytds` and `first_reported`: the
    months of Y (1–12) the project's reports in force are for, their 本年累计 and the day each first came (or None)."""
    def column(name: str) -> np.ndarray:
        return np.array([row[name] for row in rows], dtype=object)

    def cents(name: str) -> tuple[np.ndarray, np.ndarray]:
        values = [row[name] for row in rows]
        return (np.array([int(v * 100) if v is not None else 0 for v in values], dtype=np.int64),
                np.array([v is not None for v in values], dtype=bool))

    plan, has_plan = cents("annual_planned_investment_wan")
    total, has_total = cents("total_investment_wan")
    given = np.full((len(rows), 12), -1, dtype=np.int64)
    first = np.full((len(rows), 12), np.datetime64("NaT"), dtype="datetime64[D]")
    for i, row in enumerate(rows):
        for month, ytd, day in zip(row["months"] or (), row["ytds"] or (), row["first_reported"] or (), strict=True):
            given[i, month - 1], first[i, month - 1] = int(ytd * 100), np.datetime64(day, "D")
    # Each month's 本年累计 is the latest reported one up to it: carried forward from the month it was reported for.
    latest = np.maximum.accumulate(np.where(given >= 0, np.arange(12), -1), axis=1)
    by_month = np.where(latest >= 0, np.take_along_axis(given, np.maximum(latest, 0), axis=1), 0)
    return ListedProjects(
        code=column("project_code"), name=column("name"), jurisdiction=column("jurisdiction"), level=column("level"),
        category=column("category"), plan_cents=plan, has_plan=has_plan, total_cents=total, has_total=has_total,
        ytd_by_month=by_month, dates={name: _dates([row[name] for row in rows]) for name in date_fields},
        reported_stage=np.array([-1 if row["reported_stage"] is None else row["reported_stage"] for row in rows], dtype=np.int8),
        reported_on=_dates([row["reported_stage_on"] for row in rows]), first_reported=first,
    )


# ---- arithmetic ---------------------------------------------------------------------------------

def fraction(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator rounded half-up to 0.0001; None over nothing."""
    if denominator == 0:
        return None
    return Decimal((2 * numerator * RATE_STEP + denominator) // (2 * denominator)) / RATE_STEP


def _wan(cents: int | np.integer) -> Decimal:
    return Decimal(int(cents)) / 100


def expected_cents(plan_cents: np.ndarray, month: int) -> np.ndarray:
    """时序进度: the plan × M/12 expected by the end of month M, to 0.01 万元 (half up)."""
    return (2 * plan_cents * month + 12) // 24


def share_meets(ytd_cents: np.ndarray, total_cents: np.ndarray, share: Decimal) -> np.ndarray:
    """本年累计 ÷ 总投资, rounded half-up to 0.0001, at least `share` (where 总投资 > 0)."""
    safe = np.where(total_cents > 0, total_cents, 1)
    rounded = (2 * ytd_cents * RATE_STEP + safe) // (2 * safe)
    return (total_cents > 0) & (rounded >= int(share * RATE_STEP))


def competition_ranks(values: Sequence[Decimal | None]) -> list[int | None]:
    """Rank 1 for the highest; equal values share a rank and the next rank skips (1, 1, 3); None is unranked."""
    ranked = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(other > v for other in ranked) for v in values]


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


def facts_of(projects: ListedProjects, year: int, month: int, policy: ProgressPolicy) -> Facts:
    day = month_end(year, month)
    stage = stages_on(projects.dates, projects.reported_stage, projects.reported_on, day)
    limit = np.datetime64(day, "D")
    new, continuing = projects.category == NEW, projects.category == CONTINUING
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
        share_base=share_base, share_met=share_base & share_meets(ytd, projects.total_cents, policy.annual_share),
    )


# ---- rates --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    rate: Decimal | None
    parts: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {**self.parts, "rate": self.rate}


def _count_rate(numerator: np.ndarray, denominator: np.ndarray) -> Rate:
    n, d = int(np.count_nonzero(numerator)), int(np.count_nonzero(denominator))
    return Rate(fraction(n, d), {"numerator": n, "denominator": d})


def _money_rate(completed: int, planned: int) -> Rate:
    return Rate(fraction(completed, planned), {"completed_wan": _wan(completed), "planned_wan": _wan(planned)})


def rates_of(projects: ListedProjects, facts: Facts, selected: np.ndarray) -> dict[str, Rate]:
    """Every rate over the projects `selected` (a boolean column)."""
    f, s, ytd, plan = facts, selected, facts.ytd, projects.plan_cents

    def total(values: np.ndarray, where: np.ndarray) -> int:
        return int(values[where].sum())

    share = _count_rate(s & f.share_met, s & f.share_base)
    base = s & f.share_base
    ahead, behind = int(np.count_nonzero(s & f.ahead)), int(np.count_nonzero(s & f.scheduled & ~f.ahead))
    scheduled = s & f.scheduled
    return {
        "investment_plan_completion": _money_rate(total(ytd, s & f.planned), total(plan, s & f.planned)),
        "new_start": _count_rate(s & f.new & f.started, s & f.new),
        "continuing_completion": _count_rate(s & f.continuing & f.completed, s & f.continuing),
        "annual_investment_share": Rate(share.rate, {
            **share.parts, "completed_wan": _wan(total(ytd, base)), "total_wan": _wan(total(projects.total_cents, base)),
            "aggregate_rate": fraction(total(ytd, base), total(projects.total_cents, base))}),
        "time_schedule": Rate(fraction(ahead, ahead + behind), {
            "expected_share": fraction(f.month, 12), "completed_share": fraction(total(ytd, scheduled), total(plan, scheduled)),
            "ahead": ahead, "behind": behind}),
        "signed_filed": _count_rate(s & f.filed, s & f.signed),
        "filed_started": _count_rate(s & f.started, s & f.filed),
        "started_investment": _money_rate(total(ytd, s & f.started & f.planned), total(plan, s & f.started & f.planned)),
        "completed_production": _count_rate(s & f.completed & f.producing, s & f.completed),
        "production_capacity": _count_rate(s & f.producing & f.at_capacity, s & f.producing),
    }


# ---- targets, rankings, lists --------------------------------------------------------------------

@dataclass(frozen=True)
class TargetResult:
    target: Target
    deadline: dt.date
    value: Decimal | None
    met: bool | None
    """None until the deadline has come (on its way), or when the rate is over nothing."""

    def as_json(self) -> dict[str, Any]:
        return {"rate": self.target.rate, "level": self.target.level, "by": self.deadline.isoformat(),
                "target": self.target.target, "value": self.value, "met": self.met}


def targets_of(projects: ListedProjects, facts: Facts, policy: ProgressPolicy, year: int) -> list[TargetResult]:
    levels = np.array([policy.level_of(level) for level in projects.level], dtype=object)
    results = []
    for target in policy.targets:
        selected = np.ones(len(projects), dtype=bool) if target.level is None else levels == target.level
        value = rates_of(projects, facts, selected)[target.rate].rate
        deadline = target.deadline(year)
        met = None if deadline > facts.as_of or value is None else value >= target.target
        results.append(TargetResult(target, deadline, value, met))
    return results


def _row(projects: ListedProjects, i: int) -> dict[str, Any]:
    return {"project_code": projects.code[i], "name": projects.name[i], "jurisdiction": projects.jurisdiction[i],
            "level": projects.level[i]}


def _date(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").item()


def _overdue(projects: ListedProjects, facts: Facts, planned: str, done: np.ndarray, key: str) -> list[dict[str, Any]]:
    limit = np.datetime64(facts.as_of, "D")
    due = projects.dates[planned]
    rows = np.flatnonzero((due <= limit) & ~done)
    days = (limit - due[rows]).astype(int)
    order = np.lexsort((projects.code[rows].astype(str), -days))
    return [{**_row(projects, int(rows[k])), key: _date(due[rows[k]]), "days_overdue": int(days[k])} for k in order]


def behind_schedule(projects: ListedProjects, facts: Facts) -> list[dict[str, Any]]:
    rows = np.flatnonzero(facts.scheduled & ~facts.ahead)
    gap = facts.expected[rows] - facts.ytd[rows]
    order = np.lexsort((projects.code[rows].astype(str), -gap))
    return [{**_row(projects, int(rows[k])), "annual_planned_wan": _wan(projects.plan_cents[rows[k]]),
             "completed_ytd_wan": _wan(facts.ytd[rows[k]]), "expected_wan": _wan(facts.expected[rows[k]]),
             "gap_wan": _wan(gap[k])} for k in order]


def monthly_series(projects: ListedProjects, year: int, month: int) -> list[dict[str, Any]]:
    """Cumulative investment by month against the plan: Σ 本年累计 at the end of each month 1…M of the projects with a
    planned amount, beside Σ plan × m/12 (the time schedule) and Σ plan."""
    planned = projects.has_plan
    plan = int(projects.plan_cents[planned].sum())
    return [{"month": month_text(year, m), "completed_wan": _wan(projects.ytd_at(m)[planned].sum()),
             "expected_wan": _wan(expected_cents(projects.plan_cents[planned], m).sum()), "planned_wan": _wan(plan)}
            for m in range(1, month + 1)]


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


def late_reports(projects: ListedProjects, year: int, month: int, policy: ProgressPolicy, today: dt.date) -> list[dict[str, Any]]:
    """Reports owed for months k ≤ M whose deadline (the due day of month k+1) has passed by `today`, that came
    late or never came. A project owes month k's report when it was started by the end of month k and was not
    completed before month k began."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for k in range(1, month + 1):
        due = report_due(year, k, policy.report_due_day)
        if due >= today:
            continue
        began = dt.date(year, k, 1)
        started = stages_on(projects.dates, projects.reported_stage, projects.reported_on, month_end(year, k)) >= STARTED
        done_before = stages_on(projects.dates, projects.reported_stage, projects.reported_on, began - dt.timedelta(days=1)) >= COMPLETED
        came = projects.first_reported[:, k - 1]
        late = started & ~done_before & ~(came <= np.datetime64(due, "D"))  # NaT (never came) is late too
        for i in np.flatnonzero(late):
            reported_on = None if np.isnat(came[i]) else _date(came[i])
            days = None if reported_on is None else (reported_on - due).days
            entry = {**_row(projects, int(i)), "month": month_text(year, k), "due": due, "reported_on": reported_on, "days_late": days}
            # Worst first: never came (oldest due first), then the latest.
            found.append((0 if days is None else 1, -(today - due).days if days is None else -days, entry))
    found.sort(key=lambda item: (item[0], item[1], item[2]["project_code"], item[2]["month"]))
    return [entry for _, _, entry in found]


# ---- the whole picture ---------------------------------------------------------------------------

@dataclass
class Progress:
    year: int
    month: int
    rates: dict[str, Rate]
    targets: list[TargetResult]
    by_jurisdiction: list[dict[str, Any]]
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    """Projects on the list by their stage on D (the funnel)."""
    series: list[dict[str, Any]] = field(default_factory=list)

    @property
    def as_of(self) -> str:
        return month_text(self.year, self.month)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of, "year": self.year,
            "rates": {name: rate.as_json() for name, rate in self.rates.items()},
            "targets": [t.as_json() for t in self.targets],
            "by_jurisdiction": [{"jurisdiction": line["jurisdiction"], "projects": line["projects"],
                                 "rates": {name: rate.as_json() for name, rate in line["rates"].items()},
                                 "ranks": line["ranks"]} for line in self.by_jurisdiction],
            "stages": self.stages, "series": self.series, "lists": self.lists,
        }


def progress(projects: ListedProjects, year: int, month: int, policy: ProgressPolicy, today: dt.date) -> Progress:
    """Rates, targets, districts ranked, and the four lists, as of the end of month `month` of `year`."""
    facts = facts_of(projects, year, month, policy)
    everyone = np.ones(len(projects), dtype=bool)
    jurisdictions = sorted({j for j in projects.jurisdiction if j is not None})
    lines = [{"jurisdiction": j, "projects": int(np.count_nonzero(projects.jurisdiction == j)),
              "rates": rates_of(projects, facts, projects.jurisdiction == j)} for j in jurisdictions]
    for name in RATE_NAMES:
        for line, rank in zip(lines, competition_ranks([line["rates"][name].rate for line in lines]), strict=True):
            line.setdefault("ranks", {})[name] = rank
    return Progress(
        year=year, month=month, rates=rates_of(projects, facts, everyone), targets=targets_of(projects, facts, policy, year),
        by_jurisdiction=lines, stages={stage: int(np.count_nonzero(facts.stage == k)) for k, stage in enumerate(STAGES)},
        series=monthly_series(projects, year, month),
        lists={
            "not_started": _overdue(projects, facts, "planned_start_date", facts.started, "planned_start_date"),
            "not_completed": _overdue(projects, facts, "planned_completion_date", facts.completed, "planned_completion_date"),
            "behind_schedule": behind_schedule(projects, facts),
            "late_reports": late_reports(projects, year, month, policy, today),
        },
    )
