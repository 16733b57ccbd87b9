"""亩均效益评价: the per-mu evaluation of firms, graded A/B/C/D within their county (DOMAIN.md, `000_*`).

Changzhou's "6+x" indicators (常政发〔2018〕2号) for each firm and year: 亩均税收, 亩均销售收入, 单位能耗税收, 单位排放税收,
全员劳动生产率 (增加值 ÷ 职工) and 研发经费占销售收入比重. Per county (所属地区) and year:
- a firm in production for less than the whole year (投产日期 after 1 January) is `T`: not graded, outside the
  benchmarks and the ranks; one without a 投产日期 is taken as in production all year;
- each indicator's benchmark is the county's aggregate over the graded firms whose indicator can be worked out
  (Σ numerator ÷ Σ denominator);
- indicators and benchmarks are rounded to the precision officials see (0.01, shares 0.0001) and a firm's term is
  weight × value ÷ benchmark, capped at `cap` × weight; its score is the sum of its terms, rounded half up to 0.01;
- an indicator that cannot be worked out (its numerator missing, its denominator missing or zero, or no benchmark)
  scores 0 and says so in the firm's notes;
- firms are ranked by score, highest first, equal scores sharing a rank (1, 1, 3); each takes the first class whose
  cut-off its rank ÷ number graded does not pass (A ≤ 20%, B ≤ 60%, C ≤ 95%, D the rest).
Weights, cap and cut-offs are policy data (`evaluation:` in `mujun/policies/*.yaml`). Quantities come as integers in
ten-thousandths of their unit; every comparison and the score are exact (rational) before their one rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

SCALE = 10_000
"""Quantities are integers in 1/10 000 of their unit (万元, 亩, 吨标准煤, 吨, 人)."""
QUANTITIES = ("land_mu", "tax_wan", "sales_wan", "value_added_wan", "energy_tce", "emissions_t", "employees", "rnd_wan")
T_CLASS = "T"


@dataclass(frozen=True)
class Indicator:
    name: str
    zh: str
    en: str
    numerator: str
    denominator: str
    unit: str
    decimals: int
    """Shown (and scored) to this many decimals: 2, or 4 for a share (0.01%)."""


INDICATORS = (
    Indicator("tax_per_mu", "亩均税收", "tax per mu", "tax_wan", "land_mu", "万元/亩", 2),
    Indicator("sales_per_mu", "亩均销售收入", "sales per mu", "sales_wan", "land_mu", "万元/亩", 2),
    Indicator("tax_per_energy", "单位能耗税收", "tax per tonne of coal equivalent", "tax_wan", "energy_tce", "万元/吨标准煤", 2),
    Indicator("tax_per_emission", "单位排放税收", "tax per tonne of main pollutants", "tax_wan", "emissions_t", "万元/吨", 2),
    Indicator("labour_productivity", "全员劳动生产率", "value added per employee", "value_added_wan", "employees", "万元/人", 2),
    Indicator("rnd_share", "研发经费占销售收入比重", "R&D spending as a share of sales", "rnd_wan", "sales_wan", "比率", 4),
)
INDICATOR_NAMES = tuple(indicator.name for indicator in INDICATORS)
QUANTITY_LABELS = {"land_mu": ("用地面积", "land area"), "tax_wan": ("税收", "tax"), "sales_wan": ("销售收入", "sales"),
                   "value_added_wan": ("工业增加值", "value added"), "energy_tce": ("综合能耗", "energy use"),
                   "emissions_t": ("主要污染物排放量", "emissions"), "employees": ("年平均职工人数", "employees"),
                   "rnd_wan": ("研发经费", "R&D spending")}


# ---- policy -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassCut:
    name: str
    up_to: Fraction
    """The class holds the firms whose rank ÷ number graded is at most this."""


@dataclass(frozen=True)
class EvaluationPolicy:
    """The evaluation parameters of a city's policy (`mujun/policies/*.yaml`, section `evaluation`)."""

    weights: Mapping[str, Fraction]
    cap: Fraction
    """A term is at most this many times its weight."""
    classes: tuple[ClassCut, ...]
    """In order; the last one's cut-off is 1 (the rest)."""
    source: str = ""
    unverified: tuple[str, ...] = ()
    """Parameters taken from a draft or a secondary source (e.g. `weights`), said wherever they are shown."""


