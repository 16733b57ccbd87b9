"""The bulletin's prose (一、总体情况 … 六、亩均投资强度), in the register of a government notice, and its tables.

Built from what the JSON routes serve (`BulletinData`: `/api/progress` and the violation report): every number here
is one of theirs, shown at the precision officials see: sums of money in 亿元 to 0.01 in the prose, one project's
amount in 万元 (a gap of 1 万元 would read 0.00 亿元) as in the tables, rates as percentages to 0.01%. The tables
are `/api/progress`'s own sheets (`geo_api.progress_formats`) and the violation report's summary columns, so the
bulletin and the exports cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from geo_api.bulletin.document import Document, Section, Table, day_text, month_span, names, pct, points, wan, yi
from geo_api.progress_formats import (
    BEHIND_COLUMNS,
    LATE_COLUMNS,
    NOT_COMPLETED_COLUMNS,
    NOT_STARTED_COLUMNS,
    PROJECT_COLUMNS,
    RATE_COLUMNS,
    TARGET_COLUMNS,
    ranking_columns,
    sheets,
)
from geo_api.report_formats import SUMMARY_COLUMNS, Column, summary_rows
from layers.bulletins import BulletinData
from mujun.progress import PORTAL_DEFINITION, RATES, Progress, TargetResult
from mujun.rules import STAGES
from mujun.stages import month_end, report_due

NAMED_IN_PROSE = 5
"""Projects a list names in the prose (worst first); the table lists them all."""
LABELS = {info.name: info.zh for info in RATES}
PRINTED_RATE_COLUMNS = tuple(c for c in RATE_COLUMNS if c.key in ("label", "numerator", "denominator", "completed_wan", "planned_wan", "rate"))
VIOLATION_COLUMNS = tuple(c for c in SUMMARY_COLUMNS if c.key in (
    "jurisdiction", "projects", "parcels", "area_mu", "total_investment_wan", "intensity_wan_per_mu", "threshold_wan_per_mu",
    "shortfall_wan"))
PROJECT_KEY = ("project_code", "name")
SERIES_COLUMNS = (Column("month", "月份"), Column("completed_wan", "累计完成投资(万元)", "number"),
                  Column("expected_wan", "时序进度应完成(万元)", "number"), Column("planned_wan", "年度计划投资(万元)", "number"))


def _rows(result: Progress) -> dict[str, list[dict[str, Any]]]:
    """The rows of `/api/progress`'s export sheets (指标, 目标, 排名, 应开工未开工, 应竣工未竣工, 进度滞后, 报送情况), by sheet."""
    return {name: list(rows) for name, _, rows in sheets(result)}


def title_of(data: BulletinData) -> str:
    """常州市重大项目推进情况通报（2018年6月）; a district's: 常州市武进区重大项目推进情况通报（2018年6月）."""
    scope = data.scope
    return f"{data.policy.city}{scope.jurisdiction or ''}重大项目推进情况通报（{scope.year}年{scope.month}月）"


def _where(data: BulletinData) -> str:
    return data.scope.jurisdiction or "全市"


def _district(entry: dict[str, Any]) -> str:
    return entry["jurisdiction"] or "未填地区"


def _by_district(entries: Sequence[dict[str, Any]], data: BulletinData, unit: str = "个") -> str:
    """（武进区2个、溧阳市1个）: how many entries each district has, for the city's bulletin only."""
    if data.scope.jurisdiction is not None or not entries:
        return ""
    counts = Counter(_district(entry) for entry in entries)
    return "（" + "、".join(f"{district}{count}{unit}" for district, count in sorted(counts.items())) + "）"


def _named(entries: Sequence[dict[str, Any]], describe: Any) -> str:
    shown = "；".join(describe(entry) for entry in entries[:NAMED_IN_PROSE])
    return f"：{shown}{'等' if len(entries) > NAMED_IN_PROSE else ''}"


# ---- 一、总体情况 ---------------------------------------------------------------------------------

def _against_schedule(rate: Decimal, expected: Decimal) -> str:
    if rate == expected:
        return f"与时序进度（{pct(expected)}）持平。"
    return f"{'高于' if rate > expected else '低于'}时序进度（{pct(expected)}）{points(rate, expected)}个百分点。"


