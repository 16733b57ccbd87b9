"""What lies under a proposed site: the zones, parcels and constraint areas it intersects.

The site goes in as a bound WKB parameter; the rules (areas, overlaps, zone, threshold) are applied to
what comes back by `mujun.siting`, in the Gauss-Krüger plane, never in SQL.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, func, select

from mujun.models import SRID, Constraint, Parcel, Zone
from mujun.siting import Candidates, ConstraintCandidate, ParcelCandidate, ZoneCandidate


def _geometry(wkb: Any) -> BaseGeometry:
    return shapely.from_wkb(bytes(wkb))


def siting_candidates(conn: Connection, site: BaseGeometry) -> Candidates:
    """Zones, parcels and constraints intersecting `site` (lon/lat, CGCS2000), in lon/lat."""
    area = func.ST_GeomFromWKB(shapely.to_wkb(site), SRID)
    zones = conn.execute(
        select(Zone.zone_code, Zone.name, Zone.zone_class, Zone.jurisdiction, Zone.area_m2,
               func.ST_AsBinary(Zone.geom)).where(func.ST_Intersects(Zone.geom, area)).order_by(Zone.zone_code)
    )
    parcels = conn.execute(
        select(Parcel.parcel_code, func.ST_AsBinary(Parcel.geom))
        .where(func.ST_Intersects(Parcel.geom, area)).order_by(Parcel.parcel_code)
    )
    constraints = conn.execute(
        select(Constraint.code, Constraint.constraint_type, func.ST_AsBinary(Constraint.geom))
        .where(func.ST_Intersects(Constraint.geom, area)).order_by(Constraint.code)
    )
    return Candidates(
        zones=[ZoneCandidate(code, name, zone_class, jurisdiction, area_m2, _geometry(wkb))
               for code, name, zone_class, jurisdiction, area_m2, wkb in zones],
        parcels=[ParcelCandidate(code, _geometry(wkb)) for code, wkb in parcels],
        constraints=[ConstraintCandidate(code, constraint_type, _geometry(wkb))
                     for code, constraint_type, wkb in constraints],
    )
