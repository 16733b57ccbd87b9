"""Apply the rules to parcels: zone of each parcel, then each project over all its land (vector forms).

On a first load the results are computed before the COPY, so each parcel is written once with them;
otherwise `reassess` recomputes every stored parcel inside the load's transaction, after the new rows
are in, and updates only those whose results changed. Either way the stored results match the stored
data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import shapely
from psycopg import sql

from etl import binary_copy as bc
from etl.codes import positions
from etl.placement import Placement, ZoneSet, is_none, objects, place
from etl.wkb import planar_areas
from mujun import rules
from mujun.rules import Flag, Policy

RESULT_COLUMNS = (
    "zone_code", "zone_share", "area_mu", "project_area_mu", "parcel_count", "assessed_zone_code",
    "intensity_wan_per_mu", "threshold_wan_per_mu", "ratio", "status", "band", "shortfall_wan", "flags", "policy_code",
)
# Flags in the order a parcel lists them: its own, then its project's.
_FLAG_ORDER = (Flag.AREA_MISMATCH, Flag.STRADDLES_ZONES, Flag.GEOMETRY_REPAIRED, Flag.UNKNOWN_PROJECT,
               Flag.MISSING_INVESTMENT, Flag.SPANS_ZONES)


@dataclass(frozen=True)
class Projects:
    """Stored projects as the rules need them: code, type and total investment (0.01 万元)."""

    codes: pa.Array
    project_type: np.ndarray
    investment_cents: np.ndarray
    has_investment: np.ndarray

    @classmethod
    def read(cls, conn: psycopg.Connection[Any]) -> Projects:
        """All stored projects, each column packed by the server into one value (bytes and their big-endian
        lengths, −1 for NULL) and unpacked by numpy and Arrow: no Python step per row, so a million projects
        are read while other threads keep the GIL."""
        row = conn.cursor(binary=True).execute(
            "SELECT count(*), string_agg(convert_to(project_code, 'UTF8'), ''::bytea), "
            "string_agg(int4send(octet_length(project_code)), ''::bytea), "
            "string_agg(convert_to(coalesce(project_type, ''), 'UTF8'), ''::bytea), "
            "string_agg(int4send(coalesce(octet_length(project_type), -1)), ''::bytea), "
            "string_agg(int8send(coalesce((total_investment_wan * 100)::bigint, 0)), ''::bytea), "
            "string_agg(boolsend(total_investment_wan IS NOT NULL), ''::bytea) FROM projects").fetchone()
        assert row is not None
        if not row[0]:
            return cls(pa.array([], type=pa.large_string()), objects([]), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
        codes, types = _unpack_texts(row[1], row[2]), _unpack_texts(row[3], row[4])
        return cls(codes, types.to_numpy(zero_copy_only=False).astype(object), np.frombuffer(row[5], dtype=">i8").astype(np.int64),
                   np.frombuffer(row[6], dtype=np.uint8).astype(bool))

    def __len__(self) -> int:
        return len(self.codes)

    def positions(self, codes: Sequence[str | None] | np.ndarray | pa.Array) -> np.ndarray:
        """Where each code is among the projects (−1: not there, or None)."""
        return positions(codes, self.codes)


def _unpack_texts(data: bytes | None, lengths: bytes) -> pa.Array:
    """Texts sent as their UTF-8 bytes end to end and each one's length (−1: NULL)."""
    sizes = np.frombuffer(lengths, dtype=">i4").astype(np.int64)
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.maximum(sizes, 0), out=offsets[1:])
    valid = pa.array(sizes >= 0).buffers()[1] if (sizes < 0).any() else None
    return pa.LargeStringArray.from_buffers(len(sizes), pa.py_buffer(offsets), pa.py_buffer(data or b""), valid)


@dataclass(frozen=True)
class Parcels:
    """Parcels as the rules need them: each one's project (its place in `Projects`, −1: none known); areas in 0.01 m²."""

    project: np.ndarray
    area_cents: np.ndarray
    recorded_cents: np.ndarray
    has_recorded: np.ndarray
    repaired: np.ndarray
    placement: Placement


