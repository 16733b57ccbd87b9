"""BD-09 and BD-09MC against pairs published by others: Baidu's own (a location its services gave in both BD-09 and
BD-09MC) and the coordtransform libraries' fixtures, which every port of them repeats."""

from __future__ import annotations

import numpy as np
import pytest

from mujun.bd09 import bd09_to_mercator, gcj02_to_bd09
from mujun.gcj02 import wgs84_to_gcj02


def one(pair: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
    return float(pair[0][0]), float(pair[1][0])


def test_gcj02_to_bd09_against_the_coordtransform_fixture() -> None:
    # gcj02tobd09(116.404, 39.915) = (116.41036949371029, 39.92133699351021)
    lon, lat = one(gcj02_to_bd09(np.array([116.404]), np.array([39.915])))
    assert (lon, lat) == (pytest.approx(116.41036949371029, abs=1e-12), pytest.approx(39.92133699351021, abs=1e-12))


def test_wgs84_through_gcj02_to_bd09_against_the_coordtransform_fixture() -> None:
    # wgs84_to_bd09(116.404, 39.915) = (116.41662724378733, 39.922699552216216)
    lon, lat = one(gcj02_to_bd09(*wgs84_to_gcj02(np.array([116.404]), np.array([39.915]))))
    assert (lon, lat) == (pytest.approx(116.41662724378733, abs=1e-11), pytest.approx(39.922699552216216, abs=1e-11))


def test_bd09_to_bd09mc_against_baidus_own_pair() -> None:
    # Baidu's DuerOS demo location: bd09ll (116.40387397, 39.91488908), bd09mc (12958160.970501, 4825907.7315861).
    x, y = one(bd09_to_mercator(np.array([116.40387397]), np.array([39.91488908])))
    assert (x, y) == (pytest.approx(12958160.970501, abs=1e-4), pytest.approx(4825907.7315861, abs=1e-4))
    # Baidu's IP location answer for Beijing, printed to the centimetre: (116.403874, 39.914889) → (12958160.97, 4825907.72).
    x, y = one(bd09_to_mercator(np.array([116.403874]), np.array([39.914889])))
    assert (x, y) == (pytest.approx(12958160.97, abs=0.005), pytest.approx(4825907.72, abs=0.005))


def test_the_bands_of_latitude_across_china_meet_within_half_a_metre() -> None:
    # The polynomial changes at 15°, 30° and 45° inside China (18°–54°N): a mistyped coefficient would tear the plane
    # there by kilometres. Baidu's own table tears by 0.41 m at 45° (and 14.6 m at 60°, north of China).
    for edge in (15.0, 30.0, 45.0):
        below = one(bd09_to_mercator(np.array([120.0]), np.array([edge - 1e-9])))
        at = one(bd09_to_mercator(np.array([120.0]), np.array([edge])))
        assert abs(at[1] - below[1]) < 0.5 and abs(at[0] - below[0]) < 0.01, edge


def test_the_southern_and_western_hemispheres_mirror_the_northern_and_eastern() -> None:
    x, y = one(bd09_to_mercator(np.array([-116.40387397]), np.array([-39.91488908])))
    assert (x, y) == (pytest.approx(-12958160.970501, abs=1e-4), pytest.approx(-4825907.7315861, abs=1e-4))
