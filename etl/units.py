"""Units officials write in headers and values: 元/万元/亿元 for money (美元/万美元/亿美元 in US dollars),
平方米/亩/公顷 for land.

Factors are exact fractions (1 亩 from `mujun.rules`, 10000/15 m²): a value is converted with one
multiplication and one division in Decimal, never through a rounded factor.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np

from mujun.rules import M2_PER_MU_DENOMINATOR, M2_PER_MU_NUMERATOR

MONEY_UNITS = {"元": Fraction(1), "万元": Fraction(10_000), "亿元": Fraction(100_000_000),
               "美元": Fraction(1), "万美元": Fraction(10_000), "亿美元": Fraction(100_000_000)}
USD_UNITS = frozenset({"美元", "万美元", "亿美元"})
"""Money units that also say the currency; the others only scale (a project's amounts are kept in 万 of its
currency, the currency from its 币种 column or from these units)."""
AREA_UNITS = {"平方米": Fraction(1), "m2": Fraction(1), "米2": Fraction(1), "亩": Fraction(int(M2_PER_MU_NUMERATOR), int(M2_PER_MU_DENOMINATOR)),
              "公顷": Fraction(10_000), "ha": Fraction(10_000), "hm2": Fraction(10_000)}
UNITS = MONEY_UNITS | AREA_UNITS
_UNIT_NAMES = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_HEADER = re.compile(rf"^(.*?)\s*\(\s*({_UNIT_NAMES})\s*\)\s*$", re.IGNORECASE)
_VALUE = re.compile(rf"^\s*([-+]?[\d.,，]+(?:[eE][-+]?\d+)?)\s*({_UNIT_NAMES})\s*$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Full-width brackets and digits, ㎡ and m² folded to plain ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def same_quantity(unit_a: str, unit_b: str) -> bool:
    return (unit_a in MONEY_UNITS) == (unit_b in MONEY_UNITS)


def split_header_unit(header: str) -> tuple[str, str | None]:
    """`总投资（亿元）` → (`总投资`, `亿元`); a header without a known unit in brackets → (header, None)."""
    match = _HEADER.match(_fold(str(header)))
    if match is None:
        return str(header), None
    return match.group(1), match.group(2).lower()


def convert(number: Decimal, unit: str, into: str) -> Decimal:
    """`number` in `unit` expressed in `into` (same quantity)."""
    ratio = UNITS[unit] / UNITS[into]
    return number * ratio.numerator / ratio.denominator if ratio.denominator != 1 else number * ratio.numerator


def parse_number(value: Any) -> Decimal:
    """A plain number: int, float or text with thousands separators (`12,345.6`); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | np.integer):
        return Decimal(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise ValueError(value)
        return Decimal(repr(float(value)))
    try:
        number = Decimal(_fold(str(value)).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    return number


def written_unit(value: Any, header_unit: str | None) -> str | None:
    """The unit a value is in: its own (`3亿美元`), else its column's header's."""
    match = _VALUE.match(_fold(value)) if isinstance(value, str) else None
    return match.group(2).lower() if match is not None else header_unit


def parse_amount(value: Any, unit: str | None, header_unit: str | None) -> Decimal:
    """A value in the field's stored `unit`: `1.2亿元` → 12000 (万元), `35亩` → m², or a bare number in the header's unit.

    A unit in the value wins over the header's; a unit of the wrong quantity (亩 for money) is a ValueError.
    """
    if isinstance(value, str):
        match = _VALUE.match(_fold(value))
        if match is not None:
            written = match.group(2).lower()
            if unit is None or not same_quantity(written, unit):
                raise ValueError(value)
            return convert(parse_number(match.group(1)), written, unit)
    number = parse_number(value)
    return convert(number, header_unit, unit) if unit is not None and header_unit is not None else number
