"""The sample's major projects through their stages: dates agreeing with each 项目阶段, a 2024 list (年度计划) and the
monthly reports of January to June 2024, some late and some never sent.

Drawn from a random generator of their own (`random.Random(2024)`), after the zones, parcels and projects are
laid out, so that adding them changed none of those. Every date that brings a stage lies on or before the sample's
day (2024-06-30), so the stages agree with the dates on any later load's day too.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from mujun.stages import CONTINUING, NEW, RESERVE, month_end

YEAR = 2024
MONTHS = 6
"""The reports of January to June: the demo's progress is as of June 2024."""
LEVEL_FROM_WAN = ((100000, "省级重大项目"), (30000, "市级重大项目"), (0, "区级重点项目"))
NOTES = {"开工": ("桩基施工", "基础施工", "主体结构施工", "主体封顶", "设备安装"), "竣工": ("设备调试", "竣工验收", "试生产")}


def level_of(investment: int) -> str:
    """项目级别 from 总投资: 省级重大项目 from 10亿元, 市级重大项目 from 3亿元."""
    return next(level for floor, level in LEVEL_FROM_WAN if investment >= floor)


@dataclass
class Course:
    """A project's dates (None: not reached, or not planned) and its plan for 2024, if it is on the list."""

    signed: dt.date | None = None
    filed: dt.date | None = None
    planned_start: dt.date | None = None
    actual_start: dt.date | None = None
    planned_completion: dt.date | None = None
    actual_completion: dt.date | None = None
    production: dt.date | None = None
    capacity: dt.date | None = None
    evaluation: dt.date | None = None
    category: str | None = None
    plan: int | None = None

    def row(self) -> list[dt.date | None]:
        return [self.signed, self.filed, self.planned_start, self.actual_start, self.planned_completion, self.actual_completion,
                self.production, self.capacity, self.evaluation]


DATE_HEADERS = ["签约日期", "备案日期", "计划开工日期", "实际开工日期", "计划竣工日期", "实际竣工日期", "投产日期", "达产日期", "评估日期"]


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def course_of(rng: random.Random, stage: str, dates: tuple[dt.date, dt.date, dt.date] | None, today: dt.date) -> Course:
    """Dates that bring exactly `stage` on `today`, from the land's supply, agreed start and agreed completion."""
    course = Course()
    if stage == "意向":
        return course
    if dates is None:  # 签约 with no land yet
        course.signed = today - _days(rng, 10, 300)
        return course
    supply, start, completion = dates
    course.signed = supply - _days(rng, 30, 200)
    course.planned_start, course.planned_completion = start, completion
    if stage == "签约":
        return course
    course.filed = min(course.signed + _days(rng, 15, 90), today)
    if stage == "预备":
        return course
    course.actual_start = max(min(start + _days(rng, -15, 45), today), course.filed)
    if stage == "开工":
        return course
    # Evaluated projects completed a year or more before the day (the generator's stage says their agreed completion did).
    latest = today - dt.timedelta(days=365) if stage == "评估" else today
    course.actual_completion = max(min(completion + _days(rng, -30, 60), latest), course.actual_start + dt.timedelta(days=1))
    room = (today - course.actual_completion).days
    if stage == "评估":  # one year after going into production
        course.production = course.actual_completion + dt.timedelta(days=rng.randint(0, min(120, room - 365)))
        course.evaluation = course.production + dt.timedelta(days=365)
    elif rng.random() < 0.7 and room >= 15:
        course.production = course.actual_completion + dt.timedelta(days=rng.randint(15, min(120, room)))
    if course.production is not None and rng.random() < 0.6 and (today - course.production).days >= 180:
        course.capacity = course.production + dt.timedelta(days=rng.randint(180, (today - course.production).days))
    return course


def put_on_list(rng: random.Random, course: Course, investment: int) -> None:
    """Major projects (省级, 市级) active in 2024 are on its list, and a quarter of the district ones."""
    start_of_year = dt.date(YEAR, 1, 1)
    if course.signed is None or (course.actual_completion is not None and course.actual_completion < start_of_year):
        return
    if level_of(investment) == "区级重点项目" and rng.random() >= 0.25:
        return
    if course.actual_start is not None and course.actual_start < start_of_year:
        course.category, share = CONTINUING, rng.uniform(0.25, 0.5)
    elif course.planned_start is not None and course.planned_start <= dt.date(YEAR, 12, 31):
        course.category, share = NEW, rng.uniform(0.2, 0.45)
    else:
        course.category, share = RESERVE, 0.0
    course.plan = round(investment * share) if share else None


def _owes(course: Course, month: int) -> bool:
    began = dt.date(YEAR, month, 1)
    started = course.actual_start is not None and course.actual_start <= month_end(YEAR, month)
    return started and (course.actual_completion is None or course.actual_completion >= began)


def monthly_reports(rng: random.Random, code: str, course: Course) -> list[list[object]]:
    """The reports a listed project owes for January to June: most by the 20th of the next month, some late, a few
    never; 本年累计 only, 本月 only, or both (agreeing)."""
    if course.plan is None:
        return []
    pace = rng.uniform(0.55, 1.35)  # of the plan's twelfth, a month
    ytd, missed = 0, False
    rows: list[list[object]] = []
    for month in range(1, MONTHS + 1):
        if not _owes(course, month):
            continue
        done = max(0, round(course.plan / 12 * pace * rng.uniform(0.6, 1.4)))
        ytd += done
        draw = rng.random()
        if draw < 0.03:
            missed = True
            continue
        due = dt.date(YEAR, month + 1, 20)
        reported = due - _days(rng, 0, 15) if draw >= 0.12 else due + _days(rng, 1, 9)
        note = rng.choice(NOTES["竣工" if course.actual_completion and course.actual_completion <= month_end(YEAR, month) else "开工"])
        form = rng.random()
        if missed or form < 0.5:  # after a month never sent, 本年累计 keeps the year's figure whole
            rows.append([code, f"{YEAR}-{month:02d}", None, ytd, note, reported])
        elif form < 0.8:
            rows.append([code, f"{YEAR}年{month}月", done, None, note, reported])
        else:
            rows.append([code, f"{YEAR}{month:02d}", done, ytd, note, reported])
        missed = False
    return rows
