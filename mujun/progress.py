"""Major projects on a year's list: the rates districts are ranked by, the targets, and the lists officials act on.

All as of the end of month M of year Y (D, that day), over the projects with a plan for Y (DOMAIN.md,
`000_*` Changzhou 2018, `001_*` Wuxi 2022, `002_*` Chengdu, `004_*` Shiyan). The query gathers one row per
listed project (`mujun.listed.ListedProjects`); this module decides every rate, target and rank from them, and
`mujun.progress_lists` the lists. Rates are fractions rounded
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

from mujun.listed import Facts, ListedProjects, expected_cents, facts_of, fraction, wan
from mujun.progress_lists import ProjectList, behind_schedule, late_reports, overdue
from mujun.rules import STAGES
from mujun.stages import month_text


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


def competition_ranks(values: Sequence[Decimal | None]) -> list[int | None]:
    """Rank 1 for the highest; equal values share a rank and the next rank skips (1, 1, 3); None is unranked."""
    ranked = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(other > v for other in ranked) for v in values]


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
    return Rate(fraction(completed, planned), {"completed_wan": wan(completed), "planned_wan": wan(planned)})


def rates_of(projects: ListedProjects, facts: Facts, selected: np.ndarray) -> dict[str, Rate]:
    """Every rate over the projects `selected` (a boolean column)."""
    f, s, ytd, plan = facts, selected, facts.ytd, projects.plan_cents

    def total(values: np.ndarray, where: np.ndarray) -> int:
        return int(np.dot(values, where))  # integer cents: exact, and five times a masked sum's speed

    share = _count_rate(s & f.share_met, s & f.share_base)
    base = s & f.share_base
    ahead, behind = int(np.count_nonzero(s & f.ahead)), int(np.count_nonzero(s & f.scheduled & ~f.ahead))
    scheduled = s & f.scheduled
    return {
        "investment_plan_completion": _money_rate(total(ytd, s & f.planned), total(plan, s & f.planned)),
        "new_start": _count_rate(s & f.new & f.started, s & f.new),
        "continuing_completion": _count_rate(s & f.continuing & f.completed, s & f.continuing),
        "annual_investment_share": Rate(share.rate, {
            **share.parts, "completed_wan": wan(total(ytd, base)), "total_wan": wan(total(projects.total_cents, base)),
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


# ---- targets, rankings --------------------------------------------------------------------

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
    results = []
    for target in policy.targets:
        spelled = [name for name in projects.level.names if policy.level_of(name) == target.level]
        selected = np.ones(len(projects), dtype=bool) if target.level is None else projects.level.among(spelled)
        value = rates_of(projects, facts, selected)[target.rate].rate
        deadline = target.deadline(year)
        met = None if deadline > facts.as_of or value is None else value >= target.target
        results.append(TargetResult(target, deadline, value, met))
    return results


def monthly_series(projects: ListedProjects, year: int, month: int) -> list[dict[str, Any]]:
    """Cumulative investment by month against the plan: Σ 本年累计 at the end of each month 1…M of the projects with a
    planned amount, beside Σ plan × m/12 (the time schedule) and Σ plan."""
    planned = projects.has_plan
    plan = int(projects.plan_cents[planned].sum())
    return [{"month": month_text(year, m), "completed_wan": wan(projects.ytd_at(m)[planned].sum()),
             "expected_wan": wan(expected_cents(projects.plan_cents[planned], m).sum()), "planned_wan": wan(plan)}
            for m in range(1, month + 1)]


# ---- the whole picture ---------------------------------------------------------------------------

@dataclass
class Progress:
    year: int
    month: int
    rates: dict[str, Rate]
    targets: list[TargetResult]
    by_jurisdiction: list[dict[str, Any]]
    lists: dict[str, ProjectList] = field(default_factory=dict)
    """The lists officials act on, worst first (`mujun.progress_lists`)."""
    stages: dict[str, int] = field(default_factory=dict)
    """Projects on the list by their stage on D (the funnel)."""
    series: list[dict[str, Any]] = field(default_factory=list)

    @property
    def as_of(self) -> str:
        return month_text(self.year, self.month)

    def as_json(self, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        """The whole picture, each list from entry `offset`, at most `limit` entries (all when None); `list_totals`
        counts every entry of each list."""
        return {
            "as_of": self.as_of, "year": self.year,
            "rates": {name: rate.as_json() for name, rate in self.rates.items()},
            "targets": [t.as_json() for t in self.targets],
            "by_jurisdiction": [{"jurisdiction": line["jurisdiction"], "projects": line["projects"],
                                 "rates": {name: rate.as_json() for name, rate in line["rates"].items()},
                                 "ranks": line["ranks"]} for line in self.by_jurisdiction],
            "stages": self.stages, "series": self.series,
            "lists": {name: entries[offset:None if limit is None else offset + limit] for name, entries in self.lists.items()},
            "list_totals": {name: len(entries) for name, entries in self.lists.items()},
        }


def progress(projects: ListedProjects, year: int, month: int, policy: ProgressPolicy, today: dt.date) -> Progress:
    """Rates, targets, districts ranked, and the four lists, as of the end of month `month` of `year`."""
    facts = facts_of(projects, year, month, policy.annual_share)
    everyone = np.ones(len(projects), dtype=bool)
    lines: list[dict[str, Any]] = [
        {"jurisdiction": j, "projects": int(np.count_nonzero(projects.jurisdiction.is_(j))),
         "rates": rates_of(projects, facts, projects.jurisdiction.is_(j)), "ranks": {}}
        for j in sorted(projects.jurisdiction.names)]
    for name in RATE_NAMES:
        for line, rank in zip(lines, competition_ranks([line["rates"][name].rate for line in lines]), strict=True):
            line["ranks"][name] = rank
    return Progress(
        year=year, month=month, rates=rates_of(projects, facts, everyone), targets=targets_of(projects, facts, policy, year),
        by_jurisdiction=lines, stages={stage: int(np.count_nonzero(facts.stage == k)) for k, stage in enumerate(STAGES)},
        series=monthly_series(projects, year, month),
        lists={
            "not_started": overdue(projects, facts, "planned_start_date", facts.started),
            "not_completed": overdue(projects, facts, "planned_completion_date", facts.completed),
            "behind_schedule": behind_schedule(projects, facts),
            "late_reports": late_reports(projects, year, month, policy.report_due_day, today),
        },
    )
