"""Where parcels lie: their overlap with every zone they touch and with each other, in the Gauss-Krüger plane.

Each parcel is measured in the plane of its own zone (`rules.own_gk_epsgs`). Candidates are found in
lon/lat from bounding boxes alone (`etl.boxes`): a parcel whose box meets no edge of a zone lies wholly
inside it (overlapping it by its whole area) or wholly outside, and one corner of the box tells which.
Only parcels near a zone's edge, and pairs of parcels whose boxes meet, are made into geometries,
projected with their zones or neighbours into that same plane and intersected there, so a share or an
overlap is always a ratio of areas measured alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import shapely

from etl.boxes import Grid, meeting
from etl.shapes import GeometriesOf
from mujun import rules
from mujun.rules import CHINA_BOUNDS, Policy

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
    jurisdictions: np.ndarray

    @classmethod
    def of(cls, codes: Sequence[str], geometries: Sequence[object], areas_m2: Sequence[float | Decimal],
           classes: Sequence[str], jurisdictions: Sequence[str], policy: Policy) -> ZoneSet:
        thresholds = [policy.threshold_for(j, c) for j, c in zip(jurisdictions, classes, strict=True)]
        return cls(objects(codes), objects(geometries),
                   np.array([float(a) for a in areas_m2], dtype=float),
                   np.array([int(t * 100) if t is not None else 0 for t in thresholds], dtype=np.int64),
                   np.array([t is not None for t in thresholds], dtype=bool), objects(jurisdictions))

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

    @classmethod
    def joined(cls, zones: ZoneSet, parts: Sequence[Placement]) -> Placement:
        """The parcels of `parts` one after another."""
        if not parts:
            return cls(zones, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
        return cls(zones, *(np.concatenate([getattr(p, name) for p in parts]) for name in ("zone", "share", "straddles")))

    def take(self, rows: np.ndarray) -> Placement:
        return Placement(self.zones, self.zone[rows], self.share[rows], self.straddles[rows])


def _bands(epsg: np.ndarray) -> list[tuple[int, np.ndarray]]:
    return [(int(e), np.flatnonzero(epsg == e)) for e in np.unique(epsg)]


EDGE_PAD = 1e-9
"""Degrees added round each piece of a zone's edge: more than any rounding of the points cut along it."""
MAX_EDGE_PIECES = 1_000_000
"""Zones' edges are cut into no more pieces than this, however small the parcels."""


