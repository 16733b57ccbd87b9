"""Land not used as agreed, as of a date D: idle land under 国土资源部令第53号 (2012), land supplied and not used
(供而未用), and land approved and not supplied (批而未供).

DOMAIN.md and `sources/003_*`. 《闲置土地处置办法》:
- Art. 2: construction not started a full year after the agreed start (约定开工日期) is idle (`idle_1y`); land started
  but with under 1/3 of its area developed, or under 25% of its total investment spent, and stopped (停工) for a full
  year "也可以认定为闲置土地": listed apart (`stalled`), counted as idle only where the policy's switch says so.
- Art. 14: idle for a full year, 土地闲置费 of 20% of the land price (出让价款); two full years (`idle_2y`): the land may be
  taken back without compensation (`reclaimable`).
- Art. 8: a delay caused by government is handled by negotiation, not a fee: listed apart (`government_delay`).
All the numbers are policy data (`idle_land:` in `mujun/policies/*.yaml`).

"A full year after a date" is reached on its anniversary: the same month and day, or the month's last day where the
month has no such day (29 February → 28 February), as 民法典 Art. 202 counts periods in years. A parcel's start is its
own 动工日期, else its project's 实际开工日期. The query gathers one row per parcel that could be listed (`Bounds`);
this module decides every category from the rows. Money is integer 0.01 万元, areas integer 0.01 m², until shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from mujun.rules import M2_PER_MU_DENOMINATOR, M2_PER_MU_NUMERATOR

CATEGORIES = ("idle_2y", "idle_1y", "stalled", "government_delay")
"""The idle-land list's categories, worst first."""
IDLE_2Y, IDLE_1Y, STALLED, GOVERNMENT_DELAY = CATEGORIES
NOT_IDLE = "none"
CATEGORY_LABELS = {
    IDLE_2Y: ("闲置满两年（可无偿收回）", "idle two full years (may be taken back without compensation)"),
    IDLE_1Y: ("闲置满一年（征缴土地闲置费）", "idle a full year (idle-land fee)"),
    STALLED: ("已动工但开发不足、停工满一年", "started, under-developed and stopped a full year"),
    GOVERNMENT_DELAY: ("政府原因造成的迟延（协商处置，不收闲置费）", "delay caused by government (negotiated, no fee)"),
}


# ---- policy -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IdleLandPolicy:
    """The idle-land parameters of a city's policy (`mujun/policies/*.yaml`, section `idle_land`)."""

    idle_after_years: int
    """Art. 2: not started this many full years after the agreed start: idle."""
    reclaimable_after_years: int
    """Art. 14: idle this many full years: may be taken back without compensation."""
    idle_fee_share: Fraction
    """Art. 14: 土地闲置费 as a share of the land price."""
    stalled_counts_as_idle: bool
    """Art. 2 ¶2 ("也可以认定"): whether started, under-developed, stopped land is counted (and charged) as idle."""
    developed_share_below: Fraction
    """Art. 2 ¶2: under this share of the area developed …"""
    investment_share_below: Fraction
    """… or under this share of the total investment spent …"""
    stopped_years: int
    """… and stopped this many full years."""
    source: str = ""


# ---- dates --------------------------------------------------------------------------------------

def anniversaries(days: np.ndarray, years: int) -> np.ndarray:
    """Each date `years` years on: the same month and day, or that month's last day where it has no such day
    (29 February → 28 February); NaT stays NaT."""
    days = np.asarray(days, dtype="datetime64[D]")
    present = ~np.isnat(days)
    safe = np.where(present, days, np.datetime64("2000-01-01", "D"))
    month = safe.astype("datetime64[M]")
    month_of_year = month - safe.astype("datetime64[Y]").astype("datetime64[M]")
    day_of_month = (safe - month.astype("datetime64[D]")).astype(np.int64)
    target = (safe.astype("datetime64[Y]") + years).astype("datetime64[M]") + month_of_year
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    shifted = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    return np.where(present, shifted, np.datetime64("NaT", "D"))


def anniversary(day: dt.date, years: int) -> dt.date:
    """`anniversaries` of one date."""
    return _date(anniversaries(np.array([day], dtype="datetime64[D]"), years)[0])


