"""`/api/progress` as XLSX and CSV: the rates, targets, districts ranked and the four lists, with the as-of month
and the filters written on them. Every figure comes from `mujun.progress.Progress`, the one the JSON shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from geo_api.report_formats import Column, Sheet, sheets_csv, xlsx_workbook
from layers.progress import PROGRESS_FILTERS, ProgressFilters
from mujun.progress import PORTAL_DEFINITION, RATES, Progress
from mujun.stages import month_end

FILTER_LABELS = {"jurisdiction": "所属地区", "zone": "园区编码", "industry": "所属行业", "level": "项目级别", "category": "项目类别"}
LABELS = {info.name: info.zh for info in RATES}

RATE_COLUMNS = (
    Column("label", "指标"), Column("numerator", "分子(个)", "count"), Column("denominator", "分母(个)", "count"),
    Column("completed_wan", "完成投资(万元)", "number"), Column("planned_wan", "年度计划或总投资(万元)", "number"),
    Column("rate", "比率", "percent"), Column("expected_share", "时序应完成比例", "percent"),
    Column("completed_share", "时序已完成比例", "percent"), Column("note", "口径说明"),
)
TARGET_COLUMNS = (
    Column("label", "指标"), Column("level", "项目级别"), Column("by", "期限"), Column("target", "目标", "percent"),
    Column("value", "实际", "percent"), Column("verdict", "完成情况"),
)
PROJECT_COLUMNS = (Column("project_code", "项目编号", "code"), Column("name", "项目名称"), Column("jurisdiction", "所属地区"),
                   Column("level", "项目级别"))
NOT_STARTED_COLUMNS = (*PROJECT_COLUMNS, Column("planned_start_date", "计划开工日期"), Column("days_overdue", "逾期天数(天)", "count"))
NOT_COMPLETED_COLUMNS = (*PROJECT_COLUMNS, Column("planned_completion_date", "计划竣工日期"),
                         Column("days_overdue", "逾期天数(天)", "count"))
BEHIND_COLUMNS = (*PROJECT_COLUMNS, Column("annual_planned_wan", "年度计划投资(万元)", "number"),
                  Column("completed_ytd_wan", "本年累计完成投资(万元)", "number"), Column("expected_wan", "时序应完成投资(万元)", "number"),
                  Column("gap_wan", "滞后差额(万元)", "number"))
LATE_COLUMNS = (*PROJECT_COLUMNS, Column("month", "月份"), Column("due", "报送截止日期"), Column("reported_on", "首次填报日期"),
                Column("days_late", "逾期天数(天)", "count"), Column("verdict", "报送情况"))


def describe(result: Progress, filters: ProgressFilters, policy_name: str) -> str:
    chosen = filters.as_dict()
    parts = [f"{FILTER_LABELS[name]}：{'、'.join(chosen[name]) or '全部'}" for name in PROGRESS_FILTERS]
    return (f"截至 {result.year}年{result.month}月末（{month_end(result.year, result.month).isoformat()}），{result.year}年度计划内的项目。"
            f"筛选条件 — {'；'.join(parts)}。政策：{policy_name}。比率四舍五入到 0.01%，与目标比较亦按此精度；"
            f"分母为零的比率为空。注明“{PORTAL_DEFINITION[0]}”者为本平台的定义。")


def _rate_rows(result: Progress) -> list[dict[str, Any]]:
    rows = []
    for info in RATES:
        parts = result.rates[info.name].as_json()
        if info.name == "time_schedule":
            parts = {**parts, "numerator": parts["ahead"], "denominator": parts["ahead"] + parts["behind"]}
        if info.name == "annual_investment_share":
            parts = {**parts, "planned_wan": parts["total_wan"]}
        rows.append({"label": info.zh, **parts, "note": PORTAL_DEFINITION[0] if info.portal_definition else ""})
    return rows


def _verdict(met: bool | None, deadline: dt.date, as_of: dt.date) -> str:
    if deadline > as_of:
        return "未到期"
    return "无数据" if met is None else "完成" if met else "未完成"


def _target_rows(result: Progress) -> list[dict[str, Any]]:
    as_of = month_end(result.year, result.month)
    return [{"label": LABELS[t.target.rate], "level": t.target.level or "全部", "by": t.deadline.isoformat(), "target": t.target.target,
             "value": t.value, "verdict": _verdict(t.met, t.deadline, as_of)} for t in result.targets]


def ranking_columns() -> tuple[Column, ...]:
    return (Column("jurisdiction", "所属地区"), Column("projects", "项目数(个)", "count"),
            *(column for info in RATES for column in (Column(f"{info.name}.rate", info.zh, "percent"),
                                                      Column(f"{info.name}.rank", f"{info.zh}排名", "count"))))


def _ranking_rows(result: Progress) -> list[dict[str, Any]]:
    return [{"jurisdiction": line["jurisdiction"], "projects": line["projects"],
             **{f"{name}.rate": rate.rate for name, rate in line["rates"].items()},
             **{f"{name}.rank": rank for name, rank in line["ranks"].items()}} for line in result.by_jurisdiction]


def _shown(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dates as YYYY-MM-DD text, as officials type them."""
    return [{key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()} for record in records]


def sheets(result: Progress) -> list[Sheet]:
    lists = result.lists
    late = [{**entry, "verdict": "未报送" if entry["reported_on"] is None else "逾期报送"} for entry in lists["late_reports"]]
    return [
        ("指标", RATE_COLUMNS, _rate_rows(result)),
        ("目标", TARGET_COLUMNS, _target_rows(result)),
        ("排名", ranking_columns(), _ranking_rows(result)),
        ("应开工未开工", NOT_STARTED_COLUMNS, _shown(lists["not_started"])),
        ("应竣工未竣工", NOT_COMPLETED_COLUMNS, _shown(lists["not_completed"])),
        ("进度滞后", BEHIND_COLUMNS, lists["behind_schedule"]),
        ("报送情况", LATE_COLUMNS, _shown(late)),
    ]


def to_xlsx(result: Progress, filters: ProgressFilters, policy_name: str) -> bytes:
    return xlsx_workbook(sheets(result), describe(result, filters, policy_name))


def to_csv(result: Progress, filters: ProgressFilters, policy_name: str) -> bytes:
    """Every sheet one after the other, each under its name (the month and filters first)."""
    return sheets_csv(sheets(result), describe(result, filters, policy_name))
