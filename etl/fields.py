"""Input field names (English or the Chinese aliases of DESIGN.md) and the values they may take."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal


def normalise_header(header: str) -> str:
    """Full-width brackets and spaces folded (NFKC), blanks removed, lower case: `总投资（万元）` → `总投资(万元)`."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    aliases: tuple[str, ...]
    required: bool = False
    scale: Decimal = Decimal(1)
    """Multiplier into the stored unit (亿元 → 万元: 10000; 亩 → m²: handled by the parcel check)."""
    assumption: str | None = None
    """Said in the load's inferences whenever this spelling is used (e.g. a header without its unit)."""


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
    FieldSpec("recorded_area_m2", ("出让面积(平方米)", "出让面积(m2)", "出让面积(㎡)")),
    FieldSpec("recorded_area_m2", ("出让面积", "出让面积m2"),
              assumption="出让面积 has no unit in its header: read as 平方米 (m²), the unit of land contracts"),
    FieldSpec("recorded_area_mu", ("出让面积(亩)",)),
    FieldSpec("supply_date", ("供地日期",)),
    FieldSpec("agreed_start_date", ("约定开工日期",)),
    FieldSpec("agreed_completion_date", ("约定竣工日期",)),
)

PROJECT_FIELDS = (
    FieldSpec("project_code", ("项目编号",), required=True),
    FieldSpec("name", ("项目名称",)),
    FieldSpec("enterprise", ("企业名称",)),
    FieldSpec("industry", ("所属行业",)),
    FieldSpec("project_type", ("项目类型",), required=True),
    FieldSpec("total_investment", ("total_investment_wan", "总投资(万元)", "总投资")),
    FieldSpec("total_investment", ("total_investment_yi", "总投资(亿元)"), scale=Decimal(10000)),
    FieldSpec("currency", ("币种",)),
    FieldSpec("stage", ("项目阶段",)),
    FieldSpec("level", ("项目级别",)),
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
CURRENCIES = {"cny": "CNY", "rmb": "CNY", "人民币": "CNY", "usd": "USD", "美元": "USD"}


@dataclass(frozen=True)
class ColumnMatch:
    """Which input column fills which field, and which columns are kept as extra attributes."""

    fields: dict[str, tuple[str, FieldSpec]]
    extra: list[str]


def match_columns(columns: list[str], specs: tuple[FieldSpec, ...]) -> ColumnMatch:
    wanted: dict[str, FieldSpec] = {}
    for spec in specs:
        for key in (spec.name, *spec.aliases):
            wanted.setdefault(normalise_header(key), spec)  # the first spec named so owns its plain name
    fields: dict[str, tuple[str, FieldSpec]] = {}
    extra: list[str] = []
    for column in columns:
        found = wanted.get(normalise_header(column))
        if found is None or found.name in fields:
            extra.append(column)
        else:
            fields[found.name] = (column, found)
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
