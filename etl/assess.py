"""Apply the rules to the stored parcels: zone of each parcel, then each project over all its land.

Runs inside the load's transaction, after the new rows are in, so the stored results always match the
stored data. Overlaps are measured in the Gauss-Krüger plane, as cadastral areas are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg
import shapely
from psycopg import sql

from mujun import rules
from mujun.rules import Flag, ParcelLand, Policy, ZoneOverlap

RESULT_COLUMNS = (
    "parcel_code", "zone_code", "zone_share", "area_mu", "project_area_mu", "parcel_count",
    "assessed_zone_code", "intensity_wan_per_mu", "threshold_wan_per_mu", "ratio", "status", "band",
    "shortfall_wan", "flags", "policy_code",
)

_CREATE_RESULTS = """
CREATE TEMP TABLE parcel_results (
    parcel_code text PRIMARY KEY, zone_code text, zone_share numeric, area_mu numeric,
    project_area_mu numeric, parcel_count integer, assessed_zone_code text, intensity_wan_per_mu numeric,
    threshold_wan_per_mu numeric, ratio numeric, status text, band text, shortfall_wan numeric,
    flags text[], policy_code text
) ON COMMIT DROP
"""

_APPLY_RESULTS = """
UPDATE parcels AS p SET
    zone_code = r.zone_code, zone_share = r.zone_share, area_mu = r.area_mu,
    project_area_mu = r.project_area_mu, parcel_count = r.parcel_count,
    assessed_zone_code = r.assessed_zone_code, intensity_wan_per_mu = r.intensity_wan_per_mu,
    threshold_wan_per_mu = r.threshold_wan_per_mu, ratio = r.ratio, status = r.status, band = r.band,
    shortfall_wan = r.shortfall_wan, flags = r.flags, policy_code = r.policy_code
