"""Check what was read: fields, values, codes, CRS and geometry. Every problem names file, place, field.

Errors stop the load; warnings (e.g. a geometry repaired with make_valid) are recorded and shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import codes as codes_of
from etl.columns import arrow_text
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
from etl.geometry_check import CheckedGeometries, GeometryChecker, feature
from etl.pinyin import initials
from etl.placement import is_none, objects
from etl.project_lists import plan_columns, stage_columns
from etl.read import FeatureSource, TableSource
from etl.units import USD_UNITS, parse_amount, written_unit
from mujun import rules
from mujun.errors import Problem
from mujun.rules import Policy

EXCEL_EPOCH = dt.date(1899, 12, 30)
PARCEL_TEXTS = ("parcel_code", "project_code", "land_use")
CODE_FIELDS = ("parcel_code", "project_code", "zone_code", "code")
EXACT_DIGITS = 15
"""Significant digits a number keeps in Excel (and about as many in a DBF's or GeoPackage's real field): a code
stored as a number of more digits may have lost its last ones."""


@dataclass
class Checked:
    """Records ready to load, with what was noticed on the way.

    Zones, projects and constraints are checked row by row into `records`; parcels, which come by the
    million, into `columns` (one array per field, one value per feature). `geometry` holds the checked
    geometries of a vector file.
    """

    kind: str
    file: str
    records: list[dict[str, Any]]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    inferences: list[str] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, pa.Array] = field(default_factory=dict)
    """Parcels: their text columns (`PARCEL_TEXTS`), as Arrow arrays, for the checks and the COPY that take whole columns."""
    geometry: CheckedGeometries | None = None
    locate: Callable[[int], str] = feature
    """Where row or feature i is, as problems name it."""

    @property
    def count(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else len(self.records)

    def take(self, rows: slice | np.ndarray) -> Checked:
        """The columns and texts of the features `rows` alone, in that order, for writing them (problems and
        geometry stay with the whole)."""
        def pick(values: Any) -> Any:
            if isinstance(rows, slice) or isinstance(values, np.ndarray):
                return values[rows]
            return values.take(pa.array(rows)) if isinstance(values, pa.Array) else [values[i] for i in rows]

        return Checked(self.kind, self.file, [], columns={name: pick(v) for name, v in self.columns.items()},
                       texts={name: pick(v) for name, v in self.texts.items()})


def _text(value: Any) -> str | None:
    """A value as text: a whole number stored as a real one (`320412001.0`, as spreadsheets and DBF give codes) as
    it was typed, `320412001`."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and value.is_integer() and abs(value) < 10 ** EXACT_DIGITS:
        return str(int(value))
    text = str(value).strip()
    return text or None


_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
"""20230501: the date written without separators (GB/T 7408's basic format), as old DBF and database exports keep it."""