def overall(data: BulletinData) -> Section:
    result, scope = data.progress, data.scope
    rates = result.rates
    plan = rates["investment_plan_completion"]
    completed, planned = plan.parts["completed_wan"], plan.parts["planned_wan"]
    expected = rates["time_schedule"].parts["expected_share"]
    head = f"{month_span(scope.month)}，{_where(data)}纳入{scope.year}年度计划的{data.listed}个重大项目累计完成投资{yi(completed)}亿元"
    if plan.rate is None:
        head += "（尚无项目填报年度计划投资额）。"
    else:
        head += f"，占年度计划投资{yi(planned)}亿元的{pct(plan.rate)}，{_against_schedule(plan.rate, expected)}"
    new, continuing = rates["new_start"], rates["continuing_completion"]
    reserve = data.listed - new.parts["denominator"] - continuing.parts["denominator"]
    kinds = [f"新建项目{new.parts['denominator']}个，已开工{new.parts['numerator']}个，开工率{pct(new.rate)}",
             f"续建项目{continuing.parts['denominator']}个，已竣工{continuing.parts['numerator']}个，竣工率{pct(continuing.rate)}"]
    if reserve:
        kinds.append(f"预备项目{reserve}个")
    schedule, share = rates["time_schedule"].parts, rates["annual_investment_share"]
    pace = (f"按时序进度（{scope.month}/12）衡量，{schedule['ahead']}个项目达到时序进度，{schedule['behind']}个项目进度滞后。")
    if share.parts["denominator"]:
        pace += (f"新建、续建项目中，{share.parts['numerator']}个本年完成投资达到总投资的{pct(data.progress_policy.annual_share)}以上，"
                 f"占{share.parts['denominator']}个的{pct(share.rate)}。")
    staged = "、".join(f"{stage}{result.stages[stage]}个" for stage in STAGES if result.stages.get(stage))
    stages = f"截至{day_text(month_end(scope.year, scope.month))}，各项目所处阶段：{staged}。"
    rate_rows = _rows(result)["指标"]
    return Section(
        "一、总体情况", [head, "其中，" + "；".join(kinds) + "。", pace, stages],
        [Table("主要指标", PRINTED_RATE_COLUMNS, rate_rows, ("label",)),
         Table("各月累计完成投资", SERIES_COLUMNS, result.series, ("month",))],
        [("series", f"图1　{month_span(scope.month)}累计完成投资与年度计划（亿元）")],
        sheet=("一、总体情况", RATE_COLUMNS, rate_rows), facts={"纳入年度计划的项目(个)": str(data.listed)})


# ---- 二、各地区排名 -------------------------------------------------------------------------------

def _ranked(result: Progress, name: str) -> list[tuple[str, Decimal, int]]:
    return [(line["jurisdiction"], line["rates"][name].rate, line["ranks"][name]) for line in result.by_jurisdiction
            if line["ranks"][name] is not None]


def _red_and_black(name: str, ranked: list[tuple[str, Decimal, int]]) -> str:
    label = LABELS[name]
    if len(ranked) == 1:
        return f"{label}：仅{ranked[0][0]}（{pct(ranked[0][1])}）参加排名。"
    first = [entry for entry in ranked if entry[2] == 1]
    worst = max(entry[2] for entry in ranked)
    last = [entry for entry in ranked if entry[2] == worst]
    if worst == 1:
        return f"{label}：各地区并列（均为{pct(first[0][1])}）。"

    def who(entries: list[tuple[str, Decimal, int]]) -> str:
        return f"{names([e[0] for e in entries])}（{'均为' if len(entries) > 1 else ''}{pct(entries[0][1])}）"

    return f"{label}：红榜{who(first)}，黑榜{who(last)}。"


def _cell(line: dict[str, Any], name: str) -> str:
    rate, rank = line["rates"][name].rate, line["ranks"][name]
    return "无" if rate is None else f"{pct(rate)}（{rank}）"


def rankings(data: BulletinData) -> Section:
    if data.scope.jurisdiction is not None:
        return _district_ranks(data, data.scope.jurisdiction)
    result = data.progress
    lines = result.by_jurisdiction
    sentences = [f"全市{len(lines)}个地区按各项指标排名（比率相同者名次并列，无可计数项目者不排名）。"]
    unranked = []
    for info in RATES:
        ranked = _ranked(result, info.name)
        if ranked:
            sentences.append(_red_and_black(info.name, ranked))
        else:
            unranked.append(info.zh)
    if unranked:
        sentences.append(f"{names(unranked)}：各地区均无可计数的项目，不排名。")
    columns = (Column("label", "指标"), *(Column(line["jurisdiction"], line["jurisdiction"]) for line in lines))
    rows = [{"label": "项目数(个)", **{line["jurisdiction"]: str(line["projects"]) for line in lines}},
            *({"label": info.zh, **{line["jurisdiction"]: _cell(line, info.name) for line in lines}} for info in RATES)]
    return Section("二、各地区排名", sentences, [Table("各地区指标及名次（括号内为名次）", columns, rows, ("label",))],
                   [("rates", "图2　各地区主要指标与目标")], sheet=("二、各地区排名", ranking_columns(), _rows(result)["排名"]))


