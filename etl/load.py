"""Load checked files into PostGIS in one transaction: it lands whole or leaves the database as it was.

Every file is read and checked, then checked against the others and against the database (warnings);
any error refuses the load before anything is written. Zones, projects and constraint layers are
upserted by code (`etl.write`). Parcels loaded into an empty table get their rule results computed
first and are written once, with them; otherwise they are upserted and every stored parcel is
reassessed. The load is recorded in `loads` and in the audit trail, under the account it runs as
(`mujun.audit.Actor`); a scoped account's load that would touch another district is refused, naming the rows
(`etl.scope_check`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from etl import scope_check
from etl.assess import Column, Parcels, Projects, apply_results, assess_parcels, reassess
from etl.batches import batches_stored, check_batches, rebuild_cover, write_batches
from etl.check import Checked, check_constraints, check_parcels, check_projects, check_zones, geometry_checker, parcel_fields, with_geometry
from etl.cross_checks import Surroundings, check_overlaps, check_parcels_against, cross_check, surroundings
from etl.evaluation import check_evaluation, write_evaluation
from etl.monthly import check_monthly
from etl.monthly_write import write_monthly
from etl.placement import Placement
from etl.project_history import keep_report_days, read_before, record_changes, write_plans
from etl.read import ReadOptions, TableSource, read_source
from etl.stream import GeometryParts, stream_parcels
from etl.write import Progress, absent_land_use_columns, insert_into_empty, is_empty, parcel_columns, record_columns, upsert
from mujun import audit
from mujun.access import Action, access_policy, allowed, role_for
from mujun.errors import InputError, MujunError, Problem
from mujun.rules import Policy
from mujun.settings import RuleSettings
from mujun.stages import today_in_china

log = logging.getLogger("mujun.load")

# One advisory lock for all loads: two loads at once would each recompute the rules on half the data.
LOAD_LOCK = 0x6D756A756E
RULE_INPUTS = ("zones", "projects", "parcels")
"""What the stored parcels' rule results depend on: a load of none of them (monthly reports, constraints) leaves them."""
RECORDED_WARNINGS = 1000
"""Warnings kept in the load's record (all are counted): a jsonb value holds at most 256 MB, and a million
projects loaded before their parcels each warn."""