# ---- the rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Firms:
    """One row per firm for one year, as columns; each quantity an int64 column in 1/SCALE with its `has_` mask."""

    enterprise: np.ndarray
    credit_code: np.ndarray
    jurisdiction: np.ndarray
    year: int
    quantities: Mapping[str, np.ndarray]
    present: Mapping[str, np.ndarray]
    production_date: np.ndarray
    """datetime64[D], NaT where not given."""
    land_derived: np.ndarray
    """The land area is that of the parcels of the firm's projects (no 用地面积 given)."""

    def __len__(self) -> int:
        return len(self.enterprise)


FIRM_COLUMNS = ("enterprise", "credit_code", "jurisdiction", "production_date", "land_derived", *QUANTITIES)
"""A row of `firms_of`: the quantities as integers in 1/SCALE of their units (None: not given), 投产日期 a `date` or None."""


def firms_of(rows: Sequence[Sequence[Any]], year: int) -> Firms:
    """A year's firms as columns, from rows laid out as `FIRM_COLUMNS`."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(FIRM_COLUMNS)
    named = dict(zip(FIRM_COLUMNS, columns, strict=True))
    quantities, present = {}, {}
    for name in QUANTITIES:
        values = named[name]
        quantities[name] = np.array([0 if v is None else v for v in values], dtype=np.int64)
        present[name] = np.array([v is not None for v in values], dtype=bool)
    return Firms(
        enterprise=np.array(named["enterprise"], dtype=object), credit_code=np.array(named["credit_code"], dtype=object),
        jurisdiction=np.array(named["jurisdiction"], dtype=object), year=year, quantities=quantities, present=present,
        production_date=np.array(named["production_date"], dtype="datetime64[D]") if rows else np.zeros(0, dtype="datetime64[D]"),
        land_derived=np.array([bool(v) for v in named["land_derived"]], dtype=bool),
    )


# ---- arithmetic ---------------------------------------------------------------------------------

def half_up(numerator: Any, denominator: Any) -> Any:
    """numerator ÷ denominator rounded half up to an integer (both ≥ 0, denominator > 0); works on arrays."""
    return (2 * numerator + denominator) // (2 * denominator)


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest; equal scores share a rank and the next rank skips (1, 1, 3)."""
    ordered = np.sort(scores)
    return len(scores) - np.searchsorted(ordered, scores, side="right") + 1


def classes_of(ranks: np.ndarray, graded: int, cuts: Sequence[ClassCut]) -> np.ndarray:
    """Each rank's class: the first whose cut-off rank ÷ graded does not pass (compared exactly)."""
    chosen = np.full(len(ranks), cuts[-1].name, dtype=object)
    for cut in reversed(cuts[:-1]):
        chosen[ranks * cut.up_to.denominator <= cut.up_to.numerator * graded] = cut.name
    return chosen


# ---- the evaluation -----------------------------------------------------------------------------

@dataclass
class County:
    """One county's graded firms, benchmarks and the scores' exact common denominator."""

    jurisdiction: str
    graded: int
    benchmarks: dict[str, int | None]
    """Each indicator's benchmark in units of its precision (None: no graded firm has it)."""


@dataclass
class Evaluation:
    year: int
    counties: list[County]
    firms: list[dict[str, Any]] = field(default_factory=list)

    def benchmarks_json(self) -> dict[str, dict[str, Decimal | None]]:
        return {county.jurisdiction: {name: _shown(value, _indicator(name).decimals) for name, value in county.benchmarks.items()}
                for county in self.counties}

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "benchmarks": self.benchmarks_json(),
                "graded": {county.jurisdiction: county.graded for county in self.counties}, "firms": self.firms}


def _indicator(name: str) -> Indicator:
    return next(indicator for indicator in INDICATORS if indicator.name == name)


def _shown(value: int | None, decimals: int) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-decimals)


def _note(code: str, indicator: Indicator | None, zh: str, en: str) -> dict[str, Any]:
    return {"code": code, "indicator": None if indicator is None else indicator.name, "zh": zh, "en": en}