def parse_date(value: Any) -> dt.date:
    """Dates in the forms Chinese offices use: 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501, Excel serials;
    a time after the date (`2023-05-01 00:00:00`, as databases export dates) is left out."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        if 1 <= value < 100000:  # a vector file's number column gives numpy scalars, a spreadsheet Python ones
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        if float(value).is_integer():
            value = int(value)  # 20230501 typed as a number
    match = _DATE_PATTERN.match(str(value)) or _COMPACT_DATE.match(str(value))
    if not match:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)


class Rows:
    """Walks the rows of a source, reading fields by their matched column and collecting problems."""

    def __init__(self, checked: Checked, columns: Mapping[str, Any], specs: tuple[FieldSpec, ...],
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
        for name in CODE_FIELDS:
            if name in self.match.fields:
                self._refuse_rounded_codes(name)

    def _refuse_rounded_codes(self, name: str) -> None:
        """An error for each code stored as a real number of more than `EXACT_DIGITS` digits (an 18-digit 宗地编号
        typed into Excel as a number): its last digits may already have changed in the file, and no code is guessed."""
        column = self.match.fields[name][0]
        if arrow_text(self.columns, column) is not None:
            return
        values = self.columns[column]
        if isinstance(values, np.ndarray) and values.dtype.kind in "iub":
            return
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            rounded = np.abs(values) >= 10 ** EXACT_DIGITS
        else:  # a table's cells, or mixed values
            rounded = np.array([isinstance(v, float | np.floating) and abs(v) >= 10 ** EXACT_DIGITS for v in values], dtype=bool)
        for i in np.flatnonzero(rounded):
            self.error(int(i), name, values[i],
                       f"编码存为数字且超过 {EXACT_DIGITS} 位，末几位可能已被改变：请把该列设为文本格式，再重新填写编码",
                       f"a code stored as a number of more than {EXACT_DIGITS} digits, whose last digits may have changed: "
                       "format the column as text and enter the codes again")

    def error(self, i: int, name: str | None, value: Any, zh: str, en: str) -> None:
        where = self.where(i) if i >= 0 else "表头 header"
        self.checked.errors.append(Problem(self.checked.file, where, self._column(name), _show(value), zh, en))

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


def refuse_duplicates(checked: Checked, codes: Sequence[str | None] | np.ndarray | pa.Array, code_field: str,
                where: Callable[[int], str]) -> None:
    """An error for every code seen before in the file, naming where it was first."""
    values = codes_of.texts(codes)
    for row, first in codes_of.repeats(values):
        checked.errors.append(Problem(checked.file, where(row), code_field, str(values[row].as_py()),
                                      f"编码重复（与{where(first)}相同）", f"duplicate code (same as {where(first)})"))


def check_geometries(checked: Checked, source: FeatureSource) -> None:
    """Check every geometry at once; row kinds get theirs (MultiPolygon, Gauss-Krüger area) in their records."""
    with_geometry(checked, geometry_checker(source).all())


def geometry_checker(source: FeatureSource) -> GeometryChecker:
    return GeometryChecker(source.path.name, source.crs, source.made, source.wkb, source.locate, source.rings)


def with_geometry(checked: Checked, found: CheckedGeometries) -> None:
    """Give the checked file its checked geometries, and their problems after its own."""
    checked.errors += found.errors
    checked.warnings += found.warnings
    checked.inferences += found.inferences
    checked.geometry = found
    if not checked.records:
        return
    lonlat = found.lonlat
    for i in np.flatnonzero(found.present):
        checked.records[i].update(geom=lonlat[i], area_m2=Decimal(int(found.area_cents[i])) / 100,
                                  geometry_repaired=bool(found.repaired[i]))


def arrow_texts_of(rows: Rows, name: str, n: int, required: bool = False) -> pa.Array:
    """Field `name` as text (trimmed, blank made NULL) in an Arrow array; by Arrow, not value by value, when it can."""
    if name not in rows.match.fields:
        return pa.nulls(n, pa.large_string())
    column = rows.match.fields[name][0]
    given = arrow_text(rows.columns, column)
    try:
        if given is None:
            given = pa.array(rows.columns[column], type=pa.large_string())
        trimmed = pc.utf8_trim_whitespace(given)
        values = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.large_string()), trimmed)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers, dates: each made text
        values = pa.array([v.strip() or None if isinstance(v, str) else _text(v) for v in rows.columns[column]], type=pa.large_string())
    if required:
        for i in np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False)):
            rows.error(int(i), name, None, "不能为空", "must not be empty")
    return values


def texts_of(rows: Rows, name: str, n: int, required: bool = False) -> np.ndarray:
    return arrow_texts_of(rows, name, n, required).to_numpy(zero_copy_only=False)


def amount_cents(rows: Rows, name: str, n: int, unit_zh: str, unit_en: str) -> tuple[np.ndarray, np.ndarray]:
    """Field `name` of each row in 0.01 of its stored unit, and where one is given; a float column already in that unit is
    taken whole (a million values in arrays), any other value by value (units in the header or the value converted)."""
    cents, given = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if name not in rows.match.fields:
        return cents, given
    column, spec = rows.match.fields[name]
    values = np.asarray(rows.columns[column])
    if values.dtype.kind == "f" and spec.scale == 1:
        finite, negative = np.isfinite(values), values < 0
        for bad in np.flatnonzero(~finite & ~np.isnan(values)):
            rows.error(int(bad), name, values[bad], f"应为数值（{unit_zh}）", f"expected a number ({unit_en})")
        for bad in np.flatnonzero(finite & negative):
            rows.error(int(bad), name, values[bad], f"不能为负数（{unit_zh}）", f"must not be negative ({unit_en})")
        given = finite & ~negative
        cents[given] = rules.recorded_cents(values[given])
    else:
        for i in range(n):
            amount = rows.amount(i, name, unit_zh, unit_en)
            if amount is not None:
                cents[i], given[i] = int(amount.quantize(rules.CENT) * 100), True
    return cents, given


def _recorded_cents(rows: Rows, n: int) -> tuple[np.ndarray, np.ndarray]:
    """出让面积 of each parcel in 0.01 m² and where one is given; a float column of m² is taken whole."""
    cents, given = amount_cents(rows, "recorded_area_m2", n, "平方米", "m²")
    if "recorded_area_mu" in rows.match.fields:
        for i in range(n):
            amount_mu = rows.amount(i, "recorded_area_mu", "亩", "mu")
            if amount_mu is not None and not given[i]:
                cents[i], given[i] = int(rules.m2_from_mu(amount_mu) * 100), True
    return cents, given


def _dates(rows: Rows, name: str, n: int) -> np.ndarray:
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if name not in rows.match.fields:
        return out
    values = np.asarray(rows.columns[rows.match.fields[name][0]])
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    for i in range(n):
        found = rows.date(i, name)
        if found is not None:
            out[i] = np.datetime64(found, "D")
    return out


YES_NO = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False, "true": True, "false": False, "1": True,
          "0": False, "有": True, "无": False}
"""政府原因 as offices write it."""


def _yes_no(rows: Rows, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A 是/否 field of every row (each distinct text looked up once), and where one is given."""
    values, given = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if name not in rows.match.fields:
        return values, given
    texts = arrow_texts_of(rows, name, n)
    distinct = texts.dictionary_encode()
    known = [YES_NO.get(str(v).lower()) for v in distinct.dictionary.to_pylist()]
    present = ~texts.is_null().to_numpy(zero_copy_only=False)
    safe = distinct.indices.fill_null(0).to_numpy(zero_copy_only=False)
    lookup = np.array([k is True for k in known], dtype=bool)
    valid = np.array([k is not None for k in known], dtype=bool)
    if len(known):
        values, given = present & lookup[safe], present & valid[safe]
    for i in np.flatnonzero(present & ~given):
        rows.error(int(i), name, texts[i].as_py(), "应为 是 或 否", "expected 是 (yes) or 否 (no)")
    return values, given