def _date(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").item()


def _optional_date(value: np.datetime64) -> dt.date | None:
    return None if np.isnat(value) else _date(value)


@dataclass(frozen=True)
class Bounds:
    """Which stored parcels could be listed on D, as plain dates the query compares with (every category is then
    decided here): agreed to start by `agreed_by` (their first anniversary has come), or stopped by `stopped_by`; and
    the last month whose monthly report counts towards the investment spent by D (`reports_through`, its first day)."""

    as_of: dt.date
    agreed_by: dt.date
    stopped_by: dt.date
    reports_through: dt.date


def reports_through(as_of: dt.date) -> dt.date:
    """The first day of the latest month that has ended by `as_of`: a month's report gives 本年累计 at its end."""
    following = as_of + dt.timedelta(days=1)
    month = dt.date(following.year, following.month, 1)
    return (month - dt.timedelta(days=1)).replace(day=1)


def bounds(as_of: dt.date, policy: IdleLandPolicy) -> Bounds:
    """The latest agreed start, and the latest stop, whose anniversary of the policy's years has come by `as_of`."""
    def latest(years: int) -> dt.date:
        day = dt.date(as_of.year - years, as_of.month, min(as_of.day, 28))
        while anniversary(day + dt.timedelta(days=1), years) <= as_of:
            day += dt.timedelta(days=1)
        return day

    return Bounds(as_of, latest(policy.idle_after_years), latest(policy.stopped_years), reports_through(as_of))


# ---- the rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LandParcels:
    """One row per parcel, as columns. Dates are datetime64[D] (NaT: none); money 0.01 万元, areas 0.01 m²."""

    code: np.ndarray
    project_code: np.ndarray
    supply_date: np.ndarray
    agreed_start_date: np.ndarray
    own_start_date: np.ndarray
    """The parcel's own 动工日期."""
    project_start_date: np.ndarray
    """Its project's 实际开工日期 (used where the parcel has none of its own)."""
    stopped_date: np.ndarray
    government_delay: np.ndarray
    price_cents: np.ndarray
    has_price: np.ndarray
    area_cents: np.ndarray
    """The official area (出让面积 where recorded, else the geometry's Gauss-Krüger area)."""
    developed_cents: np.ndarray
    has_developed: np.ndarray
    spent_cents: np.ndarray
    """The project's investment completed to D (see `layers.land`); `has_spent` false where it has no report."""
    has_spent: np.ndarray
    total_cents: np.ndarray
    has_total: np.ndarray

    def __len__(self) -> int:
        return len(self.code)


def _dates(values: Sequence[dt.date | str | None]) -> np.ndarray:
    """Dates (or ISO text) as datetime64[D], None as NaT."""
    return np.array(values, dtype="datetime64[D]") if len(values) else np.zeros(0, dtype="datetime64[D]")


def _cents(values: Sequence[int | None]) -> tuple[np.ndarray, np.ndarray]:
    """Integers of 0.01 万元 or 0.01 m² (None: not given) as a column and where given; whole in float64 up to 2⁵³."""
    floats = np.array(values, dtype=float) if len(values) else np.zeros(0)
    given = ~np.isnan(floats)
    return np.where(given, floats, 0).astype(np.int64), given


LAND_COLUMNS = ("parcel_code", "project_code", "supply_date", "agreed_start_date", "start_date", "project_start_date",
                "stopped_date", "government_delay", "land_price_cents", "official_area_cents", "developed_area_cents",
                "total_investment_cents", "spent_cents")
"""What `land_columns` takes, one sequence each: dates as `date` or ISO text, money in 0.01 万元 and areas in 0.01 m² as
integers (None: not given)."""


def land_columns(columns: Mapping[str, Sequence[Any]]) -> LandParcels:
    """The parcels' columns from plain sequences (as a query's rows give them, transposed)."""
    price, has_price = _cents(columns["land_price_cents"])
    area, _ = _cents(columns["official_area_cents"])
    developed, has_developed = _cents(columns["developed_area_cents"])
    spent, has_spent = _cents(columns["spent_cents"])
    total, has_total = _cents(columns["total_investment_cents"])
    return LandParcels(
        code=np.array(columns["parcel_code"], dtype=object), project_code=np.array(columns["project_code"], dtype=object),
        supply_date=_dates(columns["supply_date"]), agreed_start_date=_dates(columns["agreed_start_date"]),
        own_start_date=_dates(columns["start_date"]), project_start_date=_dates(columns["project_start_date"]),
        stopped_date=_dates(columns["stopped_date"]),
        government_delay=np.array([bool(v) for v in columns["government_delay"]], dtype=bool),
        price_cents=price, has_price=has_price, area_cents=area, developed_cents=developed, has_developed=has_developed,
        spent_cents=spent, has_spent=has_spent, total_cents=total, has_total=has_total,
    )


# ---- the decision -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decided:
    """What each parcel is on D, as columns."""

    as_of: dt.date
    start: np.ndarray
    """The start used: the parcel's own 动工日期, else its project's 实际开工日期 (NaT: none)."""
    start_is_own: np.ndarray
    started: np.ndarray
    supplied: np.ndarray
    idle_on: np.ndarray
    """The agreed start's first anniversary of the policy (NaT without an agreed start)."""
    reclaimable_on: np.ndarray
    stopped_a_year_on: np.ndarray
    developed_low: np.ndarray
    investment_low: np.ndarray
    stalled_unknown: np.ndarray
    """Started and stopped long enough, but neither the developed area nor the investment spent is known."""
    category: np.ndarray
    """Place in `CATEGORIES`, −1: not listed."""
    fee_cents: np.ndarray
    has_fee: np.ndarray
    overdue_days: np.ndarray
    has_agreed: np.ndarray


def _below(part: np.ndarray, whole: np.ndarray, share: Fraction) -> np.ndarray:
    """part ÷ whole < share, exactly (whole > 0)."""
    return part * share.denominator < whole * share.numerator


def decide(parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> Decided:
    day = np.datetime64(as_of, "D")
    own = ~np.isnat(parcels.own_start_date)
    start = np.where(own, parcels.own_start_date, parcels.project_start_date)
    started = start <= day  # NaT compares False
    has_agreed = ~np.isnat(parcels.agreed_start_date)
    idle_on = anniversaries(parcels.agreed_start_date, policy.idle_after_years)
    reclaimable_on = anniversaries(parcels.agreed_start_date, policy.reclaimable_after_years)
    unstarted_idle = has_agreed & ~started & (idle_on <= day)
    stopped_on = anniversaries(parcels.stopped_date, policy.stopped_years)
    stopped_long = started & (stopped_on <= day)
    measured_area = parcels.has_developed & (parcels.area_cents > 0)
    developed_low = measured_area & _below(parcels.developed_cents, parcels.area_cents, policy.developed_share_below)
    measured_money = parcels.has_spent & parcels.has_total & (parcels.total_cents > 0)
    investment_low = measured_money & _below(parcels.spent_cents, parcels.total_cents, policy.investment_share_below)
    stalled = stopped_long & (developed_low | investment_low)
    would_be_idle = unstarted_idle | stalled
    government = would_be_idle & parcels.government_delay
    category = np.select(
        [government, unstarted_idle & (reclaimable_on <= day), unstarted_idle, stalled],
        [CATEGORIES.index(GOVERNMENT_DELAY), CATEGORIES.index(IDLE_2Y), CATEGORIES.index(IDLE_1Y), CATEGORIES.index(STALLED)], -1)
    charged = np.isin(category, [CATEGORIES.index(IDLE_1Y), CATEGORIES.index(IDLE_2Y)])
    if policy.stalled_counts_as_idle:
        charged |= category == CATEGORIES.index(STALLED)
    share = policy.idle_fee_share
    # 土地闲置费 to 0.01 万元, half up.
    fee = (2 * parcels.price_cents * share.numerator + share.denominator) // (2 * share.denominator)
    has_fee = charged & parcels.has_price
    overdue = np.where(has_agreed, (day - np.where(has_agreed, parcels.agreed_start_date, day)).astype(np.int64), 0)
    return Decided(
        as_of=as_of, start=start, start_is_own=own, started=started, supplied=parcels.supply_date <= day, idle_on=idle_on,
        reclaimable_on=reclaimable_on, stopped_a_year_on=stopped_on, developed_low=developed_low, investment_low=investment_low,
        stalled_unknown=stopped_long & ~measured_area & ~measured_money, category=category, fee_cents=np.where(has_fee, fee, 0),
        has_fee=has_fee, overdue_days=overdue, has_agreed=has_agreed,
    )


def _wan(cents: int | np.integer) -> Decimal:
    return Decimal(int(cents)) / 100


def _iso(days: np.ndarray) -> list[str | None]:
    """Dates as YYYY-MM-DD text (None for NaT), a column at a time."""
    return [None if text == "NaT" else text for text in np.datetime_as_string(days, unit="D").tolist()]


def _amounts(cents: np.ndarray, given: np.ndarray) -> list[float | None]:
    """Hundredths as the numbers they stand for (None where not `given`): a float prints as the shortest decimal that
    reads back to it, so 24 691 hundredths is written 246.91."""
    return [value if keep else None for value, keep in zip((cents / 100).tolist(), given.tolist(), strict=True)]


def is_idle(decided: Decided, policy: IdleLandPolicy) -> np.ndarray:
    """Counted as idle land: a full year not started (one or two), and stalled land where the policy's switch says so."""
    counted = [CATEGORIES.index(IDLE_1Y), CATEGORIES.index(IDLE_2Y)]
    if policy.stalled_counts_as_idle:
        counted.append(CATEGORIES.index(STALLED))
    return np.isin(decided.category, counted)


@dataclass
class IdleLand:
    as_of: dt.date
    summary: dict[str, Any]
    parcels: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "summary": self.summary, "parcels": self.parcels}


def idle_land(parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> IdleLand:
    """The idle-land list as of `as_of`, worst first (category, then the longest overdue), and its summary."""
    decided = decide(parcels, as_of, policy)
    listed = np.flatnonzero(decided.category >= 0)
    order = listed[np.lexsort((parcels.code[listed].astype(str), -decided.overdue_days[listed], decided.category[listed]))]
    counts = {name: int(np.count_nonzero(decided.category == k)) for k, name in enumerate(CATEGORIES)}
    summary = {
        "idle": int(np.count_nonzero(is_idle(decided, policy))),
        "idle_fee_wan": int(decided.fee_cents.sum()) / 100,
        "reclaimable": counts[IDLE_2Y],
        "government_delay": counts[GOVERNMENT_DELAY],
        "stalled": counts[STALLED],
        "stalled_counts_as_idle": policy.stalled_counts_as_idle,
    }
    # A column at a time (fifty thousand rows are listed at a million parcels), then zipped into rows.
    has_agreed = decided.has_agreed[order]
    columns = {
        "parcel_code": parcels.code[order].tolist(), "project_code": parcels.project_code[order].tolist(),
        "category": [CATEGORIES[k] for k in decided.category[order].tolist()],
        "agreed_start_date": _iso(parcels.agreed_start_date[order]),
        "overdue_days": [days if keep else None for days, keep in zip(decided.overdue_days[order].tolist(), has_agreed.tolist(), strict=True)],
        "land_price_wan": _amounts(parcels.price_cents[order], parcels.has_price[order]),
        "idle_fee_wan": _amounts(decided.fee_cents[order], decided.has_fee[order]),
        "reclaimable": (decided.category[order] == CATEGORIES.index(IDLE_2Y)).tolist(),
        "start_date": _iso(decided.start[order]), "stopped_date": _iso(parcels.stopped_date[order]),
    }
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return IdleLand(as_of, summary, rows)


NO_AGREED_START = ("无约定开工日期，无法判定是否闲置", "no agreed start date: whether it is idle cannot be judged")


def supplied_unused(parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> list[dict[str, Any]]:
    """供而未用: supplied by `as_of` and not started by it; a parcel without an agreed start date is listed with a note
    (never guessed). The longest supplied first."""
    decided = decide(parcels, as_of, policy)
    rows = np.flatnonzero(decided.supplied & ~decided.started)
    order = rows[np.lexsort((parcels.code[rows].astype(str), parcels.supply_date[rows]))]
    note = {"zh": NO_AGREED_START[0], "en": NO_AGREED_START[1]}
    columns = {
        "parcel_code": parcels.code[order].tolist(), "project_code": parcels.project_code[order].tolist(),
        "supply_date": _iso(parcels.supply_date[order]), "agreed_start_date": _iso(parcels.agreed_start_date[order]),
        "category": [CATEGORIES[k] if k >= 0 else None for k in decided.category[order].tolist()],
        "note": [None if agreed else note for agreed in decided.has_agreed[order].tolist()],
    }
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def map_classes(parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> tuple[dict[str, str], list[str]]:
    """For the map on `as_of`: each listed parcel's idle-land category, and the parcels supplied and not started (供而未用,
    idle or not)."""
    decided = decide(parcels, as_of, policy)
    listed = np.flatnonzero(decided.category >= 0)
    unused = np.flatnonzero(decided.supplied & ~decided.started)
    return ({str(parcels.code[i]): CATEGORIES[int(decided.category[i])] for i in listed},
            sorted(str(parcels.code[i]) for i in unused))


# ---- a parcel's card ----------------------------------------------------------------------------

_NUMERALS = {1: "一", 2: "两", 3: "三"}


def _years(n: int) -> tuple[str, str]:
    """满一年 / a full year, 满两年 / two full years."""
    return f"满{_NUMERALS.get(n, str(n))}年", "a full year" if n == 1 else f"{n} full years"


def _started_reasons(d: Decided, parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> list[tuple[str, str]]:
    start, stopped = _date(d.start[0]), _optional_date(parcels.stopped_date[0])
    own = bool(d.start_is_own[0])
    where = ("宗地动工日期", "the parcel's start date") if own else ("项目实际开工日期", "its project's actual start date")
    reasons = [(f"已于 {start} 动工（{where[0]}）", f"started on {start} ({where[1]})")]
    stopped_on = _optional_date(d.stopped_a_year_on[0])
    full = _years(policy.stopped_years)
    if stopped is None or stopped_on is None:
        return [*reasons, ("无停工记录", "no stop recorded")]
    if stopped_on > as_of:
        return [*reasons, (f"{stopped} 停工，至 {stopped_on} 方{full[0]}", f"stopped on {stopped}: {full[1]} on {stopped_on}")]
    reasons.append((f"{stopped} 停工，{stopped_on} 已{full[0]}", f"stopped on {stopped}, {full[1]} on {stopped_on}"))
    share = f"{float(policy.investment_share_below):.0%}"
    if d.developed_low[0]:
        reasons.append((f"已开发面积不足{policy.developed_share_below}", f"under {policy.developed_share_below} of the area developed"))
    if d.investment_low[0]:
        reasons.append((f"已完成投资不足总投资的{share}", f"under {share} of the total investment spent"))
    if d.stalled_unknown[0]:
        reasons.append(("已开发面积与完成投资均未知，无法判定", "neither the area developed nor the investment spent is known"))
    elif not (d.developed_low[0] or d.investment_low[0]):
        reasons.append((f"已开发面积不少于{policy.developed_share_below}、或已完成投资不少于总投资的{share}",
                        f"at least {policy.developed_share_below} of the area developed or {share} of the investment spent"))
    return reasons


def _unstarted_reasons(d: Decided, parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> list[tuple[str, str]]:
    agreed = _optional_date(parcels.agreed_start_date[0])
    if agreed is None:
        return [NO_AGREED_START]
    days = (as_of - agreed).days
    reasons = [(f"约定 {agreed} 开工，至 {as_of} 尚未动工（逾期 {days} 天）" if days >= 0 else f"约定 {agreed} 开工，尚未到期",
                f"agreed to start on {agreed}, not started by {as_of} ({days} days)" if days >= 0
                else f"agreed to start on {agreed}: not due yet")]
    idle_on, reclaimable_on = _date(d.idle_on[0]), _date(d.reclaimable_on[0])
    first, second = _years(policy.idle_after_years), _years(policy.reclaimable_after_years)
    if idle_on > as_of:
        return [*reasons, (f"至 {idle_on} 方{first[0]}，尚不构成闲置", f"{first[1]} on {idle_on}: not idle yet")]
    reasons.append((f"{idle_on} 已{first[0]}未动工", f"{first[1]} not started on {idle_on}"))
    if parcels.government_delay[0]:
        return [*reasons, ("迟延系政府原因（第八条）：协商处置，不征缴闲置费、不收回", "the delay is the government's (Art. 8): "
                           "negotiated, with no fee and no taking back")]
    if reclaimable_on <= as_of:
        reasons.append((f"{reclaimable_on} 已{second[0]}：可无偿收回", f"{second[1]} on {reclaimable_on}: may be taken back without "
                        "compensation"))
    else:
        reasons.append((f"至 {reclaimable_on} {second[0]}即可无偿收回", f"{second[1]} on {reclaimable_on}, when it may be taken back"))
    return reasons


def explain(parcels: LandParcels, as_of: dt.date, policy: IdleLandPolicy) -> dict[str, Any]:
    """Why the one parcel of `parcels` is or is not idle on `as_of`: its category, the dates it rests on and the
    reasons in Chinese and English."""
    assert len(parcels) == 1
    d = decide(parcels, as_of, policy)
    k = int(d.category[0])
    category = CATEGORIES[k] if k >= 0 else NOT_IDLE
    reasons = _started_reasons(d, parcels, as_of, policy) if d.started[0] else _unstarted_reasons(d, parcels, as_of, policy)
    if category == GOVERNMENT_DELAY and d.started[0]:
        reasons.append(("停工系政府原因（第八条）：协商处置，不征缴闲置费", "the stop is the government's (Art. 8): negotiated, no fee"))
    if category == STALLED and not policy.stalled_counts_as_idle:
        reasons.append(("政策未将此类土地计为闲置（第二条第二款“也可以认定”）：单独列出", "the policy does not count such land as "
                        "idle (Art. 2 ¶2 \"may also\"): listed apart"))
    if d.has_fee[0]:
        share = f"{float(policy.idle_fee_share):.0%}"
        reasons.append((f"土地闲置费 {_wan(d.fee_cents[0])} 万元（出让价款的{share}）",
                        f"idle-land fee {_wan(d.fee_cents[0])} 万元 ({share} of the land price)"))
    elif bool(is_idle(d, policy)[0]) and not parcels.has_price[0]:
        reasons.append(("无出让价款，闲置费无法计算", "no land price: the fee cannot be worked out"))
    start = _optional_date(d.start[0])
    return {
        "as_of": as_of, "category": category, "idle": bool(is_idle(d, policy)[0]), "reclaimable": category == IDLE_2Y,
        "supplied": bool(d.supplied[0]), "started": bool(d.started[0]), "supplied_unused": bool(d.supplied[0] and not d.started[0]),
        "dates": {"supply_date": _optional_date(parcels.supply_date[0]), "agreed_start_date": _optional_date(parcels.agreed_start_date[0]),
                  "idle_on": _optional_date(d.idle_on[0]), "reclaimable_on": _optional_date(d.reclaimable_on[0]), "start_date": start,
                  "start_basis": None if start is None else "parcel" if d.start_is_own[0] else "project",
                  "stopped_date": _optional_date(parcels.stopped_date[0]), "stopped_a_year_on": _optional_date(d.stopped_a_year_on[0])},
        "land_price_wan": _wan(parcels.price_cents[0]) if parcels.has_price[0] else None,
        "idle_fee_wan": _wan(d.fee_cents[0]) if d.has_fee[0] else None,
        "overdue_days": int(d.overdue_days[0]) if d.has_agreed[0] else None,
        "reasons": [{"zh": zh, "en": en} for zh, en in reasons],
    }


# ---- 批而未供 ------------------------------------------------------------------------------------

def mu_hundredths(area_cents: np.ndarray) -> np.ndarray:
    """亩 to 0.01 (half up) from areas in 0.01 m², exactly: m² × 15 / 10000."""
    numerator, denominator = int(M2_PER_MU_DENOMINATOR), int(M2_PER_MU_NUMERATOR)
    return (2 * area_cents * numerator + denominator) // (2 * denominator)


SLIVER_CENTS = 100
"""An unsupplied remainder under 1 m² is digitising noise (as overlaps between parcels are, `etl.placement`): a batch
tiled by its parcels is wholly supplied, whatever the rounding of each piece's area to 0.01 m²."""


def approved_unsupplied(codes: Sequence[str], approved: Sequence[dt.date | None], area_cents: np.ndarray,
                        covered_cents: np.ndarray) -> list[dict[str, Any]]:
    """批而未供 per batch: its Gauss-Krüger area less the part covered by parcels supplied by D (`covered_cents`, the
    area of the batch within their union), in m² and 亩; the largest unsupplied first, batches wholly supplied left out."""
    unsupplied = area_cents - covered_cents
    unsupplied[unsupplied < SLIVER_CENTS] = 0
    mu = mu_hundredths(unsupplied)
    rows = np.flatnonzero(unsupplied > 0)
    order = rows[np.lexsort((np.array(codes, dtype=object)[rows].astype(str), -unsupplied[rows]))]
    every = np.ones(len(order), dtype=bool)
    columns = {"batch_code": [codes[i] for i in order], "approved_date": [approved[i] for i in order],
               "area_m2": _amounts(area_cents[order], every), "unsupplied_m2": _amounts(unsupplied[order], every),
               "unsupplied_mu": _amounts(mu[order], every)}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
