"""The rules officials enforce, in one pure-Python place (see DOMAIN.md).

Areas, the zone of a parcel, the threshold, 亩均投资强度 (investment per mu), status, ratio, band and
shortfall. The ETL applies them to stored parcels and the API to a proposed site; nothing else restates
them (not SQL, not JavaScript, not a template).

Money is in 万元 and areas in m² or 亩, carried as `Decimal` so that a figure an official works out by
hand with a calculator is the figure shown: areas to 0.01 m², intensities to 0.01 万元/亩.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from mujun import _transverse_mercator

# 1 亩 = 10000/15 m² exactly (1 公顷 = 15 亩): the factor is kept as a ratio, never rounded.
M2_PER_MU_NUMERATOR = Decimal(10000)
M2_PER_MU_DENOMINATOR = Decimal(15)
CENT = Decimal("0.01")
ZERO_WAN = Decimal("0.00")
RATIO_STEP = Decimal("0.0001")
AREA_MISMATCH_TOLERANCE = Decimal("0.01")
STRADDLE_SHARE = Decimal("0.5")
# Overlaps within this many m² of the largest one count as a tie (nested zones give the same overlap,
# up to floating-point noise in the intersection).
TIE_TOLERANCE_M2 = 0.01
BELOW_BAND_FLOOR = Decimal("0.8")

GEOGRAPHIC_SRID = 4490
"""CGCS2000 geographic: how geometries are stored (lon/lat order, as RFC 7946 GeoJSON)."""
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
"""Roughly China's extent, lon/lat: a geometry outside it was given in the wrong CRS or axis order."""


class Status(StrEnum):
    MEETS = "meets"
    BELOW = "below"
    NOT_ASSESSED = "not_assessed"
    OUTSIDE_ZONE = "outside_zone"


class Band(StrEnum):
    """Map colour bands of the ratio intensity ÷ threshold."""

    MEETS = "meets"  # ≥ 1.0
    BELOW = "below"  # 0.8 – 1.0
    FAR_BELOW = "far_below"  # < 0.8
    NONE = "none"  # no value: grey


class Flag(StrEnum):
    AREA_MISMATCH = "area_mismatch"
    STRADDLES_ZONES = "straddles_zones"
    GEOMETRY_REPAIRED = "geometry_repaired"
    SPANS_ZONES = "spans_zones"
    UNKNOWN_PROJECT = "unknown_project"
    MISSING_INVESTMENT = "missing_investment"


ASSESSED_PROJECT_TYPES = frozenset({"industrial"})

STAGES = ("意向", "签约", "预备", "开工", "竣工", "评估")
"""The six stages of a project (intention, signed, preparation, under construction, completed, evaluated)."""


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mu_from_m2(area_m2: Decimal) -> Decimal:
    """亩 from m², exact: area × 15 / 10000 (no rounded factor)."""
    return area_m2 * M2_PER_MU_DENOMINATOR / M2_PER_MU_NUMERATOR


def m2_from_mu(area_mu: Decimal) -> Decimal:
    return _cents(area_mu * M2_PER_MU_NUMERATOR / M2_PER_MU_DENOMINATOR)


def gk_central_meridian(lon: float) -> int:
    """Central meridian of the 3-degree Gauss-Krüger zone holding `lon`: CM = 3·round(lon/3).

    Rounded half up (a longitude exactly on a zone edge goes east), not Python's half-to-even.
    """
    return 3 * math.floor(lon / 3 + 0.5)