def _district_ranks(data: BulletinData, district: str) -> Section:
    """A district's bulletin: its rates and their places among the city's districts, naming no other district."""
    lines = data.city_progress.by_jurisdiction
    line = next(line for line in lines if line["jurisdiction"] == district)
    placed = [f"{info.zh}{pct(line['rates'][info.name].rate)}，居第{line['ranks'][info.name]}位"
              if line["ranks"][info.name] is not None else f"{info.zh}无可计数的项目" for info in RATES]
    sentence = f"{district}各项指标在全市{len(lines)}个地区中的排名：{'；'.join(placed)}。"
    columns = (Column("label", "指标"), Column("rate", "比率", "percent"), Column("rank", "全市排名", "count"),
               Column("ranked", "参加排名的地区数(个)", "count"))
    rows = [{"label": info.zh, "rate": line["rates"][info.name].rate, "rank": line["ranks"][info.name],
             "ranked": len(_ranked(data.city_progress, info.name))} for info in RATES]
    return Section("二、各地区排名", [sentence], [Table(f"{district}各项指标在全市的排名", columns, rows, ("label",))],
                   [("rates", f"图2　{district}主要指标与全市、目标")])


# ---- 三、目标完成情况 -----------------------------------------------------------------------------

def _level(target: TargetResult) -> str:
    return f"{target.target.level}项目" if target.target.level else "全部新建、续建项目"


def _judged(target: TargetResult) -> str:
    head = f"{_level(target)}{LABELS[target.target.rate]}：目标为{day_text(target.deadline)}前达到{pct(target.target.target)}，"
    if target.met is None:
        return head + "无可计数的项目。"
    if target.met:
        return head + f"实际{pct(target.value)}，已完成。"
    assert target.value is not None
    return head + f"实际{pct(target.value)}，未完成，差{points(target.target.target, target.value)}个百分点。"


def targets(data: BulletinData) -> Section:
    as_of = month_end(data.scope.year, data.scope.month)
    due = [t for t in data.progress.targets if t.deadline <= as_of]
    pending = [t for t in data.progress.targets if t.deadline > as_of]
    paragraphs = [_judged(t) for t in due] or ["截至本月，尚无到期的目标。"]
    if pending:
        paragraphs.append(f"尚未到期的目标{len(pending)}项，目前进展：" + "；".join(
            f"{_level(t)}{LABELS[t.target.rate]}{'暂无可计数的项目' if t.value is None else pct(t.value)}"
            f"（{day_text(t.deadline)}前应达到{pct(t.target.target)}）" for t in pending) + "。")
    rows = _rows(data.progress)["目标"]
    return Section("三、目标完成情况", paragraphs, [Table("目标完成情况", TARGET_COLUMNS, rows, ("label", "level", "by"))])


# ---- 四、问题清单 ---------------------------------------------------------------------------------

LIST_COLUMNS = (Column("list", "清单"), *PROJECT_COLUMNS, Column("planned_date", "计划日期"), Column("days_overdue", "逾期天数(天)", "count"),
                *BEHIND_COLUMNS[len(PROJECT_COLUMNS):])


def _overdue(entries: Sequence[dict[str, Any]], what: str, planned: str, done: str, data: BulletinData) -> str:
    """应开工未开工项目18个（…）：项目B（计划2018年6月30日开工，逾期0天）；…等。"""
    if not entries:
        return f"无{what}项目。"
    return f"{what}项目{len(entries)}个{_by_district(entries, data)}" + _named(
        entries, lambda e: f"{e['name']}（计划{day_text(e[planned])}{done}，逾期{e['days_overdue']}天）") + "。"


def problems(data: BulletinData) -> Section:
    result = data.progress
    lists = result.lists
    rows = _rows(result)
    not_started, not_completed, behind = rows["应开工未开工"], rows["应竣工未竣工"], rows["进度滞后"]
    paragraphs = [_overdue(lists["not_started"], "应开工未开工", "planned_start_date", "开工", data),
                  _overdue(lists["not_completed"], "应竣工未竣工", "planned_completion_date", "竣工", data)]
    slow = lists["behind_schedule"]
    if slow:
        gap = sum((entry["gap_wan"] for entry in slow), Decimal(0))
        paragraphs.append(f"进度滞后项目{len(slow)}个{_by_district(slow, data)}，按时序进度合计滞后投资{yi(gap)}亿元" + _named(
            slow, lambda e: f"{e['name']}（滞后{wan(e['gap_wan'])}万元）") + "。")
    else:
        paragraphs.append("无进度滞后项目。")
    listed = ([{**row, "list": "应开工未开工", "planned_date": row["planned_start_date"]} for row in not_started]
              + [{**row, "list": "应竣工未竣工", "planned_date": row["planned_completion_date"]} for row in not_completed]
              + [{**row, "list": "进度滞后"} for row in behind])
    charts = [("land", "图3　滞后项目用地分布（应开工未开工、应竣工未竣工、进度滞后）")] if data.zones else []
    return Section("四、问题清单", paragraphs, [
        Table("（一）应开工未开工", NOT_STARTED_COLUMNS, not_started, PROJECT_KEY),
        Table("（二）应竣工未竣工", NOT_COMPLETED_COLUMNS, not_completed, PROJECT_KEY),
        Table("（三）进度滞后", BEHIND_COLUMNS, behind, PROJECT_KEY),
    ], charts, sheet=("四、问题清单", LIST_COLUMNS, listed))


