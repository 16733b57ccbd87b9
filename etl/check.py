"""Check what was read: fields, values, codes, CRS and geometry. Every problem names file, place, field.

Errors stop the load; warnings (e.g. a geometry repaired with make_valid) are recorded and shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from etl.fields import (
    CONSTRAINT_FIELDS,
    CONSTRAINT_TYPES,
    CURRENCIES,
    PARCEL_FIELDS,
    PROJECT_FIELDS,
    PROJECT_TYPES,
    STAGES,
    ZONE_CLASSES,
    ZONE_FIELDS,
    FieldSpec,
    match_columns,
)
from etl.pinyin import initials
from etl.read import FeatureSource, TableSource
from etl.units import parse_amount
from mujun import rules
from mujun.errors import Problem
from mujun.rules import CHINA_BOUNDS, Policy

EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Checked:
    """Records ready to load, with what was noticed on the way."""

    kind: str
    file: str
    records: list[dict[str, Any]]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    inferences: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: Any) -> dt.date:
    """Dates in the forms Chinese offices use: 2023-05-01, 2023/5/1, 2023年5月1日, Excel serials."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 100000:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    match = _DATE_PATTERN.match(str(value))
    if not match:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)


class _Rows:
    """Walks the rows of a source, reading fields by their matched column and collecting problems."""

    def __init__(self, checked: Checked, columns: dict[str, list[Any]], specs: tuple[FieldSpec, ...],
                 where: Callable[[int], str]) -> None:
        self.checked = checked
        self.columns = columns
        self.match = match_columns(list(columns), specs)
        self.where = where
        for column, found in self.match.fields.values():
            if found.assumption:
                checked.inferences.append(f"{checked.file}, {column}: {found.assumption}")
        for spec in specs:
            if spec.required and spec.name not in self.match.fields:
                names = " / ".join((spec.name, *spec.aliases))
                self.error(-1, spec.name, None, f"缺少必填字段（{names}）", f"required field is missing ({names})")

    def error(self, i: int, name: str | None, value: Any, zh: str, en: str) -> None:
        where = self.where(i) if i >= 0 else "表头 header"
        self.checked.errors.append(Problem(self.checked.file, where, self._column(name), _show(value), zh, en))

    def warn(self, i: int, name: str | None, value: Any, zh: str, en: str) -> None:
        self.checked.warnings.append(Problem(self.checked.file, self.where(i), self._column(name), _show(value),
                                             zh, en, severity="warning"))

    def _column(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.match.fields[name][0] if name in self.match.fields else name

    def raw(self, i: int, name: str) -> Any:
        if name not in self.match.fields:
            return None
        value = self.columns[self.match.fields[name][0]][i]
        return None if _text(value) is None else value

    def text(self, i: int, name: str) -> str | None:
        return _text(self.raw(i, name))

    def required_text(self, i: int, name: str) -> str | None:
        value = self.text(i, name)
        if value is None and name in self.match.fields:
            self.error(i, name, None, "不能为空", "must not be empty")
        return value

    def amount(self, i: int, name: str, unit_zh: str, unit_en: str) -> Decimal | None:
        value = self.raw(i, name)
        if value is None:
            return None
        try:
            spec = self.match.fields[name][1]
            number = parse_amount(value, spec.unit, spec.header_unit)
        except ValueError:
            self.error(i, name, value, f"应为数值（{unit_zh}）", f"expected a number ({unit_en})")
            return None
        if number < 0:
            self.error(i, name, value, f"不能为负数（{unit_zh}）", f"must not be negative ({unit_en})")
            return None
        return number

    def date(self, i: int, name: str) -> dt.date | None:
        value = self.raw(i, name)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.error(i, name, value, "应为日期，如 2023-05-01、2023/5/1 或 2023年5月1日",
                       "expected a date such as 2023-05-01, 2023/5/1 or 2023年5月1日")
            return None

    def choice(self, i: int, name: str, allowed: dict[str, str], default: str | None = None,
               required: bool = False) -> str | None:
        value = self.text(i, name)
        if value is None:
            if required and name in self.match.fields:
                self.error(i, name, None, "不能为空", "must not be empty")
            return default
        chosen = allowed.get(value) or allowed.get(value.lower())
        if chosen is None:
            options = "、".join(sorted(set(allowed)))
            self.error(i, name, value, f"应为以下之一：{options}", f"expected one of: {options}")
        return chosen

    def extra(self, i: int) -> dict[str, Any]:
        return {column: _jsonable(self.columns[column][i]) for column in self.match.extra
                if _text(self.columns[column][i]) is not None}


def _show(value: Any) -> str | None:
    return None if value is None else str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _duplicates(checked: Checked, code_field: str, where: Callable[[int], str]) -> None:
    seen: dict[str, int] = {}
    for i, record in enumerate(checked.records):
        code = record.get(code_field)
        if code is None:
            continue
        if code in seen:
            checked.errors.append(Problem(checked.file, where(i), code_field, code,
                                          f"编码重复（与{where(seen[code])}相同）",
                                          f"duplicate code (same as {where(seen[code])})"))
        else:
            seen[code] = i


def _feature(i: int) -> str:
    return f"要素 feature {i + 1}"


def _transformer(source: FeatureSource, checked: Checked) -> Transformer | None:
    """Transformer from the declared CRS to CGCS2000 lon/lat, or None where none is needed."""
    if not source.crs:
        checked.errors.append(Problem(
            checked.file, "文件 file", None, None,
            "未声明坐标系：请提供带 .prj 的文件或声明 EPSG 坐标系（如 EPSG:4490、EPSG:4549）",
            "no coordinate reference system is declared: give a file with its CRS (.prj) or an EPSG code "
            "such as EPSG:4490 or EPSG:4549"))
        return None
    try:
        crs = CRS.from_user_input(source.crs)
    except CRSError:
        checked.errors.append(Problem(checked.file, "文件 file", None, source.crs,
                                      "无法识别的坐标系", "the declared CRS is not recognised"))
        return None
    if crs.is_geographic and crs.to_epsg() in (4490, 4326, None) and crs.name in (
        "China Geodetic Coordinate System 2000", "WGS 84", "WGS 84 (CRS84)"
    ):
        # WGS84 and CGCS2000 differ by centimetres: taken as the same (DOMAIN.md).
        return None
    checked.inferences.append(f"{checked.file}: reprojected from {crs.name} to CGCS2000 (EPSG:4490)")
    return Transformer.from_crs(crs, rules.GEOGRAPHIC_SRID, always_xy=True)


def _geometries(source: FeatureSource, checked: Checked) -> list[BaseGeometry | None]:
    """Polygonal geometries in CGCS2000 lon/lat as MultiPolygons; repaired where invalid (and flagged)."""
    errors_before = len(checked.errors)
    transformer = _transformer(source, checked)
    if len(checked.errors) > errors_before:  # the CRS is unknown: no coordinate can be judged
        return [None] * len(source)
    out: list[BaseGeometry | None] = []
    minx, miny, maxx, maxy = CHINA_BOUNDS
    for i, geometry in enumerate(source.geometries):
        where = _feature(i)
        if geometry is None or geometry.is_empty:
            checked.errors.append(Problem(checked.file, where, "geometry", None, "几何为空", "the geometry is empty"))
            out.append(None)
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            checked.errors.append(Problem(checked.file, where, "geometry", geometry.geom_type,
                                          "应为面（Polygon/MultiPolygon）", "expected a polygon (Polygon/MultiPolygon)"))
            out.append(None)
            continue
        geometry = shapely.force_2d(geometry)
        if transformer is not None:
            geometry = shapely.transform(geometry, lambda xy, t=transformer: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        bx0, by0, bx1, by1 = geometry.bounds
        if not (minx <= bx0 and bx1 <= maxx and miny <= by0 and by1 <= maxy):
            checked.errors.append(Problem(
                checked.file, where, "geometry", f"{bx0:.4f},{by0:.4f},{bx1:.4f},{by1:.4f}",
                "坐标不在中国范围内：请检查坐标系声明或经纬度顺序",
                "coordinates fall outside China: check the declared CRS or the lon/lat order"))
            out.append(None)
            continue
        repaired = False
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = _polygonal(shapely.make_valid(geometry))
            repaired = True
            if geometry is None:
                checked.errors.append(Problem(checked.file, where, "geometry", reason,
                                              "无效几何且无法修复为面", "invalid geometry that cannot be repaired to a polygon"))
                out.append(None)
                continue
            checked.warnings.append(Problem(checked.file, where, "geometry", reason,
                                            "无效几何已用 make_valid 修复", "invalid geometry repaired with make_valid",
                                            severity="warning"))
        out.append(geometry)
        checked.records[i]["geometry_repaired"] = repaired
    return out


def _polygonal(geometry: BaseGeometry) -> BaseGeometry | None:
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for part in parts for p in shapely.get_parts(part)]
    return shapely.MultiPolygon(polygons) if polygons else None


def _as_multipolygon(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.MultiPolygon([geometry]) if geometry.geom_type == "Polygon" else geometry


def _with_areas(checked: Checked, geometries: list[BaseGeometry | None]) -> None:
    for record, geometry in zip(checked.records, geometries, strict=True):
        if geometry is not None:
            record["geom"] = _as_multipolygon(geometry)
            record["area_m2"] = rules.gk_area_m2(geometry)


def check_zones(source: FeatureSource, policy: Policy) -> Checked:
    checked = Checked("zones", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences))
    rows = _Rows(checked, source.columns, ZONE_FIELDS, _feature)
    for i, record in enumerate(checked.records):
        record.update(zone_code=rows.required_text(i, "zone_code"), name=rows.required_text(i, "name"),
                      zone_class=rows.choice(i, "zone_class", ZONE_CLASSES, required=True),
                      jurisdiction=rows.required_text(i, "jurisdiction"), attributes=rows.extra(i))
        if record["jurisdiction"] and record["jurisdiction"] not in policy.jurisdictions:
            rows.error(i, "jurisdiction", record["jurisdiction"],
                       f"不在政策 {policy.code} 的辖区中：{'、'.join(policy.jurisdictions)}",
                       f"not a jurisdiction of policy {policy.code}: {', '.join(policy.jurisdictions)}")
    _duplicates(checked, "zone_code", _feature)
    _with_areas(checked, _geometries(source, checked))
    return checked


def check_parcels(source: FeatureSource) -> Checked:
    checked = Checked("parcels", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences))
    rows = _Rows(checked, source.columns, PARCEL_FIELDS, _feature)
    for i, record in enumerate(checked.records):
        recorded = rows.amount(i, "recorded_area_m2", "平方米", "m²")
        recorded_mu = rows.amount(i, "recorded_area_mu", "亩", "mu")
        if recorded is None and recorded_mu is not None:
            recorded = rules.m2_from_mu(recorded_mu)
        record.update(
            parcel_code=rows.required_text(i, "parcel_code"), project_code=rows.text(i, "project_code"),
            land_use=rows.text(i, "land_use"),
            recorded_area_m2=recorded.quantize(rules.CENT) if recorded is not None else None,
            supply_date=rows.date(i, "supply_date"), agreed_start_date=rows.date(i, "agreed_start_date"),
            agreed_completion_date=rows.date(i, "agreed_completion_date"), attributes=rows.extra(i),
        )
    _duplicates(checked, "parcel_code", _feature)
    _with_areas(checked, _geometries(source, checked))
    return checked


