"""The siting review, on rectangles drawn in EPSG:4549 metres, against numbers worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import mapping

from mujun.errors import InputError
from mujun.rules import Band, Status
from mujun.siting import (
    Candidates,
    ConstraintCandidate,
    ConstraintOverlap,
    ParcelCandidate,
    ParcelOverlap,
    ZoneCandidate,
    parse_site,
    review_site,
)
from tests.geodata import gk_rect
from tests.world import POLICY

# The zones of tests/world.py: a 2 km × 2 km 武进 development zone (400) holding a 500 m cluster (350),
# and a 1 km × 1 km 溧阳 development zone (350).
ZONES = (
    ZoneCandidate("WJ-DZ", "武进国家高新技术产业开发区", "development_zone", "武进区", D("4000000.00"), gk_rect(0, 0, 2000, 2000)),
    ZoneCandidate("WJ-CL", "雪堰工业集中区", "industrial_cluster", "武进区", D("250000.00"), gk_rect(1000, 1000, 500, 500)),
    ZoneCandidate("LY-DZ", "江苏溧阳经济开发区", "development_zone", "溧阳市", D("1000000.00"), gk_rect(3000, 0, 1000, 1000)),
)
FARMLAND = ConstraintCandidate("NT-1", "permanent_farmland", gk_rect(250, 200, 300, 400))  # x 250–550, y 200–600
REDLINE = ConstraintCandidate("HX-1", "ecological_redline", gk_rect(280, 430, 100, 100))  # x 280–380, y 430–530
BOUNDARY = ConstraintCandidate("KF-1", "urban_development_boundary", gk_rect(-500, -500, 700, 3000))  # x −500–200
PARCELS = (
    ParcelCandidate("Q1", gk_rect(0, 400, 150, 100)),  # x 0–150, y 400–500
    ParcelCandidate("Q2", gk_rect(300, 300, 50, 50)),  # touches the site's east edge only
)
EVERYTHING = Candidates(zones=ZONES, parcels=PARCELS, constraints=(FARMLAND, REDLINE, BOUNDARY))


def review(site: Any, investment: str, project_type: str = "industrial",
           candidates: Candidates = EVERYTHING) -> Any:
    return review_site(site, total_investment_wan=D(investment), project_type=project_type, policy=POLICY,
                       candidates=candidates)


def test_a_site_below_its_zone_threshold_with_every_overlap() -> None:
    # 200 m × 150 m (x 100–300, y 300–450) = 30 000 m² = 45 亩 in the 400 zone. 13 500 万元 / 45 = 300 万元/亩:
    # below (ratio 0.75, far below); it would need 400 × 45 = 18 000 万元; 13 500 carries 13 500 / 400 = 33.75 亩.
    result = review(gk_rect(100, 300, 200, 150), "13500")
    assert (result.area_m2, result.area_mu, result.gauss_kruger_epsg) == (D("30000.00"), D(45), 4549)
    assert (result.zone_code, result.zone_name, result.zone_share) == ("WJ-DZ", "武进国家高新技术产业开发区", D(1))
    assert (result.threshold_wan_per_mu, result.intensity_wan_per_mu, result.ratio) == (D(400), D("300.00"), D("0.75"))
    assert (result.status, result.band, result.shortfall_wan) == (Status.BELOW, Band.FAR_BELOW, D("4500.00"))
    assert (result.min_investment_wan, result.max_area_mu) == (D("18000.00"), D("33.75"))
    assert result.flags == ()
    # Q1 (x 0–150, y 400–500) shares x 100–150 × y 400–450 = 50 × 50 = 2 500 m²; Q2 only touches (0 m²).
    assert result.parcel_overlaps == (ParcelOverlap("Q1", D("2500.00")),)
    # Farmland x 250–550 takes x 250–300 × y 300–450 = 50 × 150 = 7 500 m²; the red line x 280–300 × y 430–450
    # = 20 × 20 = 400 m². The boundary ends at x = 200: x 200–300 × 150 = 15 000 m² (half the site) lie outside.
    assert result.constraint_overlaps == (ConstraintOverlap("permanent_farmland", "NT-1", D("7500.00")),
                                          ConstraintOverlap("ecological_redline", "HX-1", D("400.00")))
    assert result.outside_development_boundary_m2 == D("15000.00")


def test_four_thousand_on_ten_mu_meets_as_on_a_stored_parcel() -> None:
    # 100 m × 66.6667 m = 6 666.67 m² = 10.000005 亩; 4 000 / 10.000005 = 399.99998 → 400.00: meets 400.
    # The minimum is 400 × 10.000005 = 4 000.002 → 4 000.00, which meets; 4 000 / 400 = 10.00 亩.
    site = gk_rect(500, 500, 100, 66.6667)
    meets = review(site, "4000")
    assert (meets.area_m2, meets.area_mu) == (D("6666.67"), D("10.000005"))
    assert (meets.intensity_wan_per_mu, meets.status, meets.ratio, meets.shortfall_wan) == (
        D("400.00"), Status.MEETS, D("1.0000"), D("0.00"))
    assert (meets.min_investment_wan, meets.max_area_mu) == (D("4000.00"), D("10.00"))
    # 3 999 / 10.000005 = 399.8998 → 399.90: below by 400 × 10.000005 − 3 999 = 1.002 → 1.00 万元;
    # 3 999 / 400 = 9.9975 亩, rounded down to 9.99 so the land never exceeds what the investment carries.
    below = review(site, "3999")
    assert (below.intensity_wan_per_mu, below.status, below.shortfall_wan) == (D("399.90"), Status.BELOW, D("1.00"))
    assert (below.min_investment_wan, below.max_area_mu) == (D("4000.00"), D("9.99"))  # 3 999 + 1.00 short


def test_a_site_in_the_nested_cluster_is_held_to_the_cluster() -> None:
    # x 1100–1300, y 1100–1250 lies in both zones: the smaller cluster (350) wins. 9 000 / 45 = 200;
    # 350 × 45 = 15 750; 9 000 / 350 = 25.714… → 25.71 亩. No boundary candidate: all 30 000 m² lie outside.
    result = review(gk_rect(1100, 1100, 200, 150), "9000", candidates=Candidates(zones=ZONES))
    assert (result.zone_code, result.threshold_wan_per_mu, result.intensity_wan_per_mu) == ("WJ-CL", D(350), D("200.00"))
    assert (result.min_investment_wan, result.max_area_mu, result.shortfall_wan) == (D("15750.00"), D("25.71"), D("6750.00"))
    assert result.outside_development_boundary_m2 == D("30000.00")
    assert (result.parcel_overlaps, result.constraint_overlaps) == ((), ())


def test_a_site_over_a_zone_edge_straddles() -> None:
    # x 1920–2120, y 0–100: 20 000 m² = 30 亩, 80 × 100 = 8 000 m² of it in the zone (share 0.4).
    # 12 000 / 30 = 400 meets; 400 × 30 = 12 000; 12 000 / 400 = 30 亩.
    result = review(gk_rect(1920, 0, 200, 100), "12000")
    assert (result.zone_code, result.zone_share, result.flags) == ("WJ-DZ", D("0.4"), ("straddles_zones",))
    assert (result.status, result.min_investment_wan, result.max_area_mu) == (Status.MEETS, D("12000.00"), D("30.00"))


def test_a_liyang_site_is_held_to_three_hundred_and_fifty() -> None:
    # 100 m × 100 m = 10 000 m² = 15 亩; 5 000 / 15 = 333.33 < 350; 350 × 15 = 5 250; 5 000 / 350 = 14.2857 → 14.28.
    result = review(gk_rect(3100, 100, 100, 100), "5000")
    assert (result.zone_code, result.area_mu, result.intensity_wan_per_mu) == ("LY-DZ", D(15), D("333.33"))
    assert (result.min_investment_wan, result.max_area_mu, result.ratio) == (D("5250.00"), D("14.28"), D("0.9523"))


def test_no_investment_carries_no_land() -> None:
    result = review(gk_rect(100, 300, 200, 150), "0")
    assert (result.intensity_wan_per_mu, result.status, result.shortfall_wan) == (D("0.00"), Status.BELOW, D("18000.00"))
    assert (result.min_investment_wan, result.max_area_mu) == (D("18000.00"), D("0.00"))


@pytest.mark.parametrize(("site", "project_type", "zone_code", "status"), [
    (gk_rect(100, 300, 200, 150), "service", "WJ-DZ", Status.NOT_ASSESSED),
    (gk_rect(100, 300, 200, 150), "infrastructure", "WJ-DZ", Status.NOT_ASSESSED),
    (gk_rect(5000, 0, 100, 100), "industrial", None, Status.OUTSIDE_ZONE),
])
def test_sites_without_a_threshold_have_no_threshold_figures(site: Any, project_type: str, zone_code: str | None,
                                                             status: Status) -> None:
    result = review(site, "13500", project_type)
    assert (result.zone_code, result.status, result.band) == (zone_code, status, Band.NONE)
    assert (result.threshold_wan_per_mu, result.ratio, result.shortfall_wan) == (None, None, None)
    assert (result.min_investment_wan, result.max_area_mu) == (None, None)


def test_the_site_is_measured_in_its_own_gauss_kruger_zone() -> None:
    # 200 m × 150 m drawn in EPSG:4550 (CM 123°E) near Shanghai: 30 000 m² there, whatever it is in EPSG:4549.
    to_lonlat = Transformer.from_crs(4550, 4490, always_xy=True)
    rect = shapely.box(400_000, 3_450_000, 400_200, 3_450_150)
    site = shapely.transform(rect, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
    result = review(site, "13500", candidates=Candidates())
    assert (result.gauss_kruger_epsg, result.area_m2, result.status) == (4550, D("30000.00"), Status.OUTSIDE_ZONE)


def _problem(geometry: dict[str, Any]) -> str:
    with pytest.raises(InputError) as caught:
        parse_site(geometry)
    assert caught.value.status_code == 422 and caught.value.code == "invalid_geometry"
    return caught.value.en


def test_a_polygon_or_multipolygon_in_china_is_a_site() -> None:
    rect = gk_rect(0, 0, 200, 150)
    assert parse_site(dict(mapping(rect))).equals(rect)
    assert parse_site(dict(mapping(shapely.MultiPolygon([rect])))).geom_type == "MultiPolygon"


def test_a_bad_site_says_what_is_wrong() -> None:
    lon, lat = 119.95, 31.67
    square = [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.002], [lon, lat + 0.002], [lon, lat]]
    assert "expected a polygon" in _problem({"type": "Point", "coordinates": [lon, lat]})
    assert "value 'LineString'" in _problem({"type": "LineString", "coordinates": square})
    bowtie = [[lon, lat], [lon + 0.002, lat + 0.002], [lon + 0.002, lat], [lon, lat + 0.002], [lon, lat]]
    message = _problem({"type": "Polygon", "coordinates": [bowtie]})
    assert message.startswith("选址 site, geometry: value 'Self-intersection[") and "self-intersecting" in message
    assert "outside China" in _problem({"type": "Polygon", "coordinates": [[[lat, lon] for lon, lat in square]]})
    assert "outside China" in _problem({"type": "Polygon", "coordinates": [[[x + 250, y] for x, y in square]]})
    assert "the geometry is empty" in _problem({"type": "Polygon", "coordinates": []})
    assert "not a GeoJSON geometry" in _problem({"type": "Polygon"})
    assert "not a GeoJSON geometry" in _problem({"type": "Feature", "geometry": None})
    assert "not a GeoJSON geometry" in _problem({"type": "Polygon", "coordinates": [[[lon, lat], [lon, lat]]]})
