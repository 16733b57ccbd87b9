"""An account's districts as SQL: which parcels and projects a scoped `Access` may see, written once.

A parcel belongs to the 辖区 of the zone its project is held against (`assessed_zone_code`, whose threshold
applies), or else of the zone it lies in; a parcel in no zone belongs to no district and only unscoped
accounts see it. A project belongs to its own 所属地区, or, when that is blank, to the district of the zone its
land is held against (`project_district_sql`: the one statement of that rule, which the progress of major
projects uses too); a project with neither belongs to no district. An approval batch (批次) belongs to the
districts of the zones it meets (one meeting none, to no district); a firm's figures to the firm's 所属地区.
Zones are context, visible to all.

A parcel's condition is a hashed subquery (the zone codes of the districts), evaluated once per statement
rather than once per row; the districts are one bound array parameter, `scope`. Unscoped access adds nothing:
the statements of an unscoped account are those of a portal without districts.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from sqlalchemy import ColumnElement, Text, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from mujun.access import Access
from mujun.models import Parcel, Zone

SCOPE_PARAM = "scope"
_ScopeZone = aliased(Zone, name="scope_zone")


def scope_params(access: Access) -> dict[str, Any]:
    """The `scope` parameter of a scoped statement (nothing when unscoped)."""
    return {} if access.jurisdictions is None else {SCOPE_PARAM: list(access.jurisdictions)}


def _zones_in_scope(param: Any) -> Any:
    return select(_ScopeZone.zone_code).where(_ScopeZone.jurisdiction == any_(param))


def _parcel_condition(parcel: Any, param: Any) -> ColumnElement[bool]:
    return func.coalesce(parcel.assessed_zone_code, parcel.zone_code).in_(_zones_in_scope(param))


def parcel_in_scope(access: Access, parcel: Any = Parcel) -> list[ColumnElement[bool]]:
    """The condition on `parcel` (the model or an alias of it) for `access`, as a list to splat into `where`: empty
    when unscoped."""
    if access.jurisdictions is None:
        return []
    return [_parcel_condition(parcel, bindparam(None, list(access.jurisdictions), type_=ARRAY(Text), unique=True))]


def parcel_scope_condition(parcel: Any = Parcel) -> ColumnElement[bool]:
    """The scoped condition with its districts left as the parameter `scope`: for a statement compiled once and
    run with `scope_params` (the click lookup)."""
    return _parcel_condition(parcel, bindparam(SCOPE_PARAM, type_=ARRAY(Text)))


def parcel_in_scope_sql(alias: str) -> sql.Composable:
    """` AND …`: the parcels `alias` in the districts of `%(scope)s`, for composed SQL (tiles, OGC items)."""
    return sql.SQL(" AND coalesce({assessed}, {zone}) IN (SELECT sz.zone_code FROM zones sz WHERE sz.jurisdiction = ANY({scope}))").format(
        assessed=sql.Identifier(alias, "assessed_zone_code"), zone=sql.Identifier(alias, "zone_code"),
        scope=sql.Placeholder(SCOPE_PARAM))


def project_district_sql(alias: str) -> sql.Composable:
    """The 所属地区 of the projects `alias`: their own, else that of the zone their land is held against (the assessed
    zone of their parcels, one zone for all of a project's land); NULL when neither is known. The subquery runs only
    for a project with no district of its own."""
    return sql.SQL("coalesce({own}, (SELECT hz.jurisdiction FROM parcels hp JOIN zones hz ON hz.zone_code = hp.assessed_zone_code "
                   "WHERE hp.project_code = {code} LIMIT 1))").format(own=sql.Identifier(alias, "jurisdiction"),
                                                                     code=sql.Identifier(alias, "project_code"))


def project_in_scope_sql(alias: str) -> sql.Composable:
    """` AND …`: the projects `alias` of the districts of `%(scope)s` (`project_district_sql`)."""
    return sql.SQL(" AND {} = ANY({})").format(project_district_sql(alias), sql.Placeholder(SCOPE_PARAM))


def batch_in_scope_sql(alias: str) -> sql.Composable:
    """` AND …`: the approval batches `alias` meeting a zone of the districts of `%(scope)s`."""
    return sql.SQL(" AND EXISTS (SELECT 1 FROM zones sz WHERE sz.jurisdiction = ANY({scope}) AND sz.geom && {geom} "
                   "AND ST_Intersects(sz.geom, {geom}))").format(scope=sql.Placeholder(SCOPE_PARAM), geom=sql.Identifier(alias, "geom"))


def district_in_scope_sql(column: sql.Composable) -> sql.Composable:
    """` AND …`: rows whose district is `column` (a firm's 所属地区, a bulletin's), among `%(scope)s`."""
    return sql.SQL(" AND {} = ANY({})").format(column, sql.Placeholder(SCOPE_PARAM))


PARCEL_JURISDICTION_SQL = sql.SQL("(SELECT sz.jurisdiction FROM zones sz WHERE sz.zone_code = coalesce({}, {}))")
"""A parcel's 辖区, given its assessed zone and its own zone columns (for naming rows outside a scope)."""


def parcel_jurisdiction_sql(alias: str) -> sql.Composable:
    return PARCEL_JURISDICTION_SQL.format(sql.Identifier(alias, "assessed_zone_code"), sql.Identifier(alias, "zone_code"))