def check_projects(source: TableSource, usd_rate: Decimal | None, usd_rate_date: dt.date | None) -> Checked:
    checked = Checked("projects", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences))

    def where(i: int) -> str:
        return f"行 row {i + source.first_row}"

    rows = _Rows(checked, source.columns, PROJECT_FIELDS, where)
    for i, record in enumerate(checked.records):
        amount = rows.amount(i, "total_investment", "万元", "10,000 CNY")
        currency = rows.choice(i, "currency", CURRENCIES, default="CNY")
        total_wan, rate, rate_date = amount, None, None
        if currency == "USD" and amount is not None:
            if usd_rate is None or usd_rate_date is None:
                rows.error(i, "currency", "USD", "美元投资需配置汇率及其日期（MUJUN_USD_CNY_RATE、MUJUN_USD_CNY_RATE_DATE）",
                           "a USD investment needs a configured rate and its date "
                           "(MUJUN_USD_CNY_RATE, MUJUN_USD_CNY_RATE_DATE)")
            else:
                total_wan, rate, rate_date = (amount * usd_rate).quantize(rules.CENT), usd_rate, usd_rate_date
        record.update(
            project_code=rows.required_text(i, "project_code"), name=rows.text(i, "name"),
            enterprise=rows.text(i, "enterprise"), industry=rows.text(i, "industry"),
            project_type=rows.choice(i, "project_type", PROJECT_TYPES, required=True),
            total_investment_wan=total_wan.quantize(rules.CENT) if total_wan is not None else None,
            investment_amount=amount, currency=currency or "CNY", exchange_rate=rate, exchange_rate_date=rate_date,
            stage=rows.choice(i, "stage", STAGES), level=rows.text(i, "level"), attributes=rows.extra(i),
            name_initials=initials(rows.text(i, "name")), enterprise_initials=initials(rows.text(i, "enterprise")),
        )
    _duplicates(checked, "project_code", where)
    return checked


def check_constraints(source: FeatureSource) -> Checked:
    """三区三线 constraint areas: `code` 约束编码, `constraint_type` 约束类型 (English or Chinese), a polygon."""
    checked = Checked("constraints", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences))
    rows = _Rows(checked, source.columns, CONSTRAINT_FIELDS, _feature)
    for i, record in enumerate(checked.records):
        record.update(code=rows.required_text(i, "code"),
                      constraint_type=rows.choice(i, "constraint_type", CONSTRAINT_TYPES, required=True),
                      attributes=rows.extra(i))
    _duplicates(checked, "code", _feature)
    _with_areas(checked, _geometries(source, checked))
    return checked