def _land_use_fields(rows: Rows, n: int) -> dict[str, np.ndarray]:
    """What idle land is judged by: 出让价款 (万元), 动工日期, 已开发面积 (m²), 停工日期, 政府原因; a stop before the parcel's
    own start is refused."""
    price, has_price = amount_cents(rows, "land_price", n, "万元", "10,000 CNY")
    developed, has_developed = amount_cents(rows, "developed_area", n, "平方米", "m²")
    start, stopped = _dates(rows, "start_date", n), _dates(rows, "stopped_date", n)
    for i in np.flatnonzero(stopped < start):
        rows.error(int(i), "stopped_date", str(stopped[i]), f"停工日期早于动工日期 {start[i]}", f"before the start date {start[i]}")
    delay, has_delay = _yes_no(rows, "government_delay", n)
    return {"price_cents": price, "has_price": has_price, "start_date": start, "developed_cents": developed,
            "has_developed": has_developed, "stopped_date": stopped, "government_delay": delay, "has_government_delay": has_delay}


def check_zones(source: FeatureSource, policy: Policy) -> Checked:
    checked = Checked("zones", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences), locate=source.locate)
    rows = Rows(checked, source.columns, ZONE_FIELDS, checked.locate)
    for i, record in enumerate(checked.records):
        record.update(zone_code=rows.required_text(i, "zone_code"), name=rows.required_text(i, "name"),
                      zone_class=rows.choice(i, "zone_class", ZONE_CLASSES, required=True),
                      jurisdiction=rows.required_text(i, "jurisdiction"), attributes=rows.extra(i))
        if record["jurisdiction"] and record["jurisdiction"] not in policy.jurisdictions:
            rows.error(i, "jurisdiction", record["jurisdiction"],
                       f"不在政策 {policy.code} 的辖区中：{'、'.join(policy.jurisdictions)}",
                       f"not a jurisdiction of policy {policy.code}: {', '.join(policy.jurisdictions)}")
    refuse_duplicates(checked, [r["zone_code"] for r in checked.records], "zone_code", checked.locate)
    check_geometries(checked, source)
    return checked