Column = Callable[[slice], bc.Encoded]


def assess_parcels(parcels: Parcels, projects: Projects, policy: Policy) -> dict[str, Column]:
    """The rule results of each parcel, as COPY columns named as in `RESULT_COLUMNS`."""
    n = len(parcels.area_cents)
    placement, zones = parcels.placement, parcels.placement.zones
    official = np.where(parcels.has_recorded, parcels.recorded_cents, parcels.area_cents)
    project = parcels.project
    # A parcel with no known project is judged alone, as land no project has claimed.
    key = np.where(project >= 0, project, len(projects) + np.arange(n))
    keys, group = np.unique(key, return_inverse=True)
    groups = len(keys)
    micro_mu = official * rules.MICRO_MU_PER_CENTI_M2
    project_mu = np.bincount(group, weights=micro_mu, minlength=groups).astype(np.int64)
    parcel_count = np.bincount(group, minlength=groups)
    held, spans = rules.project_zones(group, groups, placement.zone, official, zones.area_m2, zones.rank)
    # Land of no known project points past the last project: a project of no type and no investment.
    project_type = _at(projects.project_type, keys, None)
    in_zone = held >= 0
    result = rules.assess_many(
        assessed_type=np.isin(project_type, list(policy.project_types)), known_type=~is_none(project_type),
        investment_cents=_at(projects.investment_cents, keys, 0), has_investment=_at(projects.has_investment, keys, False),
        # held = −1 (no zone) points at the sentinel appended after the last zone
        area_micro_mu=project_mu, threshold_cents=np.append(zones.threshold_cents, 0)[held],
        has_threshold=np.append(zones.has_threshold, False)[held], in_zone=in_zone)
    zone_table = [None, *(str(code).encode() for code in zones.codes)]  # zone i at i + 1, none (−1) at 0
    on_parcel = (rules.area_mismatches(parcels.area_cents, parcels.recorded_cents, parcels.has_recorded), placement.straddles,
                 parcels.repaired, result.unknown_project[group], result.missing_investment[group], spans[group])
    flag_bits = sum((np.asarray(on, dtype=np.int64) << bit for bit, on in enumerate(on_parcel)), np.zeros(n, dtype=np.int64))
    statuses, bands = result.status[group], result.band[group]
    return {
        "zone_code": lambda rows: bc.categories(placement.zone[rows] + 1, zone_table),
        "zone_share": lambda rows: bc.numeric(placement.share[rows], 4),
        "area_mu": lambda rows: bc.numeric(micro_mu[rows], 6),
        "project_area_mu": lambda rows: bc.numeric(project_mu[group[rows]], 6),
        "parcel_count": lambda rows: bc.int4(parcel_count[group[rows]]),
        "assessed_zone_code": lambda rows: bc.categories(held[group[rows]] + 1, zone_table),
        "intensity_wan_per_mu": lambda rows: bc.numeric(result.intensity[group[rows]], 2, result.has_intensity[group[rows]]),
        "threshold_wan_per_mu": lambda rows: bc.numeric(result.threshold[group[rows]], 2, result.has_threshold[group[rows]]),
        "ratio": lambda rows: bc.numeric(result.ratio[group[rows]], 4, result.has_ratio[group[rows]]),
        "status": lambda rows: bc.categories(statuses[rows], _STATUS_BYTES),
        "band": lambda rows: bc.categories(bands[rows], _BAND_BYTES),
        "shortfall_wan": lambda rows: bc.numeric(result.shortfall[group[rows]], 2, result.has_shortfall[group[rows]]),
        "flags": lambda rows: bc.categories(flag_bits[rows], _FLAG_LISTS),
        "policy_code": lambda rows: bc.categories(np.zeros(len(range(n)[rows]), dtype=np.int64), [policy.code.encode()]),
    }


