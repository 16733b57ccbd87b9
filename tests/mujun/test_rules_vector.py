"""The vector forms of the rules agree with the scalar rules, on hand-picked edges and on random draws."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest

from mujun import rules
from mujun.rules import ZoneOverlap


def test_gauss_kruger_zones_and_planar_cents_agree_with_the_scalar_rules() -> None:
    lons = np.array([118.5, 119.4999, 119.5, 120.0, 121.49, 121.5, 75.0])
    assert rules.gk_epsgs(lons).tolist() == [rules.gk_epsg(float(lon)) for lon in lons]
    # 0.005 and 0.015 are ties in decimal but not in binary: the scalar rule rounds the repr half up.
    areas = np.array([0.005, 0.015, 1.125, 6666.665, 6666.675, 12345.6749999, 2.5e-3, 0.0])
    assert rules.planar_cents(areas).tolist() == [int(rules.planar_m2(a) * 100) for a in areas]
    assert rules.planar_cents(areas).tolist()[:4] == [1, 2, 113, 666667]
    # Recorded areas keep Decimal's quantize (half to even): 0.125 → 0.12, 0.135 → 0.14.
    assert rules.recorded_cents(np.array([0.125, 0.135, 10500.0])).tolist() == [12, 14, 1050000]


def test_area_mismatch_is_over_one_percent_exactly() -> None:
    area = np.array([1000000, 1000000, 1000000, 0, 1000000])  # 10 000.00 m² in 0.01 m²
    recorded = np.array([1010000, 1010001, 989999, 5, 0])
    has = np.array([True, True, True, True, False])
    expected = [rules.area_mismatch(D(int(a)) / 100, D(int(r)) / 100 if h else None) for a, r, h in zip(area, recorded, has, strict=True)]
    assert rules.area_mismatches(area, recorded, has).tolist() == expected == [False, True, True, False, False]


def choose_each(area: list[float], pairs: list[tuple[int, int, float]], zone_area: list[float],
                codes: list[str]) -> tuple[list[int], list[int], list[bool]]:
    rank = np.argsort(np.argsort(np.array(codes)))
    p, z, o = (np.array(column) for column in zip(*pairs, strict=True)) if pairs else (np.array([], dtype=int),) * 3
    zone, share, straddles = rules.choose_zones(np.array(area), p.astype(int), z.astype(int), o.astype(float),
                                                np.array(zone_area), rank)
    return zone.tolist(), share.tolist(), straddles.tolist()


def test_zone_choice_ties_nesting_and_half_share() -> None:
    codes, zone_area = ["A", "B", "C"], [4_000_000.0, 250_000.0, 4_000_000.0]
    area = [30000.0, 20000.0, 20000.0, 100.0, 500.0, 0.0]
    pairs = [
        (0, 0, 30000.0), (0, 1, 29999.995),  # nested: equal up to the tolerance; the smaller zone B wins
        (1, 0, 10000.0), (1, 2, 10000.0),  # a tie between two zones of one size: the first code, A
        (2, 0, 9999.99),  # just under half: straddles
        (3, 2, 50.0),  # exactly half: does not straddle
        (5, 0, 1.0),  # an empty parcel has no zone
    ]
    zone, share, straddles = choose_each(area, pairs, zone_area, codes)
    assert zone == [1, 0, 0, 2, -1, -1]
    assert share == [10000, 5000, 5000, 5000, 0, 0]
    assert straddles == [False, False, True, False, False, False]
    for i in range(len(area)):
        scalar = rules.choose_zone(area[i], [ZoneOverlap(codes[z], o, zone_area[z]) for p, z, o in pairs if p == i])
        assert (scalar.zone_code, int(scalar.share * 10000), scalar.straddles) == (
            codes[zone[i]] if zone[i] >= 0 else None, share[i], straddles[i])


def test_zone_choice_agrees_with_the_scalar_rule_on_random_overlaps() -> None:
    rng = np.random.default_rng(7)
    codes = [f"Z{i:02d}" for i in range(12)]
    zone_area = rng.choice([1e6, 2e6, 5e5], size=12)
    area = rng.uniform(1000, 90000, size=4000)
    pairs = [(i, int(z), float(area[i] * rng.choice([1.0, 0.5, rng.uniform(0, 1)])))
             for i in range(4000) for z in rng.choice(12, size=rng.integers(0, 4), replace=False)]
    zone, share, straddles = choose_each(list(area), pairs, list(zone_area), codes)
    by_parcel: dict[int, list[ZoneOverlap]] = {}
    for p, z, o in pairs:
        by_parcel.setdefault(p, []).append(ZoneOverlap(codes[z], o, float(zone_area[z])))
    for i in range(4000):
        scalar = rules.choose_zone(float(area[i]), by_parcel.get(i, []))
        assert (scalar.zone_code, int(scalar.share * 10000), scalar.straddles) == (
            codes[zone[i]] if zone[i] >= 0 else None, share[i], straddles[i])


def test_project_zone_sums_land_and_breaks_ties_by_the_smaller_zone() -> None:
    codes, zone_area = np.array(["A", "B", "C"]), np.array([4e6, 2.5e5, 2.5e5])
    rank = np.argsort(np.argsort(codes))
    group = np.array([0, 0, 0, 1, 1, 2, 3, 3])
    zone = np.array([0, 1, 1, 0, 2, -1, 1, 2])
    land = np.array([500, 300, 300, 400, 400, 100, 700, 700])  # project 0: A 500 vs B 600; 1: tie A/C; 3: tie B/C
    chosen, spans = rules.project_zones(group, 4, zone, land, zone_area, rank)
    assert chosen.tolist() == [1, 2, -1, 1] and spans.tolist() == [True, True, False, True]
    for g in range(4):
        lands = [rules.ParcelLand(D(int(land[i])), str(codes[zone[i]]) if zone[i] >= 0 else None,
                                  float(zone_area[zone[i]]), None) for i in np.flatnonzero(group == g)]
        scalar = rules.project_zone(lands)
        assert (scalar.zone_code, scalar.spans_zones) == (str(codes[chosen[g]]) if chosen[g] >= 0 else None, spans[g])


def assess_one(project_type: str | None, investment: D | None, area_mu: D, threshold: D | None, in_zone: bool) -> tuple:
    result = rules.assess(project_type=project_type, total_investment_wan=investment, area_mu=area_mu,
                          threshold_wan_per_mu=threshold, in_zone=in_zone)
    return (result.intensity_wan_per_mu, result.threshold_wan_per_mu, result.ratio, result.shortfall_wan,
            result.status.value, result.band.value, tuple(f.value for f in result.flags))


def assess_vector(cases: list[tuple[str | None, D | None, D, D | None, bool]]) -> list[tuple]:
    def cents(values: list[D | None], scale: int) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([int(v * scale) if v is not None else 0 for v in values], dtype=np.int64),
                np.array([v is not None for v in values]))

    investment, has_investment = cents([c[1] for c in cases], 100)
    mu, _ = cents([c[2] for c in cases], 1_000_000)
    threshold, has_threshold = cents([c[3] for c in cases], 100)
    out = rules.assess_many(
        assessed_type=np.array([c[0] == "industrial" for c in cases]), known_type=np.array([c[0] is not None for c in cases]),
        investment_cents=investment, has_investment=has_investment, area_micro_mu=mu, threshold_cents=threshold,
        has_threshold=has_threshold, in_zone=np.array([c[4] for c in cases]))

    def shown(values: np.ndarray, has: np.ndarray, i: int, step: str) -> D | None:
        return (D(int(values[i])) * D(step)).quantize(D(step)) if has[i] else None

    return [(shown(out.intensity, out.has_intensity, i, "0.01"), shown(out.threshold, out.has_threshold, i, "0.01"),
             shown(out.ratio, out.has_ratio, i, "0.0001"), shown(out.shortfall, out.has_shortfall, i, "0.01"),
             rules.STATUSES[out.status[i]].value, rules.BANDS[out.band[i]].value,
             tuple(flag for flag, on in (("unknown_project", out.unknown_project[i]),
                                         ("missing_investment", out.missing_investment[i])) if on))
            for i in range(len(cases))]


def test_assess_many_agrees_on_the_edges() -> None:
    cases = [
        ("industrial", D(4000), D(10), D(400), True),  # exactly 400: meets
        ("industrial", D(3999), D(10), D(400), True),  # 399.90: below, shortfall 1
        ("industrial", D("0.05"), D(10), D(400), True),  # 0.005 → 0.01 (half up)
        ("industrial", D("3199.99"), D(10), D(400), True),  # 319.999 → 320.00: ratio 0.8 exactly, band below
        ("industrial", D("3199.94"), D(10), D(400), True),  # 319.994 → 319.99: far below
        ("industrial", D(5000), D("15.75"), D(350), True),  # 317.46, ratio 0.9070, shortfall 512.50
        ("industrial", D(100), D("3.000015"), D(350), True),  # shortfall half up from 950.005…
        ("industrial", None, D(10), D(400), True),  # missing investment
        ("industrial", D(100), D(0), D(400), True),  # no land
        ("industrial", D(100), D(10), None, True),  # no threshold
        ("industrial", D(100), D(10), D(0), True),  # a zero threshold
        ("industrial", D(100), D(10), None, False),  # outside every zone
        ("service", D(100), D(10), D(400), True),  # not assessed
        (None, None, D(10), None, True),  # land of no known project
    ]
    assert assess_vector(cases) == [assess_one(*case) for case in cases]


def test_assess_many_agrees_on_random_projects() -> None:
    rng = np.random.default_rng(11)
    cases = [("industrial", D(int(rng.integers(0, 10**9))) / 100, D(int(rng.integers(1, 10**9)) * 15) / 10**6,
              D(int(rng.choice([31000, 35000, 40000]))) / 100, True) for _ in range(5000)]
    assert assess_vector(cases) == [assess_one(*case) for case in cases]


def test_too_large_an_investment_is_refused_rather_than_overflowing() -> None:
    with pytest.raises(ValueError):
        assess_vector([("industrial", D(10**11), D(10), D(400), True)])