@dataclass(frozen=True)
class LoadRequest:
    zones: Path | None = None
    parcels: Path | None = None
    projects: Path | None = None
    constraints: Path | None = None
    monthly: Path | None = None
    """Monthly reports of major projects (Excel or CSV)."""
    batches: Path | None = None
    """Approval batches (批次), a GIS file."""
    evaluation: Path | None = None
    """Firms' figures for the per-mu evaluation (Excel or CSV)."""
    read_options: Mapping[str, ReadOptions] = field(default_factory=dict)
    """How to read each kind's file (layer, encoding, CRS, field mapping); by default as the file says."""

    replace: frozenset[str] = frozenset()
    """Kinds whose stored rows not in the file are deleted: the layer is replaced whole (explicit, never the default)."""

    today: dt.date | None = None
    """The load's day (default: today in China): a 项目阶段 must agree with the dates on it, and it is a report's
    填报日期 when none is given."""

    def day(self) -> dt.date:
        return self.today or today_in_china()

    def options_for(self, kind: str) -> ReadOptions:
        return self.read_options.get(kind, ReadOptions())

    def files(self) -> list[tuple[str, Path]]:
        return [(kind, path) for kind, path in (("zones", self.zones), ("projects", self.projects), ("monthly", self.monthly),
                                                ("parcels", self.parcels), ("constraints", self.constraints), ("batches", self.batches),
                                                ("evaluation", self.evaluation))
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


def _check_one(kind: str, path: Path, options: ReadOptions, policy: Policy, rule_settings: RuleSettings, today: dt.date,
               parts: bool = False) -> tuple[Checked, GeometryParts | None]:
    """The file checked; with `parts`, a parcels file's geometries are left checking on their own threads."""
    try:
        source = read_source(kind, path, options)
    except InputError as exc:  # unreadable: the file's problems are its check's errors
        return Checked(kind, path.name, [], errors=list(exc.problems)), None
    if isinstance(source, TableSource):
        if kind == "monthly":
            return check_monthly(source, today), None
        if kind == "evaluation":
            return check_evaluation(source, policy), None
        return check_projects(source, rule_settings.usd_cny_rate, rule_settings.usd_cny_rate_date, policy, today), None
    if kind == "zones":
        return check_zones(source, policy), None
    if kind == "batches":
        return check_batches(source), None
    if kind != "parcels":
        return check_constraints(source), None
    if not parts:
        return check_parcels(source), None
    geometry = GeometryParts(geometry_checker(source), workers=1)  # begun before the fields, checked beside them
    return parcel_fields(source), geometry


def _read_and_check(request: LoadRequest, policy: Policy, rule_settings: RuleSettings, step: Step,
                    parts: bool = False) -> tuple[list[Checked], GeometryParts | None]:
    """Every file read and checked; with `parts`, the parcels' geometries left checking (`GeometryParts`)."""
    checked: list[Checked] = []
    geometry = None
    for kind, path in request.files():
        step(f"read {path.name}")
        options = request.options_for(kind)
        if options.central_meridian is None:
            options = replace(options, central_meridian=rule_settings.gk_central_meridian)
        found, started = _check_one(kind, path, options, policy, rule_settings, request.day(), parts)
        checked.append(found)
        geometry = geometry or started
    return checked, geometry


def check_files(request: LoadRequest, policy: Policy, rule_settings: RuleSettings, step: Step = _quiet,
                conninfo: str | None = None) -> list[Checked]:
    """Read and check every file, and the files against each other; with `conninfo`, against the database too
    (codes already stored, stored zones and projects where no file gives them). Never raises on a problem:
    each file's errors and warnings are in its `Checked`."""
    checked, _ = _read_and_check(request, policy, rule_settings, step)
    step("check")
    if conninfo is None:
        cross_check(checked, surroundings(None, checked, request.replace, policy))
    else:
        with psycopg.connect(conninfo) as conn:
            cross_check(checked, surroundings(conn, checked, request.replace, policy))
    return checked


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Digests:
    """The files' sha256 for the load's record, worked out on a thread of `pool` (hashlib releases the GIL) from
    when `start` is called: a streamed load starts it once its rows are in, beside the index builds, not while
    reading the file competes for the same cores."""

    def __init__(self, files: list[tuple[str, Path]], pool: ThreadPoolExecutor) -> None:
        self._files, self._pool = files, pool
        self._digests: list[Future[str]] = []

    def start(self) -> None:
        if not self._digests:
            self._digests = [self._pool.submit(_sha256, path) for _, path in self._files]

    def record(self) -> list[dict[str, str]]:
        self.start()
        return [{"kind": kind, "name": path.name, "path": str(path.resolve()), "sha256": digest.result()}
                for (kind, path), digest in zip(self._files, self._digests, strict=True)]


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


def _projects(conn: psycopg.Connection[Any], request: LoadRequest, before: Projects | None) -> Projects:
    """The projects the parcels are assessed with: unless this load wrote projects, those read for the checks."""
    return before if before is not None and request.projects is None else Projects.read(conn)


def _stream_parcels(conn: psycopg.Connection[Any], parcels: Checked, geometry: GeometryParts, around: Surroundings,
                    policy: Policy, request: LoadRequest, step: Step, progress: Progress | None,
                    beside_indexes: Callable[[], None]) -> dict[str, int]:
    """Parcels into their empty table as their geometries are checked (`etl.stream`); then, on a thread while the
    server builds the indexes, the checks on the whole file (warnings only: no row depends on them), and whatever
    else `beside_indexes` starts."""
    step("check and write parcels")
    placement, table = stream_parcels(conn, parcels, geometry, around, _projects(conn, request, around.stored_projects), policy,
                                      progress)
    step("index parcels")
    def whole_file_checks() -> None:
        check_parcels_against(parcels, around, placement)
        check_overlaps([parcels])

    beside_indexes()
    with ThreadPoolExecutor(1) as pool:
        checks = pool.submit(whole_file_checks)
        table.build_indexes(conn)
        checks.result()
    return {"read": parcels.count, "inserted": parcels.count, "updated": 0, "unchanged": 0}


def _write_parcels(conn: psycopg.Connection[Any], parcels: Checked, placement: Placement | None, policy: Policy,
                   request: LoadRequest, step: Step, progress: Progress | None,
                   projects_before: Projects | None, actor: audit.Actor) -> tuple[dict[str, int], int | None]:
    """Parcels into an empty table with their results (each written once); else upserted, and when the
    file holds every stored parcel, their results updated from what was computed for the file. The count
    of rows whose results were written, or None when the stored parcels still need `reassess`."""
    geometry, columns = parcels.geometry, parcels.columns
    if placement is None or geometry is None:
        check_overlaps([parcels])
        step("write parcels")
        return upsert(conn, "parcels", parcel_columns(parcels), parcels.count, "parcels" in request.replace, progress,
                      scope_check.replace_within("parcels", actor.access)), None

    def results() -> dict[str, Column]:
        step("assess")
        projects = _projects(conn, request, projects_before)
        return assess_parcels(Parcels(projects.positions(parcels.texts["project_code"]), geometry.area_cents, columns["recorded_cents"],
                                      columns["has_recorded"], geometry.repaired, placement), projects, policy)

    if is_empty(conn, "parcels"):
        # Overlaps between parcels are warnings only (no row depends on them): checked on a thread from here on,
        # beside the rules and the server's COPY and index builds.
        with ThreadPoolExecutor(1) as pool:
            overlaps = pool.submit(check_overlaps, [parcels])
            computed = results()
            step("write parcels")
            left = absent_land_use_columns(parcels)
            columns = {name: column for name, column in parcel_columns(parcels).items() if name not in left}
            counts = insert_into_empty(conn, "parcels", {**columns, **computed}, parcels.count, progress, step)
            overlaps.result()
        return counts, parcels.count
    check_overlaps([parcels])
    step("write parcels")
    counts = upsert(conn, "parcels", parcel_columns(parcels), parcels.count, "parcels" in request.replace, progress,
                    scope_check.replace_within("parcels", actor.access))
    stored = conn.execute("SELECT count(*) FROM parcels").fetchone()
    if stored is None or stored[0] != parcels.count:  # other stored parcels may share projects with these: all are reassessed
        return counts, None
    return counts, apply_results(conn, parcels.texts["parcel_code"].to_numpy(zero_copy_only=False), results())


def load(conninfo: str, request: LoadRequest, policy: Policy, rule_settings: RuleSettings,
         step: Step = _quiet, progress: Progress | None = None, *, actor: audit.Actor) -> LoadResult:
    """Check, then load every file of `request` and apply the rules, all in one transaction, as `actor`.

    `step` is told each stage by name; `progress`, when given, how many rows of a table are written. A refused
    load (InputError) is recorded in the audit trail, when the database can be reached, before it is raised.
    """
    access = actor.access
    if not allowed(access_policy(), access, Action.LOAD):
        role = role_for(access_policy(), Action.LOAD).value
        raise MujunError(f"账户 {access.who} 无权载入数据（需要 {role} 或更高的角色）",
                         f"the account {access.who} may not load data (this needs the {role} role or higher)", code="forbidden", status_code=403)
    try:
        citywide = [(path, zh, en) for path, zh, en in ((request.constraints, "管控区（三区三线）", "constraint areas"),
                                                         (request.batches, "批次", "approval batches")) if path is not None]
        if access.scoped and citywide:
            raise InputError([Problem(path.name, "文件 file", None, None, f"{zh}覆盖全市，只有不限辖区的账户可以载入",
                                      f"{en} cover the whole city: only an account of every district may load them")
                              for path, zh, en in citywide])
        with ThreadPoolExecutor(1) as pool:
            return _load(conninfo, request, policy, rule_settings, step, progress, _Digests(request.files(), pool), actor)
    except InputError as exc:
        _record_refusal(conninfo, request, actor, exc)
        raise


def _record_refusal(conninfo: str, request: LoadRequest, actor: audit.Actor, refusal: InputError) -> None:
    files = [{"kind": kind, "name": path.name} for kind, path in request.files()]
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            audit.record(conn, actor, audit.Event.LOAD_REFUSED, {"files": files, "problems": len(refusal.problems),
                                                                 "first": refusal.problems[0].message("en")})
    except psycopg.Error as exc:  # the refusal itself is what the caller must see
        log.warning("a refused load could not be recorded in the audit trail: %s", exc)


def _data_version(conn: psycopg.Connection[Any]) -> int:
    """The count every write to the loaded tables moves on (migration 0004), committed or not."""
    row = conn.execute("SELECT last_value FROM data_version").fetchone()
    assert row is not None
    return int(row[0])


def _early_projects(conninfo: str) -> tuple[int, Projects] | None:
    """The stored projects, read while no load runs, and the data version then; None when a load is running."""
    with psycopg.connect(conninfo) as conn:
        locked = conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOAD_LOCK]).fetchone()
        if locked is None or not locked[0]:
            return None
        return _data_version(conn), Projects.read(conn)


