"""Typed coordinates: lon/lat either way round, Gauss-Krüger with and without the zone number."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from mujun.coords import parse_point
from mujun.errors import MujunError


def test_lon_lat_and_swapped() -> None:
    assert parse_point("119.95, 31.78", None).read_as == "lon/lat"
    swapped = parse_point("31.78 119.95", None)
    assert (swapped.lon, swapped.lat, swapped.read_as) == (119.95, 31.78, "lat/lon (swapped)")


def test_gauss_kruger_with_zone_number_needs_no_configuration() -> None:
    # 40 495 000 = zone 40 (CM 120°E), 5 km west of the meridian: EPSG:4528.
    point = parse_point("40495000,3520000", None)
    lon, lat = Transformer.from_crs(4528, 4490, always_xy=True).transform(40_495_000, 3_520_000)
    assert point.read_as == "EPSG:4528 x/y"
    assert point.lon == pytest.approx(lon, abs=1e-9) and point.lat == pytest.approx(lat, abs=1e-9)
    assert 119.9 < point.lon < 120.0 and 31.7 < point.lat < 31.9


def test_gauss_kruger_without_zone_needs_the_central_meridian() -> None:
    point = parse_point("3520000 495000", 120)  # northing first, as Chinese surveyors write X
    assert point.read_as == "EPSG:4549 x/y"
    with pytest.raises(MujunError) as refused:
        parse_point("495000,3520000", None)
    assert "MUJUN_GK_CENTRAL_MERIDIAN" in refused.value.en


def test_nonsense_is_refused() -> None:
    with pytest.raises(MujunError):
        parse_point("12, 13", 120)
