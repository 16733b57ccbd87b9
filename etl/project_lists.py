"""A projects file's major-project fields: district, the year's plan (年度, 项目类别, 年度计划投资) and the dates
of its stages, checked against the 项目阶段 it gives (`mujun.stages.check_stage`, as of the load's day).

A row with 年度 is that project's plan for that year. A 项目阶段 that contradicts the dates is refused,
naming both; one ahead of its dates (its own date blank) is kept as reported on the load's day, and the
load's inferences say so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from etl.fields import CATEGORIES
from mujun.rules import STAGES, Policy
from mujun.stages import DATE_FIELDS, STAGE_DATES, check_stage, stage_index

if TYPE_CHECKING:
    from etl.check import Checked, Rows

FIRST_YEAR, LAST_YEAR = 1990, 2100
SHOWN_EXAMPLES = 5


def _year(rows: Rows, i: int) -> int | None:
    text = rows.text(i, "year")
    if text is None:
        return None
    digits = text.removesuffix("年").strip()
    if digits.isdigit() and FIRST_YEAR <= int(digits) <= LAST_YEAR:
        return int(digits)
    rows.error(i, "year", text, f"应为年份（{FIRST_YEAR}–{LAST_YEAR}），如 2018", f"expected a year ({FIRST_YEAR}–{LAST_YEAR}), such as 2018")
    return None


def plan_columns(rows: Rows, n: int, policy: Policy, choices: Any) -> dict[str, list[Any]]:
    """年度, 项目类别 and 年度计划投资 of each row, and its district (one of the policy's)."""
    years = [_year(rows, i) for i in range(n)]
    categories = choices(rows, "category", n, CATEGORIES)
    planned = [rows.amount(i, "annual_planned_investment", "万元", "10,000 CNY") for i in range(n)] \
        if "annual_planned_investment" in rows.match.fields else [None] * n
    jurisdictions = [rows.text(i, "jurisdiction") for i in range(n)]
    for i in range(n):
        if jurisdictions[i] is not None and jurisdictions[i] not in policy.jurisdictions:
            rows.error(i, "jurisdiction", jurisdictions[i], f"不在政策 {policy.code} 的辖区中：{'、'.join(policy.jurisdictions)}",
                       f"not a jurisdiction of policy {policy.code}: {', '.join(policy.jurisdictions)}")
        if years[i] is None and rows.text(i, "year") is None and (categories[i] is not None or planned[i] is not None):
            rows.error(i, "year", None, "给出了项目类别或年度计划投资，须同时给出年度（该项目列入哪一年的计划）",
                       "a 项目类别 or 年度计划投资 needs the 年度 (the year whose list the project is on)")
        if years[i] is not None and categories[i] is None and rows.text(i, "category") is None:
            rows.error(i, "category", None, "列入年度计划的项目须给出项目类别：新建、续建或预备",
                       "a project on a year's list needs its 项目类别: 新建 (new), 续建 (continuing) or 预备 (reserve)")
    return {"jurisdiction": jurisdictions, "year": years, "category": list(categories), "annual_planned_investment_wan": planned}


def _show(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def stage_columns(checked: Checked, rows: Rows, n: int, given_stages: np.ndarray, today: dt.date) -> dict[str, list[Any]]:
    """The dates of each row, its stage on `today`, and a stage reported ahead of its dates (with `today`)."""
    dates = {name: [rows.date(i, name) for i in range(n)] if name in rows.match.fields else [None] * n for name in DATE_FIELDS}
    stage: list[str | None] = [None] * n
    reported: list[str | None] = [None] * n
    reported_on: list[dt.date | None] = [None] * n
    ahead: list[str] = []
    has_dates = [name for name in STAGE_DATES.values() if name in rows.match.fields]
    for i in range(n):
        given = given_stages[i]
        row_dates = {name: dates[name][i] for name in has_dates}
        if given is None and not any(row_dates.values()):
            continue  # neither a stage nor a date of one: the stage is not known, and not guessed
        found = check_stage(None if given is None else stage_index(given), row_dates, today)
        stage[i] = STAGES[found.stage]
        if found.contradiction is not None:
            field = found.contradiction
            zh_field = DATE_FIELDS[field][0]
            rows.error(i, "stage", given,
                       f"与{zh_field}（{_show(row_dates.get(field)) or '空'}）矛盾：按日期，{today.isoformat()} 时应为{stage[i]}",
                       f"contradicts {zh_field} {field} ({_show(row_dates.get(field)) or 'blank'}): by the dates the project is at "
                       f"{stage[i]} on {today.isoformat()}")
        elif found.reported is not None:
            reported[i], reported_on[i] = STAGES[found.reported], today
            ahead.append(f"{checked.locate(i)} {given}")
    if ahead:
        examples = "、".join(ahead[:SHOWN_EXAMPLES]) + ("…" if len(ahead) > SHOWN_EXAMPLES else "")
        checked.inferences.append(
            f"{checked.file}: {len(ahead)} 个项目的项目阶段超前于其日期（该阶段的日期为空），按 {today.isoformat()} 填报的阶段记录"
            f"（{examples}） / {len(ahead)} projects give a 项目阶段 ahead of their dates (that stage's own date blank): kept as "
            f"reported on {today.isoformat()}")
    return {**dates, "stage": stage, "reported_stage": reported, "reported_stage_on": reported_on}