def _at(values: np.ndarray, index: np.ndarray, missing: Any) -> np.ndarray:
    """values[index], `missing` where the index points past the end (the million projects are not copied to append it)."""
    out = np.full(len(index), missing, dtype=values.dtype)
    found = index < len(values)
    out[found] = values[index[found]]
    return out


_STATUS_BYTES, _BAND_BYTES = [s.value.encode() for s in rules.STATUSES], [b.value.encode() for b in rules.BANDS]
_FLAG_LISTS = [bytes(bc.text_array([[f.value for bit, f in enumerate(_FLAG_ORDER) if bits >> bit & 1]]).data)
               for bits in range(1 << len(_FLAG_ORDER))]
"""Each combination of flags (bit k: the k-th of _FLAG_ORDER) as the text[] value COPY sends."""


def read_zones(conn: psycopg.Connection[Any], policy: Policy) -> ZoneSet:
    rows = conn.execute(
        "SELECT zone_code, zone_class, jurisdiction, area_m2, ST_AsBinary(geom) FROM zones ORDER BY zone_code").fetchall()
    return ZoneSet.of([r[0] for r in rows], list(shapely.from_wkb([r[4] for r in rows])) if rows else [],
                      [r[3] for r in rows], [r[1] for r in rows], [r[2] for r in rows], policy)


_APPLY_RESULTS = sql.SQL(
    "UPDATE parcels AS p SET ({columns}) = ROW({values}) FROM parcel_results AS r "
    "WHERE p.parcel_code = r.parcel_code AND ({current}) IS DISTINCT FROM ({values})")


def reassess(conn: psycopg.Connection[Any], policy: Policy) -> int:
    """Recompute every stored parcel's zone and its project's result under `policy`; return rows changed."""
    zones = read_zones(conn, policy)
    rows = conn.execute(
        "SELECT parcel_code, project_code, ST_AsBinary(geom), (area_m2 * 100)::bigint, (recorded_area_m2 * 100)::bigint, "
        "geometry_repaired FROM parcels ORDER BY parcel_code").fetchall()
    if not rows:
        return 0
    wkb = pa.array([row[2] for row in rows], type=pa.large_binary())
    lonlat = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
    bounds = shapely.bounds(lonlat).reshape(-1, 4)
    epsg = rules.own_gk_epsgs(bounds, lambda rows: lonlat[rows])
    projects = Projects.read(conn)
    parcels = Parcels(projects.positions([row[1] for row in rows]), np.array([row[3] for row in rows]),
                      np.array([row[4] or 0 for row in rows]), np.array([row[4] is not None for row in rows]),
                      np.array([row[5] for row in rows]),
                      place(bounds, lambda rows: lonlat[rows], epsg, planar_areas(wkb, epsg), zones))
    return apply_results(conn, objects([row[0] for row in rows]), assess_parcels(parcels, projects, policy))


def apply_results(conn: psycopg.Connection[Any], codes: np.ndarray, columns: dict[str, Column]) -> int:
    """Store the results of the parcels `codes`; only rows whose results differ are updated. Rows changed."""
    conn.execute(sql.SQL("CREATE TEMP TABLE parcel_results ON COMMIT DROP AS SELECT parcel_code, {} FROM parcels WITH NO DATA")
                 .format(sql.SQL(", ").join(map(sql.Identifier, RESULT_COLUMNS))))
    bc.copy_rows(conn, "parcel_results", ["parcel_code", *RESULT_COLUMNS],
                 [lambda part: bc.text(codes[part]), *(columns[name] for name in RESULT_COLUMNS)], len(codes))
    names = sql.SQL(", ").join(map(sql.Identifier, RESULT_COLUMNS))
    return conn.execute(_APPLY_RESULTS.format(
        columns=names, values=sql.SQL(", ").join(sql.SQL("r.{}").format(sql.Identifier(c)) for c in RESULT_COLUMNS),
        current=sql.SQL(", ").join(sql.SQL("p.{}").format(sql.Identifier(c)) for c in RESULT_COLUMNS))).rowcount
