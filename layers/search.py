"""Finding parcels: by code (exact or prefix), project or enterprise name, pinyin initials; and a parcel's
context (its project's other parcels, its neighbours). Only parcels in the caller's districts are found."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import Connection, case, cast, func, literal, or_, select

from layers.records import data_extent, parcel_record, record_select
from mujun import rules
from mujun.access import Access
from mujun.models import SRID, Parcel, Project
from mujun.scope import parcel_in_scope

GEOGRAPHY = Geography(srid=SRID)
NEIGHBOUR_METRES = 50.0
"""Parcels within this distance of a parcel's edge are its neighbours."""


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_parcels(conn: Connection, access: Access, q: str, limit: int) -> list[dict[str, Any]]:
    """Parcels matching `q`, best first: exact code, code prefix, name or enterprise, pinyin initials."""
    text = q.strip()
    escaped = _like_escape(text)
    contains = f"%{escaped}%"
    initials = _like_escape(text.lower()) + "%"
    match = case(
        (Parcel.parcel_code == text, literal("parcel_code")),
        (Parcel.parcel_code.like(escaped + "%", escape="\\"), literal("parcel_code_prefix")),
        (Project.project_code == text, literal("project_code")),
        (Project.name.ilike(contains, escape="\\"), literal("project_name")),
        (Project.enterprise.ilike(contains, escape="\\"), literal("enterprise")),
        else_=literal("pinyin_initials"),
    )
    rank = case(
        (Parcel.parcel_code == text, 0), (Parcel.parcel_code.like(escaped + "%", escape="\\"), 1),
        (Project.project_code == text, 2), else_=3,
    )
    query = (
        record_select()
        .add_columns(match.label("match"))
        .where(or_(
            Parcel.parcel_code.like(escaped + "%", escape="\\"),
            Project.project_code == text,
            Project.name.ilike(contains, escape="\\"),
            Project.enterprise.ilike(contains, escape="\\"),
            Project.name_initials.like(initials, escape="\\"),
            Project.enterprise_initials.like(initials, escape="\\"),
        ), *parcel_in_scope(access))
        .order_by(rank, Parcel.parcel_code)
        .limit(limit)
    )
    return [{**parcel_record(row), "match": row["match"]} for row in conn.execute(query).mappings()]


def parcel_context(conn: Connection, access: Access, parcel_code: str) -> dict[str, list[dict[str, Any]]]:
    """The other parcels of the parcel's project, and the parcels within 50 m of it (nearest first)."""
    this = select(Parcel.project_code, Parcel.geom).where(Parcel.parcel_code == parcel_code, *parcel_in_scope(access)).subquery()
    same_project = (
        record_select()
        .where(Parcel.project_code == select(this.c.project_code).scalar_subquery(), Parcel.parcel_code != parcel_code,
               *parcel_in_scope(access))
        .order_by(Parcel.parcel_code)
    )
    here = select(this.c.geom).scalar_subquery()
    # Distances on the geography type: metres on the ellipsoid, whatever the storage CRS.
    near = func.ST_DWithin(cast(Parcel.geom, GEOGRAPHY), cast(here, GEOGRAPHY), NEIGHBOUR_METRES)
    neighbours = (
        record_select()
        .where(Parcel.parcel_code != parcel_code, func.ST_Expand(here, 0.001).op("&&")(Parcel.geom), near, *parcel_in_scope(access))
        .order_by(func.ST_Distance(cast(Parcel.geom, GEOGRAPHY), cast(here, GEOGRAPHY)), Parcel.parcel_code)
        .limit(20)
    )
    return {
        "project_parcels": [parcel_record(row) for row in conn.execute(same_project).mappings()],
        "neighbours": [parcel_record(row) for row in conn.execute(neighbours).mappings()],
    }


def data_central_meridian(conn: Connection) -> int | None:
    """The central meridian of the Gauss-Krüger zone holding all loaded data, if one zone holds it all."""
    extent = data_extent(conn)
    if extent is None:
        return None
    west, east = rules.gk_central_meridian(extent[0]), rules.gk_central_meridian(extent[2])
    return west if west == east else None
