"""Siting review (选址审查): what the rules require of a proposed site before land is granted.

A site drawn or uploaded as GeoJSON (lon/lat) is measured as a parcel would be, in the CGCS2000
Gauss-Krüger plane of its centroid's zone, and held by `mujun.rules` against the zone holding most of it,
so that 4,000 万元 on 10 亩 meets 400 here exactly as on a stored parcel. The review also reports every
overlap with stored parcels and with 永久基本农田 / 生态保护红线 (which must not be occupied), and the
land outside 城镇开发边界 (where an industrial site does not belong), each in m² of the same plane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely.errors import GeometryTypeError, ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from mujun import rules
from mujun.errors import InputError, Problem
from mujun.rules import Band, Flag, Policy, Status, ZoneOverlap


class ConstraintType(StrEnum):
    """三区三线: the constraint layers a site is checked against."""

    PERMANENT_FARMLAND = "permanent_farmland"  # 永久基本农田
    ECOLOGICAL_REDLINE = "ecological_redline"  # 生态保护红线
    URBAN_DEVELOPMENT_BOUNDARY = "urban_development_boundary"  # 城镇开发边界


PROTECTED = (ConstraintType.PERMANENT_FARMLAND, ConstraintType.ECOLOGICAL_REDLINE)
"""Land that must not be occupied: every overlap with it is reported, with its area."""


@dataclass(frozen=True)
class ZoneCandidate:
    zone_code: str
    name: str
    zone_class: str
    jurisdiction: str
    area_m2: Decimal
    geometry: BaseGeometry


@dataclass(frozen=True)
class ParcelCandidate:
    parcel_code: str | None
    """None: a parcel of a district the reviewer does not see (the overlap is reported, its code withheld)."""
    geometry: BaseGeometry


@dataclass(frozen=True)
class ConstraintCandidate:
    code: str
    constraint_type: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Candidates:
    """What lies under the site (fetched by an intersection query), in lon/lat."""

    zones: Sequence[ZoneCandidate] = ()
    parcels: Sequence[ParcelCandidate] = ()
    constraints: Sequence[ConstraintCandidate] = ()


@dataclass(frozen=True)
class ParcelOverlap:
    parcel_code: str | None
    area_m2: Decimal


@dataclass(frozen=True)
class ConstraintOverlap:
    constraint_type: str
    code: str
    area_m2: Decimal


@dataclass(frozen=True)
class SitingReview:
    area_m2: Decimal
    area_mu: Decimal
    gauss_kruger_epsg: int
    project_type: str
    total_investment_wan: Decimal
    policy_code: str
    zone_code: str | None
    zone_name: str | None
    zone_share: Decimal
    threshold_wan_per_mu: Decimal | None
    intensity_wan_per_mu: Decimal | None
    ratio: Decimal | None
    status: Status
    band: Band
    shortfall_wan: Decimal | None
    min_investment_wan: Decimal | None
    """门槛投资: threshold × area to 0.01 万元 (half-up, as the shortfall): investing it meets."""
    max_area_mu: Decimal | None
    """The land the planned investment carries at the threshold, rounded down to 0.01 亩."""
    flags: tuple[str, ...]
    parcel_overlaps: tuple[ParcelOverlap, ...]
    constraint_overlaps: tuple[ConstraintOverlap, ...]
    outside_development_boundary_m2: Decimal


def _overlaps(site_gk: BaseGeometry, geometries: list[BaseGeometry], epsg: int) -> list[Decimal]:
    if not geometries:
        return []
    projected = rules.to_gauss_kruger(np.array(geometries, dtype=object), epsg)
    return [rules.planar_m2(area) for area in shapely.area(shapely.intersection(site_gk, projected))]


def review_site(
    site: BaseGeometry,
    *,
    total_investment_wan: Decimal,
    project_type: str,
    policy: Policy,
    candidates: Candidates,
) -> SitingReview:
    """Review a proposed site (lon/lat, CGCS2000) for a project of `project_type` investing `total_investment_wan`.

    The site's zone is chosen as a parcel's is (largest share; nested zones: the smaller wins a tie) and
    the project assessed on the whole site with `rules.assess`. Where it is assessed, `min_investment_wan`
    is threshold × area and `max_area_mu` investment ÷ threshold; a site that is not industrial or lies
    in no zone has neither. Overlaps that only touch (0.00 m²) are left out.
    """
    epsg = rules.gk_epsg(site.centroid.x)
    site_gk = rules.to_gauss_kruger(site, epsg)
    site_area = float(shapely.area(site_gk))
    area_m2 = rules.planar_m2(site_area)
    area_mu = rules.mu_from_m2(area_m2)

    zones = list(candidates.zones)
    zone_areas = _overlaps(site_gk, [z.geometry for z in zones], epsg)
    choice = rules.choose_zone(site_area, [ZoneOverlap(z.zone_code, float(a), float(z.area_m2))
                                           for z, a in zip(zones, zone_areas, strict=True)])
    zone = next((z for z in zones if z.zone_code == choice.zone_code), None)
    threshold = policy.threshold_for(zone.jurisdiction, zone.zone_class) if zone else None
    result = rules.assess(project_type=project_type, total_investment_wan=total_investment_wan, area_mu=area_mu,
                          threshold_wan_per_mu=threshold, in_zone=zone is not None,
                          assessed_types=policy.project_types)

    min_investment = max_area = None
    if result.status in (Status.MEETS, Status.BELOW) and result.threshold_wan_per_mu is not None:
        # Half-up, as the shortfall: investment + shortfall = minimum, and investing it meets (intensity is
        # compared at 0.01 万元/亩, so the ≤ 0.005 万元 rounded off never decides a site of 1 亩 or more).
        min_investment = (result.threshold_wan_per_mu * area_mu).quantize(rules.CENT, rounding=ROUND_HALF_UP)
        max_area = (total_investment_wan / result.threshold_wan_per_mu).quantize(rules.CENT, rounding=ROUND_DOWN)
    flags = [f.value for f in result.flags] + ([Flag.STRADDLES_ZONES.value] if choice.straddles else [])

    parcels = list(candidates.parcels)
    parcel_overlaps = [ParcelOverlap(p.parcel_code, a)
                       for p, a in zip(parcels, _overlaps(site_gk, [p.geometry for p in parcels], epsg), strict=True)
                       if a > 0]
    protected = [c for c in candidates.constraints if c.constraint_type in PROTECTED]
    constraint_overlaps = [
        ConstraintOverlap(c.constraint_type, c.code, a)
        for c, a in zip(protected, _overlaps(site_gk, [c.geometry for c in protected], epsg), strict=True) if a > 0
    ]
    boundaries = [c.geometry for c in candidates.constraints
                  if c.constraint_type == ConstraintType.URBAN_DEVELOPMENT_BOUNDARY]
    inside = shapely.union_all(rules.to_gauss_kruger(np.array(boundaries, dtype=object), epsg)) if boundaries else None
    outside = shapely.difference(site_gk, inside) if inside is not None else site_gk

    return SitingReview(
        area_m2=area_m2, area_mu=area_mu, gauss_kruger_epsg=epsg, project_type=project_type,
        total_investment_wan=total_investment_wan, policy_code=policy.code,
        zone_code=choice.zone_code, zone_name=zone.name if zone else None, zone_share=choice.share,
        threshold_wan_per_mu=result.threshold_wan_per_mu, intensity_wan_per_mu=result.intensity_wan_per_mu,
        ratio=result.ratio, status=result.status, band=result.band, shortfall_wan=result.shortfall_wan,
        min_investment_wan=min_investment, max_area_mu=max_area, flags=tuple(flags),
        parcel_overlaps=tuple(sorted(parcel_overlaps, key=lambda o: (-o.area_m2, o.parcel_code or ""))),
        constraint_overlaps=tuple(sorted(constraint_overlaps, key=lambda o: (
            PROTECTED.index(ConstraintType(o.constraint_type)), -o.area_m2, o.code))),
        outside_development_boundary_m2=rules.planar_m2(float(shapely.area(outside))),
    )


class SiteError(InputError):
    """A site geometry that cannot be reviewed."""

    code = "invalid_geometry"


def _site_problem(value: str | None, zh: str, en: str) -> SiteError:
    return SiteError([Problem("选址 site", "geometry", None, value, zh, en)])


def parse_site(geojson: dict[str, Any]) -> BaseGeometry:
    """The site as a valid (Multi)Polygon in lon/lat, or a `SiteError` saying what is wrong with it.

    Invalid geometry is refused, not repaired: a site is drawn by the person asking, who can redraw it,
    and a silently repaired outline would be reviewed as something they did not draw.
    """
    try:
        geometry = shape(geojson)
    except (GeometryTypeError, ShapelyError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise _site_problem(str(geojson.get("type")), "不是有效的 GeoJSON 几何（需 type 与 coordinates）",
                            f"not a GeoJSON geometry with type and coordinates ({exc})") from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise _site_problem(geometry.geom_type, "应为面（Polygon/MultiPolygon）",
                            "expected a polygon (Polygon/MultiPolygon)")
    if geometry.is_empty:
        raise _site_problem(None, "几何为空", "the geometry is empty")
    geometry = shapely.force_2d(geometry)
    minx, miny, maxx, maxy = rules.CHINA_BOUNDS
    bx0, by0, bx1, by1 = geometry.bounds
    if not (minx <= bx0 and bx1 <= maxx and miny <= by0 and by1 <= maxy):
        raise _site_problem(f"{bx0:.4f},{by0:.4f},{bx1:.4f},{by1:.4f}",
                            "坐标不在中国范围内：应为经纬度（CRS84，经度在前）",
                            "coordinates fall outside China: expected lon/lat (CRS84, longitude first)")
    if not geometry.is_valid:
        raise _site_problem(shapely.is_valid_reason(geometry), "几何无效（如自相交），请重新绘制",
                            "the geometry is invalid (e.g. self-intersecting): redraw it")
    try:
        area_m2 = rules.gk_area_m2(geometry)
    except ValueError as exc:  # west of 73.5°E: no CGCS2000 3-degree zone to measure it in
        raise _site_problem(f"{bx0:.4f}", "不在中国的高斯-克吕格 3 度带内（75°E–135°E）",
                            "outside China's Gauss-Krüger 3-degree zones (75°E–135°E)") from exc
    if area_m2 <= 0:
        raise _site_problem(None, "面积不足 0.01 平方米", "the area is under 0.01 m²")
    return geometry