FROM parcel_results AS r
WHERE p.parcel_code = r.parcel_code AND (
    p.zone_code, p.zone_share, p.area_mu, p.project_area_mu, p.parcel_count, p.assessed_zone_code,
    p.intensity_wan_per_mu, p.threshold_wan_per_mu, p.ratio, p.status, p.band, p.shortfall_wan, p.flags,
    p.policy_code
) IS DISTINCT FROM (
    r.zone_code, r.zone_share, r.area_mu, r.project_area_mu, r.parcel_count, r.assessed_zone_code,
    r.intensity_wan_per_mu, r.threshold_wan_per_mu, r.ratio, r.status, r.band, r.shortfall_wan, r.flags,
    r.policy_code
)
"""


@dataclass(frozen=True)
class StoredZone:
    code: str
    area_m2: float
    threshold: Decimal | None
    geometry: Any


def zone_overlaps(parcels: np.ndarray, zones: list[StoredZone]) -> list[tuple[float, list[ZoneOverlap]]]:
    """For each parcel (lon/lat): its Gauss-Krüger area and its overlap with every zone it touches.

    Parcels are projected into the zone of their own centroid, and the zones with them, so that each
    parcel's share is measured in one plane.
    """
    results: list[tuple[float, list[ZoneOverlap]]] = [(0.0, []) for _ in range(len(parcels))]
    if len(parcels) == 0:
        return results
    epsgs = np.array([rules.gk_epsg(x) for x in shapely.get_x(shapely.centroid(parcels))])
    zone_geoms = np.array([z.geometry for z in zones], dtype=object)
    for epsg in np.unique(epsgs):
        index = np.flatnonzero(epsgs == epsg)
        parcels_gk = rules.to_gauss_kruger(parcels[index], int(epsg))
        areas = shapely.area(parcels_gk)
        for j, i in enumerate(index):
            results[i] = (float(areas[j]), [])
        if not zones:
            continue
        zones_gk = rules.to_gauss_kruger(zone_geoms, int(epsg))
        tree = shapely.STRtree(zones_gk)
        parcel_idx, zone_idx = tree.query(parcels_gk, predicate="intersects")
        overlap = shapely.area(shapely.intersection(parcels_gk[parcel_idx], zones_gk[zone_idx]))
        for p, z, area in zip(parcel_idx, zone_idx, overlap, strict=True):
            zone = zones[z]
            results[index[p]][1].append(ZoneOverlap(zone.code, float(area), zone.area_m2))
    return results


def reassess(conn: psycopg.Connection[Any], policy: Policy) -> int:
    """Recompute every parcel's zone and its project's result under `policy`; return rows changed."""
    zones = [
        StoredZone(code, float(area), policy.threshold_for(jurisdiction, zone_class), shapely.from_wkb(wkb))
        for code, zone_class, jurisdiction, area, wkb in conn.execute(
            "SELECT zone_code, zone_class, jurisdiction, area_m2, ST_AsBinary(geom) FROM zones ORDER BY zone_code"
        )
    ]
    by_code = {zone.code: zone for zone in zones}
    parcels = conn.execute(
        "SELECT parcel_code, project_code, ST_AsBinary(geom), area_m2, recorded_area_m2, geometry_repaired "
        "FROM parcels ORDER BY parcel_code"
    ).fetchall()
    projects = {
        code: (project_type, investment)
        for code, project_type, investment in conn.execute(
            "SELECT project_code, project_type, total_investment_wan FROM projects"
        )
    }
    geometries = shapely.from_wkb(np.array([row[2] for row in parcels], dtype=object))
    overlaps = zone_overlaps(geometries, zones)

    lands: dict[str, ParcelLand] = {}
    parcel_flags: dict[str, list[str]] = {}
    choices: dict[str, rules.ZoneChoice] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for (code, project_code, _wkb, area_m2, recorded, repaired), (gk_area, touching) in zip(
        parcels, overlaps, strict=True
    ):
        choice = rules.choose_zone(gk_area, touching)
        zone = by_code.get(choice.zone_code) if choice.zone_code else None
        official = rules.official_area_m2(area_m2, recorded)
        lands[code] = ParcelLand(official, choice.zone_code, zone.area_m2 if zone else 0.0,
                                 zone.threshold if zone else None)
        choices[code] = choice
        flags = []
        if rules.area_mismatch(area_m2, recorded):
            flags.append(Flag.AREA_MISMATCH.value)
        if choice.straddles:
            flags.append(Flag.STRADDLES_ZONES.value)
        if repaired:
            flags.append(Flag.GEOMETRY_REPAIRED.value)
        parcel_flags[code] = flags
        # A parcel with no known project is judged alone, as land no project has claimed.
        groups[project_code if project_code in projects else f"\0{code}"].append(code)

    rows = []
    for key, codes in groups.items():
        project_type, investment = projects.get(key, (None, None))
        held_against = rules.project_zone([lands[c] for c in codes])
        area_mu = sum((rules.mu_from_m2(lands[c].official_area_m2) for c in codes), Decimal(0))
        result = rules.assess(
            project_type=project_type, total_investment_wan=investment, area_mu=area_mu,
            threshold_wan_per_mu=held_against.threshold_wan_per_mu, in_zone=held_against.zone_code is not None,
            assessed_types=policy.project_types,
        )
        project_flags = [f.value for f in result.flags] + ([Flag.SPANS_ZONES.value] if held_against.spans_zones else [])
        for c in codes:
            rows.append((
                c, choices[c].zone_code, choices[c].share, rules.mu_from_m2(lands[c].official_area_m2), area_mu,
                len(codes), held_against.zone_code, result.intensity_wan_per_mu, result.threshold_wan_per_mu, result.ratio,
                result.status.value, result.band.value, result.shortfall_wan, parcel_flags[c] + project_flags,
                policy.code,
            ))
    conn.execute(_CREATE_RESULTS)
    columns = sql.SQL(", ").join(map(sql.Identifier, RESULT_COLUMNS))
    with conn.cursor().copy(sql.SQL("COPY parcel_results ({}) FROM STDIN").format(columns)) as copy:
        for row in rows:
            copy.write_row(row)
    return conn.execute(_APPLY_RESULTS).rowcount
