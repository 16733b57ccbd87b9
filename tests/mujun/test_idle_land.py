"""Idle land under 令第53号 as of a date, worked by hand: the anniversaries, the fee, delays of the government's, stalled
land and its switch, a parcel with no agreed start; and 批而未供 per batch."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

from mujun.idle_land import LandParcels, anniversary, approved_unsupplied, bounds, explain, idle_land, land_columns, supplied_unused
from mujun.policy import load_idle_land_policy

D = dt.date
POLICY = load_idle_land_policy("changzhou-2018")
AS_OF = D(2024, 6, 30)


def parcel(code: str, agreed: dt.date | None, **given: Any) -> dict[str, Any]:
    row = {"parcel_code": code, "project_code": f"X{code}", "supply_date": D(2020, 1, 1), "agreed_start_date": agreed,
           "start_date": None, "project_start_date": None, "stopped_date": None, "government_delay": False,
           "land_price_wan": Decimal("1234.56"), "official_area_m2": Decimal("9000.00"), "developed_area_m2": None,
           "total_investment_wan": Decimal("10000.00"), "spent_wan": None}
    return {**row, **given}


def land_parcels(rows: list[dict[str, Any]]) -> LandParcels:
    """The columns the query gives (`LAND_COLUMNS`) from rows of dates, 万元 and m²."""
    def cents(name: str) -> list[int | None]:
        return [None if row[name] is None else int(row[name] * 100) for row in rows]

    plain = ("parcel_code", "project_code", "supply_date", "agreed_start_date", "start_date", "project_start_date", "stopped_date",
             "government_delay")
    return land_columns({**{name: [row[name] for row in rows] for name in plain},
                         "land_price_cents": cents("land_price_wan"), "official_area_cents": cents("official_area_m2"),
                         "developed_area_cents": cents("developed_area_m2"), "total_investment_cents": cents("total_investment_wan"),
                         "spent_cents": cents("spent_wan")})


ROWS = [
    parcel("A", D(2023, 6, 30)),  # a full year exactly on the as-of date: idle, 20% of 1 234.56 = 246.912 → 246.91
    parcel("B", D(2023, 7, 1)),  # one day short of the year: not idle yet
    parcel("C", D(2022, 6, 30)),  # two full years exactly: may be taken back
    parcel("D", D(2022, 7, 1)),  # one day short of two years: idle a year
    parcel("E", D(2022, 1, 1), government_delay=True),  # the government's delay: listed apart, no fee
    # Started (project's date), stopped a full year exactly, 2 000 of 9 000 m² developed (under a third): stalled.
    parcel("F", D(2021, 3, 1), project_start_date=D(2021, 5, 1), stopped_date=D(2023, 6, 30), developed_area_m2=Decimal("2000.00")),
    # Stopped one day short of a year: not stalled.
    parcel("G", D(2021, 3, 1), project_start_date=D(2021, 5, 1), stopped_date=D(2023, 7, 1), developed_area_m2=Decimal("2000.00")),
    # Exactly a third developed and exactly 25% spent: neither is "under": not stalled.
    parcel("H", D(2021, 3, 1), start_date=D(2021, 5, 1), stopped_date=D(2022, 1, 1), developed_area_m2=Decimal("3000.00"),
           spent_wan=Decimal("2500.00")),
    # A third developed, but 2 499.99 of 10 000 spent: under 25%, stalled.
    parcel("I", D(2021, 3, 1), start_date=D(2021, 5, 1), stopped_date=D(2022, 1, 1), developed_area_m2=Decimal("3000.00"),
           spent_wan=Decimal("2499.99")),
    parcel("J", None),  # no agreed start date: never guessed
    # Its own start (after the as-of date) wins over its project's (before): not started, two full years.
    parcel("K", D(2022, 1, 1), start_date=D(2024, 7, 1), project_start_date=D(2021, 1, 1), land_price_wan=None),
    parcel("L", D(2022, 1, 1), start_date=D(2024, 6, 30)),  # started on the as-of date itself: not idle
]


def listed(**changes: Any) -> dict[str, dict[str, Any]]:
    policy = dataclasses.replace(POLICY, **changes)
    return {row["parcel_code"]: row for row in idle_land(land_parcels(ROWS), AS_OF, policy).parcels}


def test_the_policy_is_read_from_its_data() -> None:
    assert (POLICY.idle_after_years, POLICY.reclaimable_after_years, POLICY.stopped_years) == (1, 2, 1)
    assert (str(POLICY.idle_fee_share), str(POLICY.developed_share_below), str(POLICY.investment_share_below)) == ("1/5", "1/3", "1/4")
    assert POLICY.stalled_counts_as_idle is False and "第53号" in POLICY.source


def test_anniversaries_fall_on_the_same_day_or_the_months_last() -> None:
    assert anniversary(D(2023, 6, 30), 1) == D(2024, 6, 30)
    assert anniversary(D(2020, 2, 29), 1) == D(2021, 2, 28)  # 2021 has no 29 February
    assert anniversary(D(2020, 2, 29), 4) == D(2024, 2, 29)
    # The latest agreed start whose first anniversary has come by 28 Feb 2021 is 29 Feb 2020.
    assert bounds(D(2021, 2, 28), POLICY).agreed_by == D(2020, 2, 29)
    assert bounds(AS_OF, POLICY).agreed_by == D(2023, 6, 30)
    assert bounds(AS_OF, POLICY).reports_through == D(2024, 6, 1)
    assert bounds(D(2024, 6, 29), POLICY).reports_through == D(2024, 5, 1)


def test_each_category_on_the_as_of_date() -> None:
    found = listed()
    assert {code: row["category"] for code, row in found.items()} == {
        "C": "idle_2y", "K": "idle_2y", "D": "idle_1y", "A": "idle_1y", "F": "stalled", "I": "stalled", "E": "government_delay"}
    a, c, d, e, k = found["A"], found["C"], found["D"], found["E"], found["K"]
    assert (a["overdue_days"], a["idle_fee_wan"], a["reclaimable"]) == (366, 246.91, False)  # 2024 is a leap year
    assert (c["overdue_days"], c["idle_fee_wan"], c["reclaimable"]) == (731, 246.91, True)
    assert (d["idle_fee_wan"], d["reclaimable"]) == (246.91, False)
    assert (e["idle_fee_wan"], e["reclaimable"]) == (None, False)
    assert (k["land_price_wan"], k["idle_fee_wan"], k["reclaimable"]) == (None, None, True)  # no price: no fee worked out
    assert (found["F"]["idle_fee_wan"], found["F"]["reclaimable"]) == (None, False)
    # Worst first: two years (longest overdue first), one year, stalled, the government's.
    assert list(found) == ["K", "C", "D", "A", "F", "I", "E"]


def test_the_summary_counts_stalled_land_as_idle_only_when_switched_on() -> None:
    off = idle_land(land_parcels(ROWS), AS_OF, POLICY).summary
    # A, C, D, K idle; fees on A, C, D (K has no price): 3 × 246.91.
    assert off == {"idle": 4, "idle_fee_wan": 740.73, "reclaimable": 2, "government_delay": 1, "stalled": 2,
                   "stalled_counts_as_idle": False}
    switched = dataclasses.replace(POLICY, stalled_counts_as_idle=True)
    on = idle_land(land_parcels(ROWS), AS_OF, switched).summary
    assert (on["idle"], on["idle_fee_wan"], on["stalled"]) == (6, 1234.55, 2)  # F and I charged too
    assert listed(stalled_counts_as_idle=True)["F"]["idle_fee_wan"] == 246.91


def test_supplied_and_not_used_lists_a_parcel_without_an_agreed_start_with_a_note() -> None:
    rows = {row["parcel_code"]: row for row in supplied_unused(land_parcels(ROWS), AS_OF, POLICY)}
    assert set(rows) == {"A", "B", "C", "D", "E", "J", "K"}  # F, G, H, I and L have started
    assert rows["J"]["note"]["zh"] == "无约定开工日期，无法判定是否闲置" and rows["J"]["category"] is None
    assert rows["B"]["note"] is None and rows["B"]["category"] is None
    later = [dict(ROWS[0], parcel_code="M", supply_date=D(2024, 7, 1))]
    assert supplied_unused(land_parcels(later), AS_OF, POLICY) == []  # supplied after the as-of date


def test_the_card_says_why_with_the_dates() -> None:
    def card(code: str, day: dt.date = AS_OF) -> dict[str, Any]:
        return explain(land_parcels([next(r for r in ROWS if r["parcel_code"] == code)]), day, POLICY)

    a = card("A")
    assert (a["category"], a["idle"], a["dates"]["idle_on"], a["dates"]["reclaimable_on"]) == ("idle_1y", True, D(2024, 6, 30), D(2025, 6, 30))
    assert a["reasons"][0]["zh"] == "约定 2023-06-30 开工，至 2024-06-30 尚未动工（逾期 366 天）"
    assert any(r["zh"] == "土地闲置费 246.91 万元（出让价款的20%）" for r in a["reasons"])
    b = card("B")
    assert (b["category"], b["idle"]) == ("none", False) and b["reasons"][1]["zh"] == "至 2024-07-01 方满一年，尚不构成闲置"
    assert card("A", D(2024, 6, 29))["category"] == "none"
    f = card("F")
    assert (f["category"], f["dates"]["start_basis"], f["dates"]["stopped_a_year_on"]) == ("stalled", "project", D(2024, 6, 30))
    assert [r["en"] for r in f["reasons"]][:3] == ["started on 2021-05-01 (its project's actual start date)",
                                                   "stopped on 2023-06-30, a full year on 2024-06-30",
                                                   "under 1/3 of the area developed"]
    k = card("K")
    assert (k["started"], k["dates"]["start_date"], k["dates"]["start_basis"]) == (False, D(2024, 7, 1), "parcel")
    assert card("J")["reasons"] == [{"zh": "无约定开工日期，无法判定是否闲置", "en": "no agreed start date: whether it is idle cannot be judged"}]
    assert card("E")["reasons"][-1]["zh"].startswith("迟延系政府原因")


def test_approved_unsupplied_in_square_metres_and_mu() -> None:
    rows = approved_unsupplied(["B1", "B2", "B3"], [D(2019, 1, 1)] * 3, np.array([6_000_000, 1_000_000, 500_000]),
                               np.array([2_500_000, 1_000_000 - 99, 0]))
    # 60 000 − 25 000 = 35 000 m² = 52.5 亩; B2's 0.99 m² left is a sliver (wholly supplied); B3 5 000 m² = 7.5 亩.
    assert rows == [{"batch_code": "B1", "approved_date": D(2019, 1, 1), "area_m2": 60000.00,
                     "unsupplied_m2": 35000.00, "unsupplied_mu": 52.50},
                    {"batch_code": "B3", "approved_date": D(2019, 1, 1), "area_m2": 5000.00,
                     "unsupplied_m2": 5000.00, "unsupplied_mu": 7.50}]