def check_parcels(source: FeatureSource) -> Checked:
    """Parcels column by column: a million features are checked in arrays, problems made only where found."""
    checker = geometry_checker(source)
    # The geometries on a thread: shapely and pyproj release the GIL, so they run beside the field checks.
    with ThreadPoolExecutor(1) as pool:
        geometries = pool.submit(checker.all)
        checked = parcel_fields(source)
        with_geometry(checked, geometries.result())
    return checked


def parcel_fields(source: FeatureSource) -> Checked:
    """The parcels' fields checked (their geometries are left to a `geometry_checker`)."""
    checked = Checked("parcels", source.path.name, [], warnings=list(source.warnings), inferences=list(source.inferences),
                      locate=source.locate)
    n = len(source)
    rows = Rows(checked, source.columns, PARCEL_FIELDS, checked.locate)
    checked.texts = {name: arrow_texts_of(rows, name, n, required=name == "parcel_code") for name in PARCEL_TEXTS}
    recorded, has_recorded = _recorded_cents(rows, n)
    checked.columns = {  # the texts stay Arrow arrays (`texts`): a million Python strings each would be made for nothing
        "recorded_cents": recorded, "has_recorded": has_recorded,
        **{name: _dates(rows, name, n) for name in ("supply_date", "agreed_start_date", "agreed_completion_date")},
        **_land_use_fields(rows, n),
        "attributes": [rows.extra(i) for i in range(n)] if rows.match.extra else [None] * n,
    }
    refuse_duplicates(checked, checked.texts["parcel_code"], "parcel_code", checked.locate)
    return checked


def choices_of(rows: Rows, name: str, n: int, allowed: dict[str, str], default: str | None = None,
             required: bool = False) -> np.ndarray:
    """`Rows.choice` of every row at once."""
    if name not in rows.match.fields:
        return objects([default] * n)
    texts = texts_of(rows, name, n)
    chosen = objects([default if v is None else allowed.get(v) or allowed.get(v.lower()) for v in texts])
    options = "、".join(sorted(set(allowed)))
    for i in np.flatnonzero(is_none(chosen)):
        if texts[i] is not None:
            rows.error(int(i), name, texts[i], f"应为以下之一：{options}", f"expected one of: {options}")
        elif required:
            rows.error(int(i), name, None, "不能为空", "must not be empty")
    return chosen


def _currencies(rows: Rows, n: int) -> np.ndarray:
    """Each project's currency: its 币种, else USD where the amount or its header is in 美元/万美元/亿美元, else CNY.
    An amount in US dollars under 币种 人民币 is an error: which of the two is meant cannot be known."""
    given = choices_of(rows, "currency", n, CURRENCIES)
    out = objects([c or "CNY" for c in given])
    if "total_investment" not in rows.match.fields:
        return out
    column, spec = rows.match.fields["total_investment"]
    values = rows.columns[column]
    # Only a header in US dollars, or a value that names them, can say USD: a million rows are not each parsed again.
    candidates = range(n) if spec.header_unit in USD_UNITS else [i for i, v in enumerate(values) if isinstance(v, str) and "美元" in v]
    for i in candidates:
        value = rows.raw(i, "total_investment")
        if value is None or written_unit(value, spec.header_unit) not in USD_UNITS:
            continue
        if given[i] == "CNY":
            rows.error(i, "total_investment", value, "金额以美元计，但币种为人民币：请改正其一",
                       "the amount is in US dollars but the currency (币种) says CNY: correct one of them")
        out[i] = given[i] or "USD"
    return out


