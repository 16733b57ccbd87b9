"""What lies under a proposed site: the zones, parcels and constraint areas it intersects.

The site goes in as a bound WKB parameter; the rules (areas, overlaps, zone, threshold) are applied to
what comes back by `mujun.siting`, in the Gauss-Krüger plane, never in SQL.

Every parcel under the site counts, whoever asks: land granted in another district is still taken, and a
site on it must not pass for free. The code of a parcel outside the caller's districts is withheld.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, and_, func, select, true

from mujun.access import Access
from mujun.models import SRID, Constraint, Parcel, Zone
from mujun.scope import parcel_in_scope
from mujun.siting import Candidates, ConstraintCandidate, ParcelCandidate, ZoneCandidate


def _geometry(wkb: Any) -> BaseGeometry:
    return shapely.from_wkb(bytes(wkb))


def siting_candidates(conn: Connection, access: Access, site: BaseGeometry) -> Candidates:
    """Zones, parcels and constraints intersecting `site` (lon/lat, CGCS2000), in lon/lat; parcels of districts the
    caller does not see without their codes."""
    area = func.ST_GeomFromWKB(shapely.to_wkb(site), SRID)
    zones = conn.execute(
        select(Zone.zone_code, Zone.name, Zone.zone_class, Zone.jurisdiction, Zone.area_m2,
               func.ST_AsBinary(Zone.geom)).where(func.ST_Intersects(Zone.geom, area)).order_by(Zone.zone_code)
    )
    visible = and_(true(), *parcel_in_scope(access))
    parcels = conn.execute(
        select(Parcel.parcel_code, visible, func.ST_AsBinary(Parcel.geom))
        .where(func.ST_Intersects(Parcel.geom, area)).order_by(Parcel.parcel_code)
    )
    constraints = conn.execute(
        select(Constraint.code, Constraint.constraint_type, func.ST_AsBinary(Constraint.geom))
        .where(func.ST_Intersects(Constraint.geom, area)).order_by(Constraint.code)
    )
    return Candidates(
        zones=[ZoneCandidate(code, name, zone_class, jurisdiction, area_m2, _geometry(wkb))
               for code, name, zone_class, jurisdiction, area_m2, wkb in zones],
        parcels=[ParcelCandidate(code if seen else None, _geometry(wkb)) for code, seen, wkb in parcels],
        constraints=[ConstraintCandidate(code, constraint_type, _geometry(wkb))
                     for code, constraint_type, wkb in constraints],
    )
