"""The land lists and the evaluation as XLSX and CSV: Chinese headers with their units, the as-of date (or year), the
filters and the policy written on each sheet. Every figure comes from the objects the JSON routes answer with
(`mujun.idle_land`, `mujun.evaluation`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from geo_api.report_formats import Column, Sheet
from layers.land import Supply
from layers.tiles import MapFilters
from mujun.evaluation import INDICATORS, Evaluation, EvaluationPolicy
from mujun.idle_land import CATEGORY_LABELS, IdleLand, IdleLandPolicy

FILTER_LABELS = {"jurisdiction": "辖区", "zone": "园区编码", "zone_class": "园区类别", "stage": "项目阶段", "industry": "所属行业",
                 "level": "项目级别", "band": "色带", "status": "状态"}

IDLE_COLUMNS = (
    Column("parcel_code", "宗地编号", "code"), Column("project_code", "项目编号", "code"), Column("category_label", "类别"),
    Column("agreed_start_date", "约定开工日期"), Column("start_date", "动工日期"), Column("stopped_date", "停工日期"),
    Column("overdue_days", "逾期天数(天)", "count"), Column("land_price_wan", "出让价款(万元)", "number"),
    Column("idle_fee_wan", "土地闲置费(万元)", "number"), Column("reclaimable_label", "可无偿收回"),
)
SUMMARY_COLUMNS = (Column("label", "项目"), Column("value", "数值", "number"))
SUPPLIED_UNUSED_COLUMNS = (
    Column("parcel_code", "宗地编号", "code"), Column("project_code", "项目编号", "code"), Column("supply_date", "供地日期"),
    Column("agreed_start_date", "约定开工日期"), Column("category_label", "闲置类别"), Column("note_zh", "说明"),
)
UNSUPPLIED_COLUMNS = (
    Column("batch_code", "批次编号", "code"), Column("approved_date", "批准日期"), Column("area_m2", "批次面积(平方米)", "number"),
    Column("unsupplied_m2", "批而未供面积(平方米)", "number"), Column("unsupplied_mu", "批而未供面积(亩)", "number"),
)


def _filters_text(filters: MapFilters) -> str:
    chosen = [f"{FILTER_LABELS[name]}：{'、'.join(getattr(filters, name))}" for name in filters.in_use()]
    return "；".join(chosen) or "全部"


def _shown(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dates as YYYY-MM-DD text, as officials type them."""
    return [{key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()} for record in records]


def idle_caption(result: IdleLand, filters: MapFilters, policy: IdleLandPolicy, policy_name: str) -> str:
    stalled = "计入" if policy.stalled_counts_as_idle else "单独列出，不计入"
    return (f"闲置土地 截至 {result.as_of.isoformat()}。筛选条件 — {_filters_text(filters)}。政策：{policy_name}（{policy.source}）："
            f"约定开工日期满{policy.idle_after_years}年未动工为闲置，按出让价款的{float(policy.idle_fee_share):.0%}征缴土地闲置费；"
            f"满{policy.reclaimable_after_years}年可无偿收回；政府原因造成的迟延单独列出、不收闲置费；已动工但开发不足、停工满"
            f"{policy.stopped_years}年的土地{stalled}闲置土地。动工日期取宗地动工日期，无则取项目实际开工日期。")


def idle_sheets(result: IdleLand) -> list[Sheet]:
    rows = [{**row, "category_label": CATEGORY_LABELS[row["category"]][0], "reclaimable_label": "是" if row["reclaimable"] else "否"}
            for row in result.parcels]
    summary = result.summary
    lines = [("闲置土地(宗)", summary["idle"]), ("土地闲置费合计(万元)", summary["idle_fee_wan"]), ("可无偿收回(宗)", summary["reclaimable"]),
             ("政府原因迟延(宗)", summary["government_delay"]), ("已动工开发不足、停工满一年(宗)", summary["stalled"])]
    return [("闲置土地", IDLE_COLUMNS, _shown(rows)), ("汇总", SUMMARY_COLUMNS, [{"label": k, "value": v} for k, v in lines])]


