"""Input field names (English or the Chinese aliases of DESIGN.md) and the values they may take."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

from etl.units import convert, same_quantity, split_header_unit
from mujun.stages import DATE_FIELDS


def normalise_header(header: str) -> str:
    """Full-width brackets and spaces folded (NFKC), blanks removed, lower case: `总投资（万元）` → `总投资(万元)`."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    aliases: tuple[str, ...]
    required: bool = False
    unit: str | None = None
    """The unit the field is stored in (万元, 平方米, 亩); None for values that are not quantities."""
    header_unit: str | None = None
    """The unit the column's header names (`总投资(亿元)`): bare numbers in that column are in it."""
    assumption: str | None = None
    """Said in the load's inferences whenever this spelling is used (e.g. a header without its unit)."""

    @property
    def scale(self) -> Decimal:
        """Multiplier from the header's unit into the stored unit (亿元 → 万元: 10000)."""
        if self.unit is None or self.header_unit is None:
            return Decimal(1)
        return convert(Decimal(1), self.header_unit, self.unit)


ZONE_FIELDS = (
    FieldSpec("zone_code", ("园区编码", "园区代码"), required=True),
    FieldSpec("name", ("园区名称",), required=True),
    FieldSpec("zone_class", ("园区类别",), required=True),
    FieldSpec("jurisdiction", ("所属辖区",), required=True),
)