def _load(conninfo: str, request: LoadRequest, policy: Policy, rule_settings: RuleSettings, step: Step,
          progress: Progress | None, digests: _Digests, actor: audit.Actor) -> LoadResult:
    # The stored projects are read on a connection of their own while the files are read; they are used only if
    # nothing was written since (the data version), and the files are checked before the database is reached.
    with ThreadPoolExecutor(1) as pool:
        # The stored projects are what parcels are assessed with: a load of neither parcels nor projects needs none.
        assessing = request.parcels is not None or request.projects is not None
        early = pool.submit(_early_projects, conninfo) if assessing and "projects" not in request.replace else None
        checked, geometry = _read_and_check(request, policy, rule_settings, step, parts=True)
        if any(c.errors for c in checked) or (geometry is not None and geometry.checker.errors):
            _finish_geometry(checked, geometry)
        read_early = early.result() if early is not None else None
    counts: dict[str, dict[str, int]] = {}
    try:
        with psycopg.connect(conninfo) as conn:  # commits on success, rolls back on any exception
            result = _write(conn, request, policy, checked, geometry, read_early, step, progress, counts, digests, actor)
    except BaseException:
        if geometry is not None:
            geometry.cancel()
        raise
    return result


def _finish_geometry(checked: list[Checked], geometry: GeometryParts | None) -> None:
    """The parcels' geometries checked to the end and given to them; every error of the files raised, if any."""
    parcels = next((c for c in checked if c.kind == "parcels"), None)
    if geometry is not None and parcels is not None and parcels.geometry is None:
        with_geometry(parcels, geometry.joined())
    errors = [problem for c in checked for problem in c.errors]
    if errors:
        raise InputError(errors)