def _values(firms: Firms, indicator: Indicator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each firm's indicator in units of its precision (half up), whether it can be worked out, and why not (0: it can;
    1: numerator missing; 2: denominator missing; 3: denominator zero)."""
    numerator, denominator = firms.quantities[indicator.numerator], firms.quantities[indicator.denominator]
    has_numerator, has_denominator = firms.present[indicator.numerator], firms.present[indicator.denominator]
    why = np.select([~has_numerator, ~has_denominator, denominator <= 0], [1, 2, 3], 0)
    ok = why == 0
    safe = np.where(ok, denominator, 1)
    return np.where(ok, half_up(numerator * 10**indicator.decimals, safe), 0), ok, why


def _in_full_year(firms: Firms) -> np.ndarray:
    """In production for the whole year: from 1 January or before (no 投产日期: taken as so)."""
    return ~(firms.production_date > np.datetime64(dt.date(firms.year, 1, 1), "D"))


def _scores(values: Sequence[np.ndarray], ok: Sequence[np.ndarray], benchmarks: Sequence[int | None], weights: Sequence[Fraction],
            cap: Fraction) -> tuple[np.ndarray, list[np.ndarray]]:
    """The score of each firm and each of its terms, in hundredths, rounded half up once, from the exact terms.

    A term × 100 is weight × value × 100 ÷ benchmark, capped at cap × weight × 100: with the weight n/d and the cap
    p/q, (n·q·100·value) ÷ (d·q·benchmark), at most (p·n·100·benchmark) ÷ (d·q·benchmark), integers held exactly in
    int64. The score × 100 is the sum of the terms' whole parts and of their remainders over their own denominators;
    that sum of fractions is added in floating point and, only where it falls within 10⁻⁹ of a rounding tie, again
    exactly."""
    n = len(values[0]) if values else 0
    whole = np.zeros(n, dtype=np.int64)
    fraction = np.zeros(n)
    parts: list[tuple[np.ndarray, int]] = []
    shown = []
    for value, can, benchmark, weight in zip(values, ok, benchmarks, weights, strict=True):
        if not benchmark:
            shown.append(np.zeros(n, dtype=np.int64))
            continue
        scale = weight.numerator * cap.denominator * 100
        if n and int(value.max()) * scale >= 2**62 // 2:
            raise OverflowError("an indicator value too large to score exactly")
        denominator = weight.denominator * cap.denominator * benchmark
        term = np.where(can, np.minimum(value * scale, cap.numerator * weight.numerator * 100 * benchmark), 0)
        whole += term // denominator
        remainder = term % denominator
        fraction += remainder / denominator
        parts.append((remainder, denominator))
        shown.append(half_up(term, denominator))
    above = fraction + 0.5
    score = whole + np.floor(above).astype(np.int64)
    for i in np.flatnonzero(np.abs(above - np.round(above)) < 1e-9):
        exact = sum((Fraction(int(remainder[i]), d) for remainder, d in parts), Fraction(1, 2))
        score[i] = whole[i] + math.floor(exact)
    return score, shown


def evaluate(firms: Firms, policy: EvaluationPolicy) -> Evaluation:
    """Every firm of the year scored, ranked and classed within its county."""
    graded = _in_full_year(firms)
    values = {indicator.name: _values(firms, indicator) for indicator in INDICATORS}
    score_hundredths = np.zeros(len(firms), dtype=np.int64)
    terms_hundredths = {name: np.zeros(len(firms), dtype=np.int64) for name in INDICATOR_NAMES}
    ranks = np.zeros(len(firms), dtype=np.int64)
    classes = np.full(len(firms), T_CLASS, dtype=object)
    counties = []
    for jurisdiction in sorted({j for j in firms.jurisdiction if j is not None}):
        members = np.flatnonzero((firms.jurisdiction == jurisdiction) & graded)
        benchmarks: dict[str, int | None] = {}
        for indicator in INDICATORS:
            used = members[values[indicator.name][1][members]]
            total_n = int(firms.quantities[indicator.numerator][used].sum())
            total_d = int(firms.quantities[indicator.denominator][used].sum())
            benchmarks[indicator.name] = half_up(total_n * 10**indicator.decimals, total_d) if total_d > 0 else None
        score, shown = _scores([values[name][0][members] for name in INDICATOR_NAMES], [values[name][1][members] for name in INDICATOR_NAMES],
                               [benchmarks[name] for name in INDICATOR_NAMES], [policy.weights[name] for name in INDICATOR_NAMES], policy.cap)
        score_hundredths[members] = score
        for name, column in zip(INDICATOR_NAMES, shown, strict=True):
            terms_hundredths[name][members] = column
        if len(members):
            ranks[members] = competition_ranks(score)
            classes[members] = classes_of(ranks[members], len(members), policy.classes)
        counties.append(County(jurisdiction, len(members), benchmarks))
    firms_json = _firm_rows(firms, graded, values, counties, score_hundredths, terms_hundredths, ranks, classes)
    return Evaluation(firms.year, counties, firms_json)


def _column(values: np.ndarray, shown: np.ndarray, decimals: int) -> list[float | None]:
    """Integers in units of 10^-decimals as the numbers they stand for (None where not `shown`): a float prints as the
    shortest decimal that reads back to it, so 12 345 hundredths is written 123.45."""
    scaled = (values / 10**decimals).tolist()
    return [v if keep else None for v, keep in zip(scaled, shown.tolist(), strict=True)]


def _firm_rows(firms: Firms, graded: np.ndarray, values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], counties: list[County],
               score: np.ndarray, terms: dict[str, np.ndarray], ranks: np.ndarray, classes: np.ndarray) -> list[dict[str, Any]]:
    """One row per firm, by county, graded firms by rank then T, each with its indicators, terms, score, rank, class and notes."""
    benchmarks = {county.jurisdiction: county.benchmarks for county in counties}
    order = np.lexsort((firms.enterprise.astype(str), np.where(graded, ranks, np.iinfo(np.int64).max),
                        np.array([j or "" for j in firms.jurisdiction], dtype=object).astype(str)))
    scored = graded[order]
    indicators = [dict(zip(INDICATOR_NAMES, row, strict=True)) for row in zip(
        *(_column(values[i.name][0][order], values[i.name][1][order], i.decimals) for i in INDICATORS), strict=True)]
    term_rows = [dict(zip(INDICATOR_NAMES, row, strict=True)) if keep else None for row, keep in zip(
        zip(*(_column(terms[name][order], scored, 2) for name in INDICATOR_NAMES), strict=True), scored.tolist(), strict=True)]
    troubled = ~graded | firms.land_derived | np.logical_or.reduce([values[name][2] > 0 for name in INDICATOR_NAMES])
    for county, marks in benchmarks.items():
        if not all(marks.values()):
            troubled |= (firms.jurisdiction == county) & graded
    notes = [_notes(firms, i, bool(graded[i]), values, benchmarks.get(firms.jurisdiction[i], {})) if trouble else []
             for i, trouble in zip(order.tolist(), troubled[order].tolist(), strict=True)]
    columns = (firms.enterprise[order].tolist(), firms.credit_code[order].tolist(), firms.jurisdiction[order].tolist(), indicators,
               term_rows, _column(score[order], scored, 2), np.where(scored, ranks[order], -1).tolist(), classes[order].tolist(), notes)
    return [{"enterprise": enterprise, "credit_code": credit, "jurisdiction": county, "indicators": shown, "terms": term,
             "score": total, "rank": rank if rank > 0 else None, "class": grade, "notes": note}
            for enterprise, credit, county, shown, term, total, rank, grade, note in zip(*columns, strict=True)]


def _notes(firms: Firms, i: int, graded: bool, values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
           benchmarks: Mapping[str, int | None]) -> list[dict[str, Any]]:
    notes = []
    if not graded:
        day = firms.production_date[i].astype("datetime64[D]").item()
        notes.append(_note("in_production_part_year", None, f"{day} 投产，不足全年：T 类，不参加评价排序",
                           f"in production from {day}, less than the whole year: class T, not graded"))
    if firms.land_derived[i]:
        notes.append(_note("land_from_parcels", None, "未填用地面积：取该企业（按企业名称匹配）项目宗地面积之和",
                           "no land area given: that of the parcels of the firm's projects (matched by enterprise name)"))
    for indicator in INDICATORS:
        why = int(values[indicator.name][2][i])
        numerator_zh, numerator_en = QUANTITY_LABELS[indicator.numerator]
        denominator_zh, denominator_en = QUANTITY_LABELS[indicator.denominator]
        if why == 1:
            notes.append(_note("missing_numerator", indicator, f"{indicator.zh}：缺{numerator_zh}，该项计 0 分",
                               f"{indicator.en}: no {numerator_en}, the term scores 0"))
        elif why == 2:
            notes.append(_note("missing_denominator", indicator, f"{indicator.zh}：缺{denominator_zh}，该项计 0 分",
                               f"{indicator.en}: no {denominator_en}, the term scores 0"))
        elif why == 3:
            notes.append(_note("zero_denominator", indicator, f"{indicator.zh}：{denominator_zh}为 0，该项计 0 分",
                               f"{indicator.en}: {denominator_en} is zero, the term scores 0"))
        elif graded and not benchmarks.get(indicator.name):
            notes.append(_note("no_benchmark", indicator, f"{indicator.zh}：本县（区）基准值为 0 或无法计算，该项计 0 分",
                               f"{indicator.en}: the county's benchmark is zero or cannot be worked out, the term scores 0"))
    return notes
