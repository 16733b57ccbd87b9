"""Load checked files into PostGIS in one transaction: it lands whole or leaves the database as it was.

Rows are COPYed into temporary tables and upserted by code; a row whose values did not change is not
touched, so loading the same files again changes nothing. The rule results are recomputed in the same
transaction, and the load is recorded in `loads`.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import shapely
from psycopg import sql
from psycopg.types.json import Jsonb

from etl.assess import reassess
from etl.check import Checked, check_constraints, check_parcels, check_projects, check_zones
from etl.read import ReadOptions, TableSource, read_source
from mujun.errors import InputError, Problem
from mujun.rules import GEOGRAPHIC_SRID, Policy
from mujun.settings import RuleSettings

# One advisory lock for all loads: two loads at once would each recompute the rules on half the data.
LOAD_LOCK = 0x6D756A756E

TABLE_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zones": ("zone_code", ("zone_code", "name", "zone_class", "jurisdiction", "area_m2", "attributes", "geom")),
    "projects": ("project_code", (
        "project_code", "name", "enterprise", "industry", "project_type", "total_investment_wan",
        "investment_amount", "currency", "exchange_rate", "exchange_rate_date", "stage", "level", "attributes",
        "name_initials", "enterprise_initials",
    )),
    "parcels": ("parcel_code", (
        "parcel_code", "project_code", "land_use", "recorded_area_m2", "supply_date", "agreed_start_date",
        "agreed_completion_date", "attributes", "geom", "area_m2", "geometry_repaired",
    )),
    "constraints": ("code", ("code", "constraint_type", "attributes", "geom", "area_m2")),
}


@dataclass(frozen=True)
class LoadRequest:
    zones: Path | None = None
    parcels: Path | None = None
    projects: Path | None = None
    constraints: Path | None = None
    read_options: Mapping[str, ReadOptions] = field(default_factory=dict)
    """How to read each kind's file (layer, encoding, CRS, field mapping); by default as the file says."""

    def options_for(self, kind: str) -> ReadOptions:
        return self.read_options.get(kind, ReadOptions())

    def files(self) -> list[tuple[str, Path]]:
        return [(kind, path) for kind, path in (("zones", self.zones), ("projects", self.projects),
                                                ("parcels", self.parcels), ("constraints", self.constraints))
                if path is not None]


@dataclass
class LoadResult:
    load_id: int
    counts: dict[str, dict[str, int]]
    warnings: list[Problem] = field(default_factory=list)
    inferences: list[str] = field(default_factory=list)


Step = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def _check_one(kind: str, path: Path, options: ReadOptions, policy: Policy, rule_settings: RuleSettings) -> Checked:
    try:
        source = read_source(kind, path, options)
    except InputError as exc:  # unreadable: the file's problems are its check's errors
        return Checked(kind, path.name, [], errors=list(exc.problems))
    if isinstance(source, TableSource):
        return check_projects(source, rule_settings.usd_cny_rate, rule_settings.usd_cny_rate_date)
    if kind == "zones":
        return check_zones(source, policy)
    return check_parcels(source) if kind == "parcels" else check_constraints(source)


def check_files(request: LoadRequest, policy: Policy, rule_settings: RuleSettings,
                step: Step = _quiet) -> list[Checked]:
    """Read and check every file; every error and warning is in the result, nothing is raised (`mujun check`)."""
    checked: list[Checked] = []
    for kind, path in request.files():
        step(f"read {path.name}")
        options = request.options_for(kind)
        if options.central_meridian is None:
            options = replace(options, central_meridian=rule_settings.gk_central_meridian)
        checked.append(_check_one(kind, path, options, policy, rule_settings))
    return checked


def _value(column: str, record: dict[str, Any]) -> Any:
    value = record.get(column)
    if column == "geom":
        return shapely.to_wkb(shapely.set_srid(value, GEOGRAPHIC_SRID), hex=True, include_srid=True)
    if column == "attributes":
        return Jsonb(value or {})
    return value


def _upsert(conn: psycopg.Connection[Any], table: str, records: Sequence[dict[str, Any]]) -> dict[str, int]:
    key, columns = TABLE_COLUMNS[table]
    stage = sql.Identifier(f"stage_{table}")
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
        stage, sql.Identifier(table)))
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, names)) as copy:
        for record in records:
            copy.write_row([_value(column, record) for column in columns])
    updates = [c for c in columns if c != key]
    statement = sql.SQL(
        "INSERT INTO {table} AS t ({names}) SELECT {names} FROM {stage} "
        "ON CONFLICT ({key}) DO UPDATE SET ({updates}) = ROW({excluded}) "
        "WHERE ({current}) IS DISTINCT FROM ({excluded}) RETURNING (xmax = 0) AS inserted"
    ).format(
        table=sql.Identifier(table), names=names, stage=stage, key=sql.Identifier(key),
        updates=sql.SQL(", ").join(map(sql.Identifier, updates)),
        excluded=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in updates),
        current=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in updates),
    )
    changed = conn.execute(statement).fetchall()
    inserted = sum(1 for (was_inserted,) in changed if was_inserted)
    return {"read": len(records), "inserted": inserted, "updated": len(changed) - inserted,
            "unchanged": len(records) - len(changed)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sync_policy(conn: psycopg.Connection[Any], policy: Policy) -> None:
    """Store the policy's table in the database, so that every result names the thresholds it used."""
    conn.execute(
        "INSERT INTO policies (code, name, city, year, source) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, year = EXCLUDED.year, "
        "source = EXCLUDED.source",
        [policy.code, policy.name, policy.city, policy.year, policy.source],
    )
    conn.execute("DELETE FROM policy_thresholds WHERE policy_code = %s", [policy.code])
    with conn.cursor().copy(
        "COPY policy_thresholds (policy_code, jurisdiction, zone_class, threshold_wan_per_mu) FROM STDIN"
    ) as copy:
        for (jurisdiction, zone_class), threshold in sorted(policy.thresholds.items()):
            copy.write_row([policy.code, jurisdiction, zone_class, threshold])


def load(conninfo: str, request: LoadRequest, policy: Policy, rule_settings: RuleSettings,
         step: Step = _quiet) -> LoadResult:
    """Check, then load every file of `request` and recompute the rules, all in one transaction."""
    checked = check_files(request, policy, rule_settings, step)
    errors = [problem for c in checked for problem in c.errors]
    if errors:
        raise InputError(errors)
    counts: dict[str, dict[str, int]] = {}
    with psycopg.connect(conninfo) as conn:  # commits on success, rolls back on any exception
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOAD_LOCK])
        sync_policy(conn, policy)
        for item in checked:
            step(f"write {item.kind}")
            counts[item.kind] = _upsert(conn, item.kind, item.records)
        step("assess")
        counts["assessed"] = {"changed": reassess(conn, policy)}
        warnings = [w for c in checked for w in c.warnings]
        inferences = [i for c in checked for i in c.inferences]
        files = [{"kind": kind, "name": path.name, "path": str(path.resolve()), "sha256": _sha256(path)}
                 for kind, path in request.files()]
        row = conn.execute(
            "INSERT INTO loads (username, policy_code, files, counts, inferences, warnings, finished_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, now()) RETURNING id",
            [getpass.getuser(), policy.code, Jsonb(files), Jsonb(counts), Jsonb(inferences),
             Jsonb([w.as_dict() for w in warnings])],
        ).fetchone()
        assert row is not None
    return LoadResult(int(row[0]), counts, warnings, inferences)


def libpq_conninfo(url: str) -> str:
    """psycopg's connection string from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
