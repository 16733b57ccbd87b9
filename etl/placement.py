"""Where parcels lie: their overlap with every zone they touch and with each other, in the Gauss-Krüger plane.

Each parcel is measured in the plane of its own zone (`rules.own_gk_epsgs`). Candidates are found in
lon/lat, by bounding boxes and then the prepared zones: a parcel a zone covers overlaps it by its whole
area (no intersection is computed). Only parcels crossing a zone edge, and pairs of parcels whose boxes
meet, are projected with their zones or neighbours into that same plane and intersected there, so a
share or an overlap is always a ratio of areas measured alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import shapely

from mujun import rules
from mujun.rules import Policy

MIN_HALF = 5000
"""Parcels below twice this are placed on one thread: a second one would cost more than it saves."""
OVERLAP_TOLERANCE_M2 = 1.0
"""Overlaps between parcels smaller than this (m²) are slivers of digitising, not two claims on the land."""


def objects(values: Sequence[object]) -> np.ndarray:
    """A 1-D object array of `values` (numpy would make a 2-D array of a list of equal-length strings' tuples)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def is_none(values: np.ndarray) -> np.ndarray:
    """Where an object array holds None."""
    return np.equal(values, np.array(None, dtype=object))


@dataclass(frozen=True)
class ZoneSet:
    """The zones parcels are placed in, with what the rules need of each (threshold in 0.01 万元/亩)."""

    codes: np.ndarray
    lonlat: np.ndarray
    area_m2: np.ndarray
    threshold_cents: np.ndarray
    has_threshold: np.ndarray

    @classmethod
    def of(cls, codes: Sequence[str], geometries: Sequence[object], areas_m2: Sequence[float | Decimal],
           classes: Sequence[str], jurisdictions: Sequence[str], policy: Policy) -> ZoneSet:
        thresholds = [policy.threshold_for(j, c) for j, c in zip(jurisdictions, classes, strict=True)]
        return cls(objects(codes), objects(geometries),
                   np.array([float(a) for a in areas_m2], dtype=float),
                   np.array([int(t * 100) if t is not None else 0 for t in thresholds], dtype=np.int64),
                   np.array([t is not None for t in thresholds], dtype=bool))

    @property
    def rank(self) -> np.ndarray:
        """Each zone's place in the order of codes: the last tie-break of the zone rules."""
        return np.argsort(np.argsort(self.codes.astype(str), kind="stable"), kind="stable")

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Placement:
    """Each parcel's zone (index into the ZoneSet, −1: none), its share in 0.0001 and whether it straddles."""

    zones: ZoneSet
    zone: np.ndarray
    share: np.ndarray
    straddles: np.ndarray

    def zone_codes(self) -> np.ndarray:
        out = np.full(len(self.zone), None, dtype=object)
        inside = self.zone >= 0
        out[inside] = self.zones.codes[self.zone[inside]]
        return out


def _bands(epsg: np.ndarray) -> list[tuple[int, np.ndarray]]:
    return [(int(e), np.flatnonzero(epsg == e)) for e in np.unique(epsg)]


def zone_overlaps(lonlat: np.ndarray, epsg: np.ndarray, area_m2: np.ndarray, zones: ZoneSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parcel, zone, overlap m²) for every zone each parcel touches; `area_m2`: each parcel's own planar area."""
    if not len(zones) or not len(lonlat):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    shapely.prepare(zones.lonlat)
    parcel, zone = shapely.STRtree(zones.lonlat).query(lonlat)
    overlap = area_m2[parcel].astype(float)
    edge = np.flatnonzero(~shapely.covers(zones.lonlat[zone], lonlat[parcel]))
    overlap[edge] = 0.0
    edge = edge[shapely.intersects(zones.lonlat[zone[edge]], lonlat[parcel[edge]])]
    for band, chosen in _bands(epsg[parcel[edge]]):
        pairs = edge[chosen]
        near = np.unique(zone[pairs])
        planar_zones = np.empty(len(zones), dtype=object)
        planar_zones[near] = rules.to_gauss_kruger(zones.lonlat[near], band)
        overlap[pairs] = shapely.area(shapely.intersection(rules.to_gauss_kruger(lonlat[parcel[pairs]], band), planar_zones[zone[pairs]]))
    return parcel, zone, overlap


def _zone_overlaps_in_halves(lonlat: np.ndarray, epsg: np.ndarray, area_m2: np.ndarray,
                             zones: ZoneSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`zone_overlaps`, each half of the parcels on a thread of its own (GEOS works without the GIL). A prepared
    geometry is not to be shared between threads: the second half gets its own copy of the zones."""
    middle = len(lonlat) // 2
    if middle < MIN_HALF:
        return zone_overlaps(lonlat, epsg, area_m2, zones)
    copy = replace(zones, lonlat=shapely.from_wkb(shapely.to_wkb(zones.lonlat)))  # WKB keeps every double exactly
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(zone_overlaps, lonlat[:middle], epsg[:middle], area_m2[:middle], zones)
        second = pool.submit(zone_overlaps, lonlat[middle:], epsg[middle:], area_m2[middle:], copy)
        (p1, z1, o1), (p2, z2, o2) = first.result(), second.result()
    return np.concatenate((p1, p2 + middle)), np.concatenate((z1, z2)), np.concatenate((o1, o2))


def place(lonlat: np.ndarray, epsg: np.ndarray, area_m2: np.ndarray, zones: ZoneSet) -> Placement:
    """Each parcel's zone under the rules (`rules.choose_zones`)."""
    parcel, zone, overlap = _zone_overlaps_in_halves(lonlat, epsg, area_m2, zones)
    chosen, share, straddles = rules.choose_zones(area_m2, parcel, zone, overlap, zones.area_m2, zones.rank)
    return Placement(zones, chosen, share, straddles)


def parcel_overlaps(lonlat: np.ndarray, epsg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of parcels (i < j) overlapping by more than OVERLAP_TOLERANCE_M2, and by how much (m²).

    Parcels are compared within the plane of their own zone; two whose centroids fall in different
    3-degree zones are not compared (they would have to overlap across a zone boundary).
    """
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for band, index in _bands(epsg):
        shapes = lonlat[index]
        a, b = shapely.STRtree(shapes).query(shapes)  # bounding boxes: parcels apart cost no intersection
        keep = a < b
        a, b = a[keep], b[keep]
        near = np.unique(np.concatenate((a, b)))
        planar = np.empty(len(shapes), dtype=object)
        planar[near] = rules.to_gauss_kruger(shapes[near], band)
        area = shapely.area(shapely.intersection(planar[a], planar[b])) if len(a) else np.zeros(0)
        big = area > OVERLAP_TOLERANCE_M2
        found.append((index[a[big]], index[b[big]], area[big]))
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]