def gk_epsg(lon: float, zone_prefix: bool = False) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone holding `lon`.

    Without the zone number in the easting: 4534 + (CM−75)/3 (CM 120°E → 4549); with it
    (x ≈ 40 500 000): 4513 + (CM−75)/3 (CM 120°E → 4528).
    """
    cm = gk_central_meridian(lon)
    if not 75 <= cm <= 135:
        raise ValueError(f"longitude {lon} is outside China's Gauss-Krüger zones (75°E–135°E)")
    return (4513 if zone_prefix else 4534) + (cm - 75) // 3


@dataclass(frozen=True)
class TransverseMercator:
    """A transverse Mercator plane (a Gauss-Krüger zone) as EPSG defines it, projected onto by Krüger's series in
    the form Evenden and Snyder give them (PROJ's `tmerc approx`), compiled (`mujun/_transverse_mercator.pyx`).
    Within a 3-degree zone (1.5° either side of its meridian) it agrees with the exact (Poder/Engsager) form to
    2·10⁻⁷ m, and the difference varies so slowly that no area changes by 10⁻⁵ m²: a thousandth of the 0.01 m²
    areas are kept to (tests/mujun/test_rules.py measures both against PROJ)."""

    a: float
    es: float
    k0: float
    lon0: float
    lat0: float
    x0: float
    y0: float
    arc: np.ndarray
    """The meridian arc on the unit ellipsoid: arc[0]·φ + Σ arc[j]·sin 2jφ."""

    def project(self, x: np.ndarray, y: np.ndarray) -> None:
        """Lon/lat (CGCS2000, degrees; contiguous float64) made eastings and northings in place (releases the GIL)."""
        _transverse_mercator.project(x, y, self.a, self.es, self.k0, self.lon0, self.lat0, self.x0, self.y0, self.arc)


def meridian_arc_series(es: float, terms: int = 10) -> np.ndarray:
    """The meridian arc from the equator on an ellipsoid of semi-major axis 1 and squared eccentricity `es`, as
    arc[0]·φ + Σ arc[j]·sin 2jφ: (1 − e²)·∫ (1 − e² sin²t)^(−3/2) dt, the integrand's binomial series in e² sin²t
    integrated term by term, to e^40 (far past double precision)."""
    arc = np.zeros(terms + 1)
    for k in range(21):
        c_k = Fraction(math.prod(range(1, 2 * k + 2, 2)), 2**k * math.factorial(k))  # (2k+1)!!/(2^k k!)
        weight = float(c_k / 4**k) * es**k * (1 - es)
        arc[0] += weight * math.comb(2 * k, k)
        for j in range(1, min(k, terms) + 1):  # ∫ sin^2k = C(2k,k)/4^k·t + Σ (−1)^j C(2k,k−j)/(4^k j)·sin 2jt
            arc[j] += weight * (-1) ** j * math.comb(2 * k, k - j) / j
    return arc


@lru_cache(maxsize=32)
def gauss_kruger(epsg: int) -> TransverseMercator:
    """The Gauss-Krüger plane `epsg` (CGCS2000 3-degree zones: 4513–4533 with the zone number in the easting,
    4534–4554 without), from EPSG's own definition of it."""
    crs = CRS.from_epsg(epsg)
    operation, ellipsoid = crs.coordinate_operation, crs.ellipsoid
    if operation is None or ellipsoid is None or operation.method_name != "Transverse Mercator":
        raise ValueError(f"EPSG:{epsg} is not a transverse Mercator plane")
    given = {p.name: float(p.value) for p in operation.params}
    es = 1 / ellipsoid.inverse_flattening * (2 - 1 / ellipsoid.inverse_flattening)
    return TransverseMercator(ellipsoid.semi_major_metre, es, given["Scale factor at natural origin"],
                              given["Longitude of natural origin"], given["Latitude of natural origin"], given["False easting"],
                              given["False northing"], meridian_arc_series(es))


def to_gauss_kruger(geometries: np.ndarray | BaseGeometry, epsg: int) -> np.ndarray | BaseGeometry:
    """Project lon/lat (CGCS2000) geometries onto the plane of one Gauss-Krüger zone."""
    plane = gauss_kruger(epsg)

    def projected(xy: np.ndarray) -> np.ndarray:
        x, y = np.ascontiguousarray(xy[:, 0], dtype=float), np.ascontiguousarray(xy[:, 1], dtype=float)
        plane.project(x, y)
        return np.column_stack([x, y])

    return shapely.transform(geometries, projected)


def planar_m2(area: float) -> Decimal:
    """A planar area in m², to 0.01 m² as cadastral areas are kept."""
    return _cents(Decimal(repr(float(area))))


def gk_area_m2(geometry: BaseGeometry) -> Decimal:
    """Planar area (m², to 0.01) in the Gauss-Krüger zone of the geometry's centroid, as cadastres measure."""
    epsg = gk_epsg(geometry.centroid.x)
    return planar_m2(shapely.area(to_gauss_kruger(geometry, epsg)))


def official_area_m2(geometry_area_m2: Decimal, recorded_area_m2: Decimal | None) -> Decimal:
    """The area officials use: the recorded one (出让面积) when the contract gives it, else the geometry's."""
    return recorded_area_m2 if recorded_area_m2 is not None else geometry_area_m2


def area_mismatch(geometry_area_m2: Decimal, recorded_area_m2: Decimal | None) -> bool:
    """True when the recorded area differs from the geometry's by more than 1% of the geometry's."""
    if recorded_area_m2 is None or geometry_area_m2 <= 0:
        return False
    return abs(recorded_area_m2 - geometry_area_m2) > AREA_MISMATCH_TOLERANCE * geometry_area_m2


@dataclass(frozen=True)
class ZoneOverlap:
    """How much of a parcel (m², Gauss-Krüger) lies in one zone, and the zone's own area."""

    zone_code: str
    overlap_m2: float
    zone_area_m2: float


@dataclass(frozen=True)
class ZoneChoice:
    zone_code: str | None
    share: Decimal
    straddles: bool


def choose_zone(parcel_area_m2: float, overlaps: Iterable[ZoneOverlap]) -> ZoneChoice:
    """Zone of a parcel: the zone holding the largest share of its area.

    Where zones nest, the parcel lies equally in both and the smaller zone wins the tie. A parcel with
    less than half of its area in its zone straddles; one in no zone has no zone (and no threshold).
    """
    touching = [o for o in overlaps if o.overlap_m2 > 0]
    if not touching or parcel_area_m2 <= 0:
        return ZoneChoice(None, Decimal(0), False)
    largest = max(o.overlap_m2 for o in touching)
    tied = [o for o in touching if o.overlap_m2 >= largest - TIE_TOLERANCE_M2]
    chosen = min(tied, key=lambda o: (o.zone_area_m2, o.zone_code))
    share = _share(chosen.overlap_m2, parcel_area_m2)
    return ZoneChoice(chosen.zone_code, share.quantize(RATIO_STEP, rounding=ROUND_HALF_UP), share < STRADDLE_SHARE)


def _share(overlap_m2: float, parcel_area_m2: float) -> Decimal:
    return min(Decimal(1), Decimal(repr(float(overlap_m2))) / Decimal(repr(float(parcel_area_m2))))


@dataclass(frozen=True)
class Policy:
    """A threshold table with a name, a city and a year: (jurisdiction, zone class) → 万元/亩."""

    code: str
    name: str
    city: str
    year: int
    thresholds: dict[tuple[str, str], Decimal]
    project_types: frozenset[str] = ASSESSED_PROJECT_TYPES
    source: str = ""

    @property
    def jurisdictions(self) -> list[str]:
        return sorted({jurisdiction for jurisdiction, _ in self.thresholds})

    @property
    def zone_classes(self) -> list[str]:
        return sorted({zone_class for _, zone_class in self.thresholds})

    def threshold_for(self, jurisdiction: str, zone_class: str) -> Decimal | None:
        """门槛: the minimum 亩均投资强度 for a zone of this class in this jurisdiction, if the policy has one."""
        return self.thresholds.get((jurisdiction, zone_class))


@dataclass(frozen=True)
class Assessment:
    """A project's result, shown on each of its parcels."""

    area_mu: Decimal
    intensity_wan_per_mu: Decimal | None
    threshold_wan_per_mu: Decimal | None
    ratio: Decimal | None
    status: Status
    shortfall_wan: Decimal | None
    band: Band
    flags: tuple[Flag, ...] = field(default=())


def intensity_wan_per_mu(total_investment_wan: Decimal, area_mu: Decimal) -> Decimal:
    """亩均投资强度: total investment (万元) per mu of land, to 0.01 万元/亩 as officials see it."""
    return _cents(total_investment_wan / area_mu)


def ratio_of(intensity_wan_per_mu: Decimal, threshold_wan_per_mu: Decimal) -> Decimal:
    """Intensity ÷ threshold, floored to 0.0001: a ratio shown as 1.0000 never belongs to one that falls short."""
    return (intensity_wan_per_mu / threshold_wan_per_mu).quantize(RATIO_STEP, rounding=ROUND_DOWN)


def band_of(ratio: Decimal | None) -> Band:
    if ratio is None:
        return Band.NONE
    if ratio >= 1:
        return Band.MEETS
    return Band.BELOW if ratio >= BELOW_BAND_FLOOR else Band.FAR_BELOW


def assess(
    *,
    project_type: str | None,
    total_investment_wan: Decimal | None,
    area_mu: Decimal,
    threshold_wan_per_mu: Decimal | None,
    in_zone: bool,
    assessed_types: frozenset[str] = ASSESSED_PROJECT_TYPES,
) -> Assessment:
    """Hold one project (all its land) against its zone's threshold.

    Meets when the intensity, rounded to 0.01 万元/亩, is at least the threshold: 4,000 万元 on 10 亩 is
    400.00 and meets 400; 3,999 万元 is 399.90 and does not. Shortfall = threshold × area − investment,
    the extra investment that would make it comply (0 when it meets). Only industrial projects are
    assessed; others are `not_assessed`, never "compliant". Industrial land in no zone has no threshold.
    """
    flags: list[Flag] = []
    intensity = None
    if total_investment_wan is not None and area_mu > 0:
        intensity = intensity_wan_per_mu(total_investment_wan, area_mu)
    if project_type not in assessed_types:
        if project_type is None:
            flags.append(Flag.UNKNOWN_PROJECT)
        return Assessment(area_mu, intensity, None, None, Status.NOT_ASSESSED, None, Band.NONE, tuple(flags))
    if not in_zone:
        return Assessment(area_mu, intensity, None, None, Status.OUTSIDE_ZONE, None, Band.NONE)
    if total_investment_wan is None or intensity is None or threshold_wan_per_mu is None or threshold_wan_per_mu <= 0:
        if intensity is None:
            flags.append(Flag.MISSING_INVESTMENT)
        return Assessment(
            area_mu, intensity, threshold_wan_per_mu, None, Status.NOT_ASSESSED, None, Band.NONE, tuple(flags)
        )
    ratio = ratio_of(intensity, threshold_wan_per_mu)
    meets = intensity >= threshold_wan_per_mu
    shortfall = ZERO_WAN if meets else max(ZERO_WAN, _cents(threshold_wan_per_mu * area_mu - total_investment_wan))
    return Assessment(
        area_mu,
        intensity,
        threshold_wan_per_mu,
        ratio,
        Status.MEETS if meets else Status.BELOW,
        shortfall,
        band_of(ratio),
    )


@dataclass(frozen=True)
class ParcelLand:
    """What the project-level rule needs to know of each parcel of a project."""

    official_area_m2: Decimal
    zone_code: str | None
    zone_area_m2: float
    threshold_wan_per_mu: Decimal | None


@dataclass(frozen=True)
class ProjectZone:
    zone_code: str | None
    threshold_wan_per_mu: Decimal | None
    spans_zones: bool


def project_zone(parcels: Sequence[ParcelLand]) -> ProjectZone:
    """The zone a project is held against: the one holding most of its land (summed over its parcels).

    A tie goes to the smaller zone, as for one parcel. A project whose parcels lie in different zones
    is flagged `spans_zones`. A project none of whose land is in a zone has no zone.
    """
    land_in_zone: dict[str, Decimal] = {}
    zone_info: dict[str, tuple[float, Decimal | None]] = {}
    for parcel in parcels:
        if parcel.zone_code is None:
            continue
        land_in_zone[parcel.zone_code] = land_in_zone.get(parcel.zone_code, Decimal(0)) + parcel.official_area_m2
        zone_info[parcel.zone_code] = (parcel.zone_area_m2, parcel.threshold_wan_per_mu)
    if not land_in_zone:
        return ProjectZone(None, None, False)
    largest = max(land_in_zone.values())
    code = min(
        (code for code, land in land_in_zone.items() if land == largest),
        key=lambda code: (zone_info[code][0], code),
    )
    return ProjectZone(code, zone_info[code][1], len(land_in_zone) > 1)


# Vector forms: the same rules over numpy arrays, for loads of a million parcels. Integers carry the
# decimal places the scalar rules keep, so every comparison and rounding is exact: areas in 0.01 m²,
# land in 10⁻⁶ 亩 (0.01 m² × 15 = 10⁻⁶ 亩, exactly), money in 0.01 万元, intensities and thresholds in
# 0.01 万元/亩, shares and ratios in 0.0001. Each is tested to agree with its scalar rule above.
MICRO_MU_PER_CENTI_M2 = 15
_MAX_CENTS = 4 * 10**12
"""Largest investment (0.01 万元) the integer forms take: ×2·10⁶ must stay inside int64."""


def gk_epsgs(lon: np.ndarray) -> np.ndarray:
    """`gk_epsg` (no zone prefix) of each longitude."""
    cm = 3 * np.floor(np.asarray(lon, dtype=float) / 3 + 0.5)
    if len(cm) and (np.nanmin(cm) < 75 or np.nanmax(cm) > 135):
        raise ValueError("a longitude is outside China's Gauss-Krüger zones (75°E–135°E)")
    return (4534 + (cm - 75) // 3).astype(np.int64)


def own_gk_epsgs(bounds: np.ndarray, geometries_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The EPSG of the Gauss-Krüger zone of each lon/lat geometry's centroid (as `gk_area_m2` chooses), from
    each one's `bounds` (minx, miny, maxx, maxy); `geometries_of` gives the geometries an index names."""
    bounds = bounds.reshape(-1, 4)
    epsgs = gk_epsgs(bounds[:, 0])
    # The centroid lies within the bounds: only a geometry whose bounds cross a zone edge needs it.
    across = np.flatnonzero(epsgs != gk_epsgs(bounds[:, 2]))
    if len(across):
        epsgs[across] = gk_epsgs(shapely.get_x(shapely.centroid(geometries_of(across))))
    return epsgs


def _half_up_hundredths(values: np.ndarray, scalar: Callable[[float], Decimal]) -> np.ndarray:
    """round(value × 100) as the scalar rule rounds; values within float noise of a tie go through it."""
    scaled = np.asarray(values, dtype=float) * 100
    out = np.floor(scaled + 0.5)
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) <= 1e-9 * np.maximum(1.0, np.abs(scaled))
    for i in np.flatnonzero(near_tie):
        out[i] = scalar(float(values[i])) * 100
    return out.astype(np.int64)


def planar_cents(areas: np.ndarray) -> np.ndarray:
    """`planar_m2` of each planar area, in 0.01 m²."""
    return _half_up_hundredths(areas, planar_m2)


def recorded_cents(areas: np.ndarray) -> np.ndarray:
    """A recorded area (m², as read) kept to 0.01 m² as `Decimal.quantize(CENT)` keeps it (half to even)."""
    return _half_up_hundredths(areas, lambda value: Decimal(repr(value)).quantize(CENT))


def area_mismatches(geometry_cents: np.ndarray, recorded: np.ndarray, has_recorded: np.ndarray) -> np.ndarray:
    """`area_mismatch` of each parcel: |recorded − geometry| > 1% of the geometry's area."""
    return has_recorded & (geometry_cents > 0) & (100 * np.abs(recorded - geometry_cents) > geometry_cents)


def choose_zones(parcel_area_m2: np.ndarray, pair_parcel: np.ndarray, pair_zone: np.ndarray, pair_overlap_m2: np.ndarray,
                 zone_area_m2: np.ndarray, zone_rank: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`choose_zone` of each parcel from (parcel, zone, overlap) pairs: chosen zone (−1: none), share in
    0.0001 and whether it straddles. `zone_rank` orders zones as their codes sort."""
    n = len(parcel_area_m2)
    zone, share, straddles = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    area = np.asarray(parcel_area_m2, dtype=float)
    keep = (pair_overlap_m2 > 0) & (area[pair_parcel] > 0)
    p, z, o = pair_parcel[keep], pair_zone[keep], pair_overlap_m2[keep]
    largest = np.full(n, -np.inf)
    np.maximum.at(largest, p, o)
    tied = o >= largest[p] - TIE_TOLERANCE_M2
    p, z, o = p[tied], z[tied], o[tied]
    order = np.lexsort((zone_rank[z], zone_area_m2[z], p))
    first = order[np.r_[True, p[order][1:] != p[order][:-1]]] if len(order) else order
    p, z, o = p[first], z[first], o[first]
    zone[p] = z
    ratio = np.minimum(1.0, o / area[p])
    scaled = ratio * 10000
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) <= 1e-9
    share[p] = np.floor(scaled + 0.5)
    for i in np.flatnonzero(near_tie):
        share[p[i]] = int(_share(o[i], area[p[i]]).quantize(RATIO_STEP, rounding=ROUND_HALF_UP) * 10000)
    straddles[p] = 2 * o < area[p]
    # At a half share the scalar rule's decimal reprs decide: there, ask it.
    for i in np.flatnonzero(np.abs(2 * o - area[p]) <= 1e-9 * area[p]):
        straddles[p[i]] = _share(o[i], area[p[i]]) < STRADDLE_SHARE
    return zone, share, straddles


def project_zones(group: np.ndarray, groups: int, zone: np.ndarray, official_cents: np.ndarray,
                  zone_area_m2: np.ndarray, zone_rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`project_zone` of each project (parcels numbered by `group`): the zone (−1: none) and spans_zones."""
    chosen, spans = np.full(groups, -1, dtype=np.int64), np.zeros(groups, dtype=bool)
    inside = zone >= 0
    if not inside.any():
        return chosen, spans
    zones = len(zone_area_m2)
    keys, inverse = np.unique(group[inside] * zones + zone[inside], return_inverse=True)
    land = np.zeros(len(keys), dtype=np.int64)
    np.add.at(land, inverse, official_cents[inside])
    g, z = keys // zones, keys % zones
    largest = np.zeros(groups, dtype=np.int64)
    np.maximum.at(largest, g, land)
    tied = land == largest[g]
    gt, zt = g[tied], z[tied]
    order = np.lexsort((zone_rank[zt], zone_area_m2[zt], gt))
    first = order[np.r_[True, gt[order][1:] != gt[order][:-1]]]
    chosen[gt[first]] = zt[first]
    spans[:] = np.bincount(g, minlength=groups) > 1
    return chosen, spans


STATUSES, BANDS = tuple(Status), tuple(Band)
"""The order `Assessments` numbers statuses and bands in."""


@dataclass(frozen=True)
class Assessments:
    """`assess` of many projects: integer units as above, each with a mask of where it has a value; status and band
    as their places in STATUSES and BANDS."""

    intensity: np.ndarray
    has_intensity: np.ndarray
    threshold: np.ndarray
    has_threshold: np.ndarray
    ratio: np.ndarray
    has_ratio: np.ndarray
    shortfall: np.ndarray
    has_shortfall: np.ndarray
    status: np.ndarray
    band: np.ndarray
    unknown_project: np.ndarray
    missing_investment: np.ndarray


def assess_many(*, assessed_type: np.ndarray, known_type: np.ndarray, investment_cents: np.ndarray,
                has_investment: np.ndarray, area_micro_mu: np.ndarray, threshold_cents: np.ndarray,
                has_threshold: np.ndarray, in_zone: np.ndarray) -> Assessments:
    """`assess` of each project: `assessed_type` says its type is one the policy assesses, `known_type`
    that it has a type at all (a parcel of no known project has none)."""
    if len(investment_cents) and int(np.max(np.where(has_investment, investment_cents, 0))) > _MAX_CENTS:
        raise ValueError("an investment is too large for the integer rules")
    mu = np.asarray(area_micro_mu, dtype=np.int64)
    has_intensity = has_investment & (mu > 0)
    safe_mu = np.where(has_intensity, mu, 1)
    intensity = np.where(has_intensity, (2 * investment_cents * 1_000_000 + safe_mu) // (2 * safe_mu), 0)
    outside = assessed_type & ~in_zone
    incomplete = assessed_type & in_zone & (~has_intensity | ~has_threshold | (threshold_cents <= 0))
    full = assessed_type & in_zone & ~incomplete
    safe_threshold = np.where(full, threshold_cents, 1)
    ratio = np.where(full, (intensity * 10000) // safe_threshold, 0)
    meets = full & (intensity >= threshold_cents)
    owed = threshold_cents * mu - investment_cents * 1_000_000
    shortfall = np.where(full & ~meets & (owed > 0), (owed + 500_000) // 1_000_000, 0)
    status = np.full(len(mu), STATUSES.index(Status.NOT_ASSESSED), dtype=np.int64)
    status[outside] = STATUSES.index(Status.OUTSIDE_ZONE)
    status[meets] = STATUSES.index(Status.MEETS)
    status[full & ~meets] = STATUSES.index(Status.BELOW)
    band = np.full(len(mu), BANDS.index(Band.NONE), dtype=np.int64)
    band[full] = BANDS.index(Band.FAR_BELOW)
    band[full & (ratio >= int(BELOW_BAND_FLOOR * 10000))] = BANDS.index(Band.BELOW)
    band[full & (ratio >= 10000)] = BANDS.index(Band.MEETS)
    return Assessments(intensity, has_intensity, threshold_cents, (full | incomplete) & has_threshold, ratio, full,
                       shortfall, full, status, band, ~known_type, incomplete & ~has_intensity)