PARCEL_FIELDS = (
    FieldSpec("parcel_code", ("宗地编号", "宗地代码"), required=True),
    FieldSpec("project_code", ("项目编号",)),
    FieldSpec("land_use", ("用地性质",)),
    FieldSpec("recorded_area_m2", ("出让面积(平方米)", "出让面积(m2)", "出让面积(㎡)"), unit="平方米"),
    FieldSpec("recorded_area_m2", ("出让面积", "出让面积m2"), unit="平方米",
              assumption="出让面积 has no unit in its header: read as 平方米 (m²), the unit of land contracts"),
    FieldSpec("recorded_area_mu", ("出让面积(亩)",), unit="亩"),
    FieldSpec("supply_date", ("供地日期",)),
    FieldSpec("agreed_start_date", ("约定开工日期",)),
    FieldSpec("agreed_completion_date", ("约定竣工日期",)),
    FieldSpec("land_price", ("land_price_wan", "出让价款(万元)", "土地出让价款(万元)", "成交价款(万元)"), unit="万元"),
    FieldSpec("land_price", ("出让价款", "土地出让价款", "成交价款"), unit="万元",
              assumption="出让价款 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("start_date", ("动工日期", "实际动工日期")),
    FieldSpec("developed_area", ("developed_area_m2", "已开发面积(平方米)", "已开发面积(m2)", "已开发面积(㎡)"), unit="平方米"),
    FieldSpec("developed_area", ("已开发面积",), unit="平方米",
              assumption="已开发面积 has no unit in its header: read as 平方米 (m²) / 表头无单位，按平方米读取"),
    FieldSpec("stopped_date", ("停工日期",)),
    FieldSpec("government_delay", ("政府原因", "是否政府原因")),
)

PROJECT_FIELDS = (
    FieldSpec("project_code", ("项目编号",), required=True),
    FieldSpec("name", ("项目名称",)),
    FieldSpec("enterprise", ("企业名称",)),
    FieldSpec("industry", ("所属行业",)),
    FieldSpec("project_type", ("项目类型",), required=True),
    FieldSpec("total_investment", ("total_investment_wan", "总投资(万元)"), unit="万元"),
    FieldSpec("total_investment", ("总投资",), unit="万元", assumption="总投资 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("total_investment", ("total_investment_yi",), unit="万元", header_unit="亿元"),
    FieldSpec("currency", ("币种",)),
    FieldSpec("stage", ("项目阶段",)),
    FieldSpec("level", ("项目级别",)),
    FieldSpec("jurisdiction", ("所属地区", "所属辖区", "辖区", "所属区县")),
    FieldSpec("year", ("年度", "计划年度")),
    FieldSpec("category", ("项目类别",)),
    FieldSpec("annual_planned_investment", ("annual_planned_investment_wan", "年度计划投资(万元)", "年度计划投资额(万元)"), unit="万元"),
    FieldSpec("annual_planned_investment", ("年度计划投资", "年度计划投资额"), unit="万元",
              assumption="年度计划投资 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    *(FieldSpec(name, (zh,)) for name, (zh, _) in DATE_FIELDS.items()),
)

MONTHLY_FIELDS = (
    FieldSpec("project_code", ("项目编号",), required=True),
    FieldSpec("month", ("月份", "填报月份", "报告月份"), required=True),
    FieldSpec("completed_month", ("completed_month_wan", "本月完成投资(万元)", "本月完成(万元)"), unit="万元"),
    FieldSpec("completed_month", ("本月完成投资", "本月完成"), unit="万元",
              assumption="本月完成投资 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("completed_ytd", ("completed_ytd_wan", "本年累计完成投资(万元)", "本年累计完成(万元)", "本年累计(万元)"), unit="万元"),
    FieldSpec("completed_ytd", ("本年累计完成投资", "本年累计完成", "本年累计"), unit="万元",
              assumption="本年累计完成投资 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("progress_note", ("形象进度",)),
    FieldSpec("reported_on", ("填报日期",)),
)

ZONE_CLASSES = {
    "development_zone": "development_zone",
    "省级以上开发区": "development_zone",
    "省级开发区": "development_zone",
    "国家级开发区": "development_zone",
    "industrial_cluster": "industrial_cluster",
    "工业集中区": "industrial_cluster",
}
PROJECT_TYPES = {
    "industrial": "industrial",
    "工业": "industrial",
    "service": "service",
    "服务业": "service",
    "infrastructure": "infrastructure",
    "基础设施": "infrastructure",
}
STAGES = {
    "意向": "意向", "intention": "意向",
    "签约": "签约", "signed": "签约",
    "预备": "预备", "preparation": "预备",
    "开工": "开工", "construction": "开工", "under_construction": "开工",
    "竣工": "竣工", "completed": "竣工",
    "评估": "评估", "evaluated": "评估",
}
CATEGORIES = {"新建": "新建", "new": "新建", "续建": "续建", "continuing": "续建", "预备": "预备", "reserve": "预备"}
CURRENCIES = {"cny": "CNY", "rmb": "CNY", "人民币": "CNY", "usd": "USD", "美元": "USD"}


@dataclass(frozen=True)
class ColumnMatch:
    """Which input column fills which field, and which columns are kept as extra attributes."""

    fields: dict[str, tuple[str, FieldSpec]]
    extra: list[str]


class MappedHeader(str):
    """A header the field-mapping file assigns to a field; it is still shown as the user wrote it."""

    field: str

    def __new__(cls, header: str, field: str) -> MappedHeader:
        mapped = super().__new__(cls, header)
        mapped.field = field
        return mapped


def _with_header_unit(spec: FieldSpec, unit: str | None, note: str | None) -> FieldSpec:
    """The spec as this header spells it: a unit in brackets replaces any assumption about the unit."""
    if unit is not None and spec.unit is not None and same_quantity(unit, spec.unit):
        return replace(spec, header_unit=unit, assumption=note)
    if spec.unit is not None and note is not None:
        note += f"; no unit in the header: read as {spec.unit} / 表头无单位，按{spec.unit}读取"
    return replace(spec, assumption=note or spec.assumption)


def _spec_for(column: str, wanted: dict[str, FieldSpec], by_name: dict[str, FieldSpec]) -> FieldSpec | None:
    mapped = getattr(column, "field", None)
    if mapped is not None:
        spec = by_name.get(mapped)
        note = f"mapped to {mapped} by the field-mapping file / 按字段映射文件对应到 {mapped}"
        return _with_header_unit(spec, split_header_unit(column)[1], note) if spec else None
    found = wanted.get(normalise_header(column))
    if found is not None:
        return found
    base, unit = split_header_unit(column)
    found = wanted.get(normalise_header(base)) if unit is not None else None
    if found is None or found.unit is None or unit is None or not same_quantity(unit, found.unit):
        return None
    return _with_header_unit(found, unit, None)


def match_columns(columns: list[str], specs: tuple[FieldSpec, ...]) -> ColumnMatch:
    """Columns by English name, Chinese alias, alias with a unit in brackets (`总投资(亿元)`) or the mapping file."""
    wanted: dict[str, FieldSpec] = {}
    by_name: dict[str, FieldSpec] = {}
    for spec in specs:
        by_name.setdefault(spec.name, spec)
        for key in (spec.name, *spec.aliases):
            wanted.setdefault(normalise_header(key), spec)  # the first spec named so owns its plain name
    fields: dict[str, tuple[str, FieldSpec]] = {}
    extra: list[str] = []
    for column in sorted(columns, key=lambda c: getattr(c, "field", None) is None):  # mapped headers first
        found = _spec_for(column, wanted, by_name)
        if found is None or found.name in fields:
            extra.append(column)
        else:
            fields[found.name] = (column, found)
    extra.sort(key=columns.index)
    return ColumnMatch(fields, extra)


CONSTRAINT_FIELDS = (
    FieldSpec("code", ("约束编码", "约束代码"), required=True),
    FieldSpec("constraint_type", ("约束类型",), required=True),
)
CONSTRAINT_TYPES = {
    "permanent_farmland": "permanent_farmland",
    "永久基本农田": "permanent_farmland",
    "ecological_redline": "ecological_redline",
    "生态保护红线": "ecological_redline",
    "urban_development_boundary": "urban_development_boundary",
    "城镇开发边界": "urban_development_boundary",
}

BATCH_FIELDS = (
    FieldSpec("batch_code", ("批次编号", "批次代码", "批次号"), required=True),
    FieldSpec("approved_date", ("批准日期", "批复日期")),
    FieldSpec("approval_no", ("批准文号", "批复文号")),
)

EVALUATION_FIELDS = (
    FieldSpec("enterprise", ("企业名称",), required=True),
    FieldSpec("credit_code", ("统一社会信用代码", "信用代码")),
    FieldSpec("year", ("年度", "评价年度"), required=True),
    FieldSpec("jurisdiction", ("所属地区", "所属辖区", "辖区", "所属区县"), required=True),
    FieldSpec("land_mu", ("land_mu", "用地面积(亩)"), unit="亩"),
    FieldSpec("land_mu", ("用地面积",), unit="亩", assumption="用地面积 has no unit in its header: read as 亩 / 表头无单位，按亩读取"),
    FieldSpec("tax", ("tax_wan", "税收(万元)", "实缴税金(万元)", "税收实际贡献(万元)"), unit="万元"),
    FieldSpec("tax", ("税收", "实缴税金"), unit="万元", assumption="税收 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("sales", ("sales_wan", "销售收入(万元)", "营业收入(万元)"), unit="万元"),
    FieldSpec("sales", ("销售收入", "营业收入"), unit="万元",
              assumption="销售收入 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("value_added", ("value_added_wan", "工业增加值(万元)"), unit="万元"),
    FieldSpec("value_added", ("工业增加值",), unit="万元",
              assumption="工业增加值 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("energy_tce", ("综合能耗(吨标准煤)", "综合能耗(吨标煤)", "综合能耗")),
    FieldSpec("emissions_t", ("主要污染物排放量(吨)", "主要污染物排放量", "污染物排放量(吨)")),
    FieldSpec("employees", ("年平均职工人数", "年平均职工人数(人)", "职工人数")),
    FieldSpec("rnd", ("rnd_wan", "研发经费(万元)", "研发经费支出(万元)"), unit="万元"),
    FieldSpec("rnd", ("研发经费", "研发经费支出"), unit="万元",
              assumption="研发经费 has no unit in its header: read as 万元 / 表头无单位，按万元读取"),
    FieldSpec("production_date", ("投产日期",)),
)

FIELDS_BY_KIND = {"zones": ZONE_FIELDS, "parcels": PARCEL_FIELDS, "projects": PROJECT_FIELDS, "constraints": CONSTRAINT_FIELDS,
                  "monthly": MONTHLY_FIELDS, "batches": BATCH_FIELDS, "evaluation": EVALUATION_FIELDS}