def supply_caption(result: Supply, filters: MapFilters, policy_name: str) -> str:
    return (f"供而未用与批而未供 截至 {result.as_of.isoformat()}。供而未用筛选条件 — {_filters_text(filters)}（批次不属任何项目，"
            f"批而未供不受筛选）。政策：{policy_name}。供而未用：截至该日已供地、尚未动工（宗地动工日期，无则项目实际开工日期）；"
            "批而未供：批次面积中未被截至该日已供宗地覆盖的部分，按 CGCS2000 高斯-克吕格投影平面面积计，1 亩 = 10000/15 平方米。")


def supply_sheets(result: Supply) -> list[Sheet]:
    unused = [{**row, "category_label": CATEGORY_LABELS[row["category"]][0] if row["category"] else None,
               "note_zh": row["note"]["zh"] if row["note"] else None} for row in result.supplied_unused]
    return [("供而未用", SUPPLIED_UNUSED_COLUMNS, _shown(unused)), ("批而未供", UNSUPPLIED_COLUMNS, _shown(result.approved_unsupplied))]


def evaluation_caption(result: Evaluation, jurisdictions: Sequence[str], policy: EvaluationPolicy, policy_name: str) -> str:
    weights = "、".join(f"{i.zh} {policy.weights[i.name]}" for i in INDICATORS)
    unverified = "（权重未经核实）" if "weights" in policy.unverified else ""
    return (f"{result.year} 年度企业亩均效益评价。所属地区：{'、'.join(jurisdictions) or '全部'}。政策：{policy_name}（{policy.source}）。"
            f"权重：{weights}{unverified}；单项得分 = 权重 × 指标值 ÷ 本县（区）基准值，最高为权重的 {float(policy.cap):g} 倍；"
            "基准值为参评企业合计（分子之和 ÷ 分母之和）；得分保留两位小数，同分同名次；"
            f"分类按名次 ÷ 参评企业数：{'、'.join(f'{c.name} ≤ {float(c.up_to):.0%}' for c in policy.classes[:-1])}，其余为 "
            f"{policy.classes[-1].name}；投产不足一年的企业为 T 类，不参评。")


def evaluation_columns() -> tuple[Column, ...]:
    return (Column("jurisdiction", "所属地区"), Column("enterprise", "企业名称"), Column("credit_code", "统一社会信用代码", "code"),
            *(Column(f"indicators.{i.name}", f"{i.zh}({i.unit})", "ratio" if i.decimals == 4 else "number") for i in INDICATORS),
            *(Column(f"terms.{i.name}", f"{i.zh}得分", "number") for i in INDICATORS),
            Column("score", "综合得分", "number"), Column("rank", "名次", "count"), Column("class", "分类"), Column("notes_zh", "说明"))


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in row.items() if key not in ("indicators", "terms", "notes")}
    flat.update({f"indicators.{k}": v for k, v in row["indicators"].items()})
    flat.update({f"terms.{k}": v for k, v in (row["terms"] or {}).items()})
    flat["notes_zh"] = "；".join(note["zh"] for note in row["notes"]) or None
    return flat


def benchmark_columns() -> tuple[Column, ...]:
    return (Column("jurisdiction", "所属地区"), Column("graded", "参评企业数", "count"),
            *(Column(i.name, f"{i.zh}基准值({i.unit})", "ratio" if i.decimals == 4 else "number") for i in INDICATORS))


def evaluation_sheets(result: Evaluation) -> list[Sheet]:
    answer = result.as_json()
    benchmarks = [{"jurisdiction": county, "graded": answer["graded"][county], **values} for county, values in answer["benchmarks"].items()]
    return [("企业评价", evaluation_columns(), [_flat(row) for row in result.firms]), ("基准值", benchmark_columns(), benchmarks)]