def _write(conn: psycopg.Connection[Any], request: LoadRequest, policy: Policy, checked: list[Checked], geometry: GeometryParts | None,
           read_early: tuple[int, Projects] | None, step: Step, progress: Progress | None, counts: dict[str, dict[str, int]],
           digests: _Digests, actor: audit.Actor) -> LoadResult:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOAD_LOCK])
    scope_check.snapshot(conn, actor.access)
    step("check")
    load_id = _reserve_load_id(conn)
    parcels = next((c for c in checked if c.kind == "parcels"), None)
    # Into an empty table, parcels are written while their geometries are checked; otherwise once all are.
    streamed = geometry is not None and is_empty(conn, "parcels")
    if not streamed:
        digests.start()
        _finish_geometry(checked, geometry)
    stored = read_early[1] if read_early is not None and read_early[0] == _data_version(conn) else None
    around = surroundings(conn, checked, request.replace, policy, stored)
    placement = cross_check(checked, around, overlaps=False)  # overlaps: with the parcels' write; streamed parcels: after it
    refused = [problem for c in checked for problem in c.errors]  # found against the database (monthly reports' projects)
    if refused:
        raise InputError(refused)
    sync_policy(conn, policy)
    for item in checked:
        if item.kind not in ("parcels", "monthly", "batches", "evaluation"):
            _write_records(conn, item, request, load_id, step, progress, counts, actor)
    monthly = next((c for c in checked if c.kind == "monthly"), None)
    if monthly is not None:
        step("write monthly reports")
        counts["monthly"] = write_monthly(conn, monthly, load_id)
    assessed = None
    if parcels is not None and streamed:
        assert geometry is not None
        counts["parcels"] = _stream_parcels(conn, parcels, geometry, around, policy, request, step, progress, digests.start)
        assessed = parcels.count
    elif parcels is not None:
        counts["parcels"], assessed = _write_parcels(conn, parcels, placement, policy, request, step, progress,
                                                     around.stored_projects, actor)
    if assessed is None and any(item.kind in RULE_INPUTS for item in checked):
        step("assess")
        assessed = reassess(conn, policy)
    counts["assessed"] = {"changed": assessed or 0}
    _write_land_use(conn, checked, request, load_id, step, progress, counts)
    if actor.access.scoped:
        step("check districts")
        scope_check.refuse_outside(conn, actor.access, {kind: path.name for kind, path in request.files()})
    warnings = [w for c in checked for w in c.warnings]
    inferences = [i for c in checked for i in c.inferences]
    counts["warnings"] = {"total": len(warnings), "recorded": min(len(warnings), RECORDED_WARNINGS)}
    files = digests.record()
    conn.execute(
        "INSERT INTO loads (id, username, policy_code, files, counts, inferences, warnings, finished_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
        [load_id, actor.access.who, policy.code, Jsonb(files), Jsonb(counts), Jsonb(inferences),
         Jsonb([w.as_dict() for w in warnings[:RECORDED_WARNINGS]])],
    )
    audit.record(conn, actor, audit.Event.LOAD, {"load_id": load_id, "policy": policy.code,
                                                 "files": [{k: f[k] for k in ("kind", "name", "sha256")} for f in files], "counts": counts})
    return LoadResult(load_id, counts, warnings, inferences)