def _edge_pieces(zones: np.ndarray, piece: float) -> tuple[np.ndarray, np.ndarray]:
    """Boxes round the edges of every ring of `zones`, each edge cut into pieces no longer than `piece` (so a
    diagonal edge's boxes hug it), and the zone of each box."""
    parts, part_zone = shapely.get_parts(zones, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    start, end, zone = xy[:-1][same], xy[1:][same], part_zone[ring_part[ring[:-1][same]]]
    length = np.max(np.abs(end - start), axis=1)
    cuts = np.maximum(1, np.ceil(length / max(piece, float(length.sum()) / MAX_EDGE_PIECES))).astype(np.int64)
    edge = np.repeat(np.arange(len(cuts)), cuts)
    k = (np.arange(int(cuts.sum())) - np.repeat(np.cumsum(cuts) - cuts, cuts))[:, None]
    step = (end - start)[edge] / cuts[edge][:, None]
    a, b = start[edge] + k * step, np.where(k + 1 == cuts[edge][:, None], end[edge], start[edge] + (k + 1) * step)
    return np.hstack((np.minimum(a, b) - EDGE_PAD, np.maximum(a, b) + EDGE_PAD)), zone[edge]


@dataclass(frozen=True)
class ZoneEdges:
    """The zones' boxes, and boxes round their edges cut into pieces no longer than a parcel (`_edge_pieces`), each
    set listed in a grid (`etl.boxes.Grid`) once for all the parcels a load places, a part at a time."""

    zones: ZoneSet
    boxes: Grid
    edges: Grid
    edge_zone: np.ndarray

    @classmethod
    def of(cls, zones: ZoneSet, parcel_bounds: np.ndarray) -> ZoneEdges:
        """Edges cut to the typical side of the parcels whose boxes are `parcel_bounds` (NaN rows left out); any
        parcel inside China (`rules.CHINA_BOUNDS`) can then be placed."""
        shapely.prepare(zones.lonlat)
        sides = np.maximum(parcel_bounds[:, 2] - parcel_bounds[:, 0], parcel_bounds[:, 3] - parcel_bounds[:, 1])
        sides = sides[np.isfinite(sides)]
        typical = max(float(np.median(sides)) if len(sides) else 0.0, EDGE_PAD)
        edges, edge_zone = _edge_pieces(zones.lonlat, typical)
        boxes = shapely.bounds(zones.lonlat).reshape(-1, 4)
        return cls(zones, Grid.over(boxes, CHINA_BOUNDS, typical), Grid.over(edges, CHINA_BOUNDS, typical), edge_zone)


def zone_overlaps(bounds: np.ndarray, geometries_of: GeometriesOf, epsg: np.ndarray, area_m2: np.ndarray,
                  zones: ZoneSet, edges: ZoneEdges | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parcel, zone, overlap m²) for every zone each parcel touches; `bounds`: each parcel's box in lon/lat,
    `geometries_of`: the parcels an index names, `area_m2`: each one's own planar area; `edges`: the zones'
    edges, when made already."""
    if not len(zones) or not len(bounds):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    edges = edges if edges is not None else ZoneEdges.of(zones, bounds)
    parcel, zone = edges.boxes.meets(bounds)
    near_parcel, near_edge = edges.edges.meets(bounds)
    on_edge = np.isin(parcel * len(zones) + zone, near_parcel * len(zones) + edges.edge_zone[near_edge])
    overlap = area_m2[parcel].astype(float)
    # No edge of the zone meets the parcel's box: the box, and the parcel, is wholly inside it or wholly out.
    clear = np.flatnonzero(~on_edge)
    corner = bounds[parcel[clear]]
    inside = shapely.contains_xy(zones.lonlat[zone[clear]], corner[:, 0], corner[:, 1])  # each pair's zone, prepared
    overlap[clear[~inside]] = 0.0
    # Near an edge: the parcel itself, covered by the zone or intersected with it in the Gauss-Krüger plane.
    edge = np.flatnonzero(on_edge)
    lonlat = geometries_of(parcel[edge])
    crossing = ~shapely.covers(zones.lonlat[zone[edge]], lonlat)
    overlap[edge[crossing]] = 0.0
    meets = shapely.intersects(zones.lonlat[zone[edge[crossing]]], lonlat[crossing])
    edge, lonlat = edge[crossing][meets], lonlat[crossing][meets]
    for band, chosen in _bands(epsg[parcel[edge]]):
        pairs = edge[chosen]
        near = np.unique(zone[pairs])
        planar_zones = np.empty(len(zones), dtype=object)
        planar_zones[near] = rules.to_gauss_kruger(zones.lonlat[near], band)
        overlap[pairs] = shapely.area(shapely.intersection(rules.to_gauss_kruger(lonlat[chosen], band), planar_zones[zone[pairs]]))
    return parcel, zone, overlap


def place(bounds: np.ndarray, geometries_of: GeometriesOf, epsg: np.ndarray, area_m2: np.ndarray, zones: ZoneSet,
          edges: ZoneEdges | None = None) -> Placement:
    """Each parcel's zone under the rules (`rules.choose_zones`); parcels given as in `zone_overlaps`."""
    parcel, zone, overlap = zone_overlaps(bounds, geometries_of, epsg, area_m2, zones, edges)
    chosen, share, straddles = rules.choose_zones(area_m2, parcel, zone, overlap, zones.area_m2, zones.rank)
    return Placement(zones, chosen, share, straddles)


def parcel_overlaps(bounds: np.ndarray, geometries_of: GeometriesOf, epsg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of parcels (i < j) overlapping by more than OVERLAP_TOLERANCE_M2, and by how much (m²); parcels
    given by their boxes and geometries as in `zone_overlaps`.

    Parcels are compared within the plane of their own zone; two whose centroids fall in different
    3-degree zones are not compared (they would have to overlap across a zone boundary).
    """
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for band, index in _bands(epsg):
        a, b = meeting(bounds[index])  # parcels whose boxes are apart cost no geometry and no intersection
        near = np.unique(np.concatenate((a, b)))
        planar = np.empty(len(index), dtype=object)
        if len(near):
            planar[near] = rules.to_gauss_kruger(geometries_of(index[near]), band)
        area = shapely.area(shapely.intersection(planar[a], planar[b])) if len(a) else np.zeros(0)
        big = area > OVERLAP_TOLERANCE_M2
        found.append((index[a[big]], index[b[big]], area[big]))
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]