def _initials(values: np.ndarray) -> list[str | None]:
    """Pinyin initials of each value, each distinct value worked out once (a firm has many projects)."""
    found: dict[str | None, str | None] = {}
    return [found[v] if v in found else found.setdefault(v, initials(v)) for v in values]


def check_projects(source: TableSource, usd_rate: Decimal | None, usd_rate_date: dt.date | None, policy: Policy,
                   today: dt.date) -> Checked:
    """Projects column by column, as parcels: a million rows are a load officials make. `today`: the load's day, on
    which a given 项目阶段 must agree with the dates (`etl.project_lists`)."""
    checked = Checked("projects", source.path.name, [], warnings=list(source.warnings), inferences=list(source.inferences),
                      locate=source.row)
    n = len(source)
    rows = Rows(checked, source.columns, PROJECT_FIELDS, checked.locate)
    amounts = [rows.amount(i, "total_investment", "万元", "10,000 CNY") for i in range(n)] if "total_investment" in rows.match.fields \
        else [None] * n
    currencies = _currencies(rows, n)
    in_usd = [i for i in np.flatnonzero(np.equal(currencies, "USD")) if amounts[i] is not None]
    if in_usd and (usd_rate is None or usd_rate_date is None):
        for i in in_usd:
            rows.error(int(i), "currency", "USD", "美元投资需配置汇率及其日期（MUJUN_USD_CNY_RATE、MUJUN_USD_CNY_RATE_DATE）",
                       "a USD investment needs a configured rate and its date (MUJUN_USD_CNY_RATE, MUJUN_USD_CNY_RATE_DATE)")
        in_usd = []
    totals: list[Decimal | None] = [a.quantize(rules.CENT) if a is not None else None for a in amounts]
    rates: list[Decimal | None] = [None] * n
    rate_dates: list[dt.date | None] = [None] * n
    for i in in_usd:
        amount = amounts[i]
        assert amount is not None and usd_rate is not None
        totals[i], rates[i], rate_dates[i] = (amount * usd_rate).quantize(rules.CENT), usd_rate, usd_rate_date
    codes = texts_of(rows, "project_code", n, required=True)
    names, enterprises = texts_of(rows, "name", n), texts_of(rows, "enterprise", n)
    given_stages = choices_of(rows, "stage", n, STAGES)
    checked.columns = {
        "project_code": codes, "name": names, "enterprise": enterprises, "industry": texts_of(rows, "industry", n),
        "project_type": choices_of(rows, "project_type", n, PROJECT_TYPES, required=True),
        "total_investment_wan": totals, "investment_amount": amounts, "currency": currencies,
        "exchange_rate": rates, "exchange_rate_date": rate_dates,
        "level": texts_of(rows, "level", n), "attributes": [rows.extra(i) for i in range(n)] if rows.match.extra else [None] * n,
        "name_initials": _initials(names), "enterprise_initials": _initials(enterprises),
        **plan_columns(rows, n, policy, choices_of), **stage_columns(checked, rows, n, given_stages, today),
    }
    refuse_duplicates(checked, codes, "project_code", checked.locate)
    return checked


def check_constraints(source: FeatureSource) -> Checked:
    """三区三线 constraint areas: `code` 约束编码, `constraint_type` 约束类型 (English or Chinese), a polygon."""
    checked = Checked("constraints", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences), locate=source.locate)
    rows = Rows(checked, source.columns, CONSTRAINT_FIELDS, checked.locate)
    for i, record in enumerate(checked.records):
        record.update(code=rows.required_text(i, "code"),
                      constraint_type=rows.choice(i, "constraint_type", CONSTRAINT_TYPES, required=True),
                      attributes=rows.extra(i))
    refuse_duplicates(checked, [r["code"] for r in checked.records], "code", checked.locate)
    check_geometries(checked, source)
    return checked