def _write_land_use(conn: psycopg.Connection[Any], checked: list[Checked], request: LoadRequest, load_id: int, step: Step,
                    progress: Progress | None, counts: dict[str, dict[str, int]]) -> None:
    """Batches and firms' figures; then how much of each batch the supplied parcels cover, made again whenever batches,
    or parcels while batches are stored, were written (`etl.batches`)."""
    kinds = {item.kind: item for item in checked}
    if "batches" in kinds:
        step("write batches")
        counts["batches"] = write_batches(conn, kinds["batches"], "batches" in request.replace, progress)
    if "evaluation" in kinds:
        step("write firms' figures")
        counts["evaluation"] = write_evaluation(conn, kinds["evaluation"], load_id)
    if "batches" in kinds or ("parcels" in kinds and batches_stored(conn)):
        step("measure batches against supplied parcels")
        counts["batch_cover"] = {"pieces": rebuild_cover(conn)}


def _reserve_load_id(conn: psycopg.Connection[Any]) -> int:
    """The load's id, taken first: the plans, changes and reports it writes name it."""
    row = conn.execute("SELECT nextval(pg_get_serial_sequence('loads', 'id'))").fetchone()
    assert row is not None
    return int(row[0])


def _write_records(conn: psycopg.Connection[Any], item: Checked, request: LoadRequest, load_id: int, step: Step,
                   progress: Progress | None, counts: dict[str, dict[str, int]], actor: audit.Actor) -> None:
    """Zones, projects or constraints upserted by code (into an empty table: COPYed straight in; a scoped account's
    `--replace` deletes only its districts' rows); a projects file's stage and date changes recorded, and its plans written."""
    step(f"write {item.kind}")
    before = read_before(conn, item) if item.kind == "projects" else None
    if before is not None:
        keep_report_days(item, before)
    columns = record_columns(item)
    counts[item.kind] = (insert_into_empty(conn, item.kind, columns, item.count, progress, step) if is_empty(conn, item.kind)
                         else upsert(conn, item.kind, columns, item.count, item.kind in request.replace, progress,
                                     scope_check.replace_within(item.kind, actor.access)))
    if before is not None:
        counts["project_plans"] = {"written": write_plans(conn, item, load_id)}
        counts["project_changes"] = {"recorded": record_changes(conn, item, before, load_id)}
        if "projects" in request.replace:
            conn.execute("DELETE FROM project_plans AS p WHERE NOT EXISTS (SELECT 1 FROM projects WHERE project_code = p.project_code)")


def libpq_conninfo(url: str) -> str:
    """psycopg's connection string from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
