"""The rules, against numbers worked out by hand (DOMAIN.md)."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from mujun import rules
from mujun.policy import load_policy
from mujun.rules import Band, ParcelLand, Status, ZoneOverlap
from tests.geodata import gk_rect


def test_mu_is_exactly_ten_thousand_fifteenths_of_a_square_metre() -> None:
    assert rules.mu_from_m2(D("10000")) == D(15)  # 1 公顷 = 15 亩
    assert rules.mu_from_m2(D("666.67")) == D("1.000005")  # 666.67 × 15 / 10000
    assert rules.m2_from_mu(D(10)) == D("6666.67")  # 66 666.6… rounded to 0.01 m²


@pytest.mark.parametrize(
    ("lon", "prefix", "epsg"),
    [(119.95, False, 4549), (119.95, True, 4528), (118.49, False, 4548), (121.6, False, 4550), (117.0, False, 4548)],
)
def test_gauss_kruger_zone_from_longitude(lon: float, prefix: bool, epsg: int) -> None:
    # CM = 3·round(lon/3): 119.95 → 120 → 4534 + 15 = 4549 (4513 + 15 = 4528 with the zone prefix);
    # 118.49 and 117.0 → CM 117 → 4548; 121.6 → CM 123 → 4550.
    assert rules.gk_epsg(lon, zone_prefix=prefix) == epsg


def _projected(epsg: int, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.array(lon, dtype=float), np.array(lat, dtype=float)
    rules.gauss_kruger(epsg).project(x, y)
    return x, y


@pytest.mark.parametrize("epsg", [4549, 4528, 4539, 4554])
def test_the_series_form_of_gauss_kruger_agrees_with_proj_across_the_zone(epsg: int) -> None:
    # PROJ is the judge. Its exact (Poder/Engsager) transverse Mercator: every point of the 3-degree zone, from the
    # meridian to 1.5° either side, from Hainan to Heilongjiang, lands within a micrometre of where it puts it, and a
    # 30-亩 square measured both ways differs by less than 10⁻⁵ m² (areas are kept to 10⁻² m²). Its own series form
    # (`approx`), the same formulas: within 10 nanometres.
    exact = Transformer.from_crs(rules.GEOGRAPHIC_SRID, epsg, always_xy=True)
    proj_series = Transformer.from_pipeline(exact.definition.replace(" proj=tmerc ", " proj=tmerc approx "))
    meridian = {4549: 120, 4528: 120, 4539: 90, 4554: 135}[epsg]
    lon, lat = np.meshgrid(meridian + np.linspace(-1.5, 1.5, 61), np.linspace(18, 53.5, 72))
    ours = _projected(epsg, lon.ravel(), lat.ravel())
    for judge, within in ((exact, 1e-6), (proj_series, 1e-8)):
        for a, b in zip(ours, judge.transform(lon.ravel(), lat.ravel()), strict=True):
            assert np.abs(a - b).max() < within
    side = 0.0015  # about 140 m by 165 m at 32°N
    ring_lon = meridian + 1.49 + np.array([0, side, side, 0, 0])
    ring_lat = 31.5 + np.array([0, 0, side, side, 0])
    areas = [shapely.area(shapely.Polygon(np.column_stack(xy))) for xy in (_projected(epsg, ring_lon, ring_lat),
                                                                          exact.transform(ring_lon, ring_lat))]
    assert 20_000 < areas[1] < 25_000 and abs(areas[0] - areas[1]) < 1e-5


def test_gauss_kruger_by_hand_on_the_meridian_and_the_zone_number() -> None:
    # On the central meridian the easting is the false easting and the northing the meridian arc: the pole lies a
    # quadrant of the meridian north, 10 001 965.729 m on GRS 80 (= CGCS2000's ellipsoid; Moritz, Geodetic Reference
    # System 1980). With the zone number (EPSG:4528, zone 40) the easting gains 40 000 000 m.
    assert _projected(4549, np.array([120.0, 120.0]), np.array([0.0, 90.0])) == (
        pytest.approx([500_000.0, 500_000.0], abs=1e-9), pytest.approx([0.0, 10_001_965.729], abs=1e-3))
    assert _projected(4528, np.array([120.0]), np.array([0.0]))[0] == pytest.approx([40_500_000.0], abs=1e-9)
    # more than 90° from the meridian: infinite, as PROJ gives it
    assert _projected(4549, np.array([211.0]), np.array([30.0]))[0][0] == np.inf
    with pytest.raises(ValueError, match="not a transverse Mercator"):
        rules.gauss_kruger(4490)


def test_area_is_the_gauss_kruger_planar_area() -> None:
    # 200 m × 150 m drawn in EPSG:4549 = 30 000 m² = 45 亩, whatever the lon/lat it is stored in.
    assert rules.gk_area_m2(gk_rect(0, 0, 200, 150)) == D("30000.00")


def test_official_area_is_the_recorded_one_and_mismatch_is_over_one_percent() -> None:
    assert rules.official_area_m2(D("30000.00"), None) == D("30000.00")
    assert rules.official_area_m2(D("30000.00"), D("30250.00")) == D("30250.00")
    assert not rules.area_mismatch(D("30000.00"), D("30300.00"))  # exactly 1%: not more than 1%
    assert rules.area_mismatch(D("30000.00"), D("30300.01"))
    assert rules.area_mismatch(D("30000.00"), D("29699.99"))


def _industrial(investment: str, area_mu: D, threshold: str | None = "400") -> rules.Assessment:
    return rules.assess(project_type="industrial", total_investment_wan=D(investment), area_mu=area_mu,
                        threshold_wan_per_mu=D(threshold) if threshold else None, in_zone=True)


def test_four_thousand_on_ten_mu_meets_four_hundred_and_3999_does_not() -> None:
    ten_mu = rules.mu_from_m2(D("6666.67"))  # the recorded 10 亩, as stored to 0.01 m²
    meets = _industrial("4000", ten_mu)
    assert (meets.intensity_wan_per_mu, meets.status, meets.shortfall_wan) == (D("400.00"), Status.MEETS, D(0))
    assert meets.ratio == D("1.0000") and meets.band is Band.MEETS
    below = _industrial("3999", ten_mu)
    # 3999 / 10.000005 = 399.8998 → 399.90; shortfall 400 × 10.000005 − 3999 = 1.002 → 1.00 万元
    assert (below.intensity_wan_per_mu, below.status, below.shortfall_wan) == (D("399.90"), Status.BELOW, D("1.00"))
    assert below.ratio == D("0.9997") and below.band is Band.BELOW


def test_far_below_band_and_shortfall() -> None:
    # 45 亩 at 9 000 万元 = 200 万元/亩 against 350: ratio 0.5714, shortfall 350 × 45 − 9000 = 6 750 万元.
    result = _industrial("9000", D(45), "350")
    assert result.intensity_wan_per_mu == D("200.00")
    assert result.ratio == D("0.5714") and result.band is Band.FAR_BELOW
    assert result.shortfall_wan == D("6750.00")


def test_non_industrial_is_not_assessed_and_no_zone_is_outside() -> None:
    service = rules.assess(project_type="service", total_investment_wan=D(100), area_mu=D(10),
                           threshold_wan_per_mu=D(400), in_zone=True)
    assert service.status is Status.NOT_ASSESSED and service.threshold_wan_per_mu is None
    assert service.band is Band.NONE
    outside = rules.assess(project_type="industrial", total_investment_wan=D(100), area_mu=D(10),
                           threshold_wan_per_mu=None, in_zone=False)
    assert outside.status is Status.OUTSIDE_ZONE and outside.shortfall_wan is None


def test_nested_zone_wins_the_tie_and_a_minority_share_straddles() -> None:
    # A 10 000 m² parcel wholly inside a small cluster (2 km²) that lies inside a large zone (20 km²).
    inside = rules.choose_zone(10_000.0, [ZoneOverlap("BIG", 10_000.0, 2e7), ZoneOverlap("SMALL", 10_000.0, 2e6)])
    assert inside.zone_code == "SMALL" and inside.share == D(1) and not inside.straddles
    # 4 000 m² in A, 3 000 m² in B, 3 000 m² in no zone: A holds the largest share, 0.4 < 0.5 → straddles.
    edge = rules.choose_zone(10_000.0, [ZoneOverlap("B", 3_000.0, 1e6), ZoneOverlap("A", 4_000.0, 1e7)])
    assert edge.zone_code == "A" and edge.share == D("0.4") and edge.straddles
    assert rules.choose_zone(10_000.0, []).zone_code is None


def test_two_parcel_project_is_held_on_its_whole_land() -> None:
    # 6 亩 + 4 亩 = 10 亩 in one 400 zone with 3 600 万元: 360 万元/亩, shortfall 4 000 − 3 600 = 400 万元.
    parcels = [ParcelLand(D("4000.00"), "Z1", 1e6, D(400)), ParcelLand(rules.m2_from_mu(D(4)), "Z1", 1e6, D(400))]
    zone = rules.project_zone(parcels)
    assert zone.zone_code == "Z1" and not zone.spans_zones
    area = sum((rules.mu_from_m2(p.official_area_m2) for p in parcels), D(0))  # 6 + 4.0000005… 亩
    result = _industrial("3600", area, str(zone.threshold_wan_per_mu))
    assert result.intensity_wan_per_mu == D("360.00") and result.shortfall_wan == D("400.00")


def test_changzhou_2018_thresholds() -> None:
    policy = load_policy("changzhou-2018")
    assert (policy.city, policy.year) == ("常州市", 2018)
    assert policy.threshold_for("武进区", "development_zone") == D(400)
    assert policy.threshold_for("常州经济开发区", "industrial_cluster") == D(350)
    assert policy.threshold_for("金坛区", "development_zone") == D(350)
    assert policy.threshold_for("溧阳市", "industrial_cluster") == D(310)
    assert policy.threshold_for("无锡市", "development_zone") is None