# ---- 五、报送情况 ---------------------------------------------------------------------------------

def reporting(data: BulletinData) -> Section:
    scope, due_day = data.scope, data.progress_policy.report_due_day
    entries = data.progress.lists["late_reports"]
    missing = [e for e in entries if e["reported_on"] is None]
    late = [e for e in entries if e["reported_on"] is not None]
    head = f"{month_span(scope.month)}月报（每月{due_day}日前报送上月情况）"
    if not entries:
        text = head + "均按时报送。"
    else:
        text = head + f"中，未报送{len(missing)}份、逾期报送{len(late)}份"
        if scope.jurisdiction is None:
            missing_by, late_by = Counter(_district(e) for e in missing), Counter(_district(e) for e in late)
            text += "。按地区：" + "；".join(f"{d}未报送{missing_by[d]}份、逾期报送{late_by[d]}份" for d in sorted({*missing_by, *late_by}))
        text += "。"
    paragraphs = [text]
    due = report_due(scope.year, scope.month, due_day)
    if due >= data.today:
        paragraphs.append(f"{scope.month}月月报的报送截止日期为{day_text(due)}，尚未到期，不在统计之内。")
    rows = _rows(data.progress)["报送情况"]
    return Section("五、报送情况", paragraphs, [Table("逾期报送和未报送的月报", LATE_COLUMNS, rows, (*PROJECT_KEY, "month"))])


# ---- 六、亩均投资强度 ------------------------------------------------------------------------------

def intensity(data: BulletinData) -> Section:
    report = data.violations
    if report is None:
        return Section("六、亩均投资强度", [f"{data.scope.jurisdiction}尚无已载入的园区，未作亩均投资强度评价。"])
    summary = report.summary
    total = summary.total
    if total.projects == 0:
        text = f"{_where(data)}未发现亩均投资强度低于所在园区门槛的工业项目。"
    else:
        text = (f"{_where(data)}亩均投资强度低于所在园区门槛的工业项目{total.projects}个，用地{total.area_mu:,.2f}亩，"
                f"按门槛计投资缺口合计{yi(total.shortfall_wan)}亿元")
        if data.scope.jurisdiction is None and summary.by_jurisdiction:
            text += "。其中，" + "；".join(f"{line.key['jurisdiction']}{line.projects}个、{line.area_mu:,.2f}亩、缺口{yi(line.shortfall_wan)}亿元"
                                         for line in summary.by_jurisdiction)
        text += "。"
    rows = [{**row, "jurisdiction": row.get("jurisdiction") or "合计"} for row in summary_rows(report) if row["group"] in ("合计", "辖区")]
    rows = rows[1:] + rows[:1]  # the districts, then the total
    return Section("六、亩均投资强度", [text], [Table("亩均投资强度未达标项目（按辖区）", VIOLATION_COLUMNS, rows, ("jurisdiction",))])


# ---- the whole -----------------------------------------------------------------------------------

def notes(data: BulletinData) -> list[str]:
    scope = data.scope
    policy = f"{data.policy.name}" + (f"；{data.progress_policy.source}" if data.progress_policy.source else "")
    portal = names([info.zh for info in RATES if info.portal_definition])
    return [
        f"本通报数据截至{day_text(month_end(scope.year, scope.month))}，由亩均平台根据已载入的重大项目清单、月报和宗地数据于"
        f"{day_text(data.today)}生成（数据版本{data.data_version}）。",
        "比率四舍五入到0.01%，与目标比较亦按此精度；分母为零的比率记为“无”。金额合计在正文中以亿元计，单个项目的金额和表格以万元计，均保留两位小数。",
        "项目所属地区以年度清单的“所属地区”为准，未填者取其用地所在园区的辖区；亩均投资强度按项目用地所在园区的辖区统计。",
        f"{portal}为{PORTAL_DEFINITION[0]}。",
        f"依据：{policy}。",
    ]


def document(data: BulletinData) -> Document:
    sections = [overall(data), rankings(data), targets(data), problems(data), reporting(data), intensity(data)]
    return Document(title_of(data), sections, notes(data), day_text(data.today))
