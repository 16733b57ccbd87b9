"""Click lookup and violation-report benchmark on N synthetic parcels, through the real loader and the real app.

    .venv/bin/python bench/lookup.py --parcels 20000

1. Generates N parcels (`bench.synthetic`, cached in bench/out/n<N>/) and loads them into a database of its
   own, `mujun_bench` (dropped and recreated; on the local cluster, or on DATABASE_URL's server; kept at the
   end unless --drop), with the real loader (`etl.load.load`), timing every step of it, then ANALYZEs it.
2. Starts the real app (`uvicorn geo_api.app:create_app --factory`, uvloop and httptools, access log off:
   behind a reverse proxy, which logs requests itself)
   on 127.0.0.1 with 1 and then 2 workers, and sends GET /api/lookup at random points inside random parcels
   over 8 keep-alive connections (a fixed count, bounded in time): p50, p99 and req/s, and where the CPU went
   (client, server, PostgreSQL, anything else on the machine).
3. Sends the same point query straight to PostgreSQL (`layers.records.at_point`, the statement the
   route runs, on one psycopg connection) and through the ORM's `parcels_at`: what the HTTP
   stack adds on top. The HTTP requests carry a token of an analyst of every district (bench/access.py):
   access control is on, as deployed.
4. Times GET /api/reports/violations as CSV and XLSX for (about) 100,000 violation rows, choosing whole
   zones until there are enough (with fewer violations in the data: all of them, and says so), then the
   same report in-process, split into the query and each writer.

Prints tables (rich) with the targets at 1M parcels beside the figures; the last line is one JSON object.
Everything is bounded in count and time, talks HTTP to 127.0.0.1 only, and stops the server it started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import csv
import io
import json
import os
import pstats
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic
from bench.access import ACTOR, EVERY_DISTRICT, bearer
from etl.load import LoadRequest, libpq_conninfo, load
from geo_api import report_formats
from layers.records import at_point, parcels_at
from layers.violations import ViolationFilters, violation_report, violations_select
from mujun.db import database_url, make_engine, upgrade
from mujun.localdb import drop_database
from mujun.policy import load_policy
from mujun.settings import DatabaseSettings, RuleSettings

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "mujun_bench"
HOST = "127.0.0.1"
TARGETS = {"lookup_p50_ms": 3.0, "lookup_req_per_s": 1000.0, "xlsx_100k_s": 10.0, "csv_100k_s": 2.0}
REPORT_ROWS = 100_000
console = Console()


# ---------------------------------------------------------------------------------------------------- timing


def percentile(values: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    """cProfile the block into `path` (and print its top functions), or do nothing when `path` is None."""
    if path is None:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(15)
        console.print(f"[dim]profile → {path}[/dim]")
        console.print(out.getvalue().split("\n", 5)[-1][:6000], markup=False, highlight=False)


# ------------------------------------------------------------------------------------------------ CPU shares


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process we can see."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            found.append((int(entry.name), int(tail.split()[1]), head.split("(", 1)[1]))
    return found


def _descendants(root: int, table: list[tuple[int, int, str]]) -> set[int]:
    pids, grew = {root}, True
    while grew:
        more = {pid for pid, parent, _ in table if parent in pids} - pids
        pids |= more
        grew = bool(more)
    return pids


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS  # minus idle and iowait


@dataclass
class CpuSnapshot:
    """CPU seconds so far of this process, of the server's process tree, of each PostgreSQL process, of the machine."""

    client: float
    server: dict[int, float]
    postgres: dict[int, float]
    machine: float

    @classmethod
    def take(cls, server_pid: int) -> CpuSnapshot:
        table = _processes()
        return cls(time.process_time(), {p: _proc_cpu(p) for p in _descendants(server_pid, table)},
                   {pid: _proc_cpu(pid) for pid, _, name in table if name == "postgres"}, _machine_busy())

    def since(self, start: CpuSnapshot, wall: float) -> dict[str, float]:
        """Cores used on average over `wall` seconds, by who ("other": the rest of the machine's busy time,
        including any PostgreSQL backend that ended in between)."""
        def grown(now: dict[int, float], before: dict[int, float]) -> float:
            return sum(value - before.get(pid, 0.0) for pid, value in now.items())

        used = {"client": self.client - start.client, "server": grown(self.server, start.server),
                "postgres": grown(self.postgres, start.postgres)}
        used["other"] = max(0.0, self.machine - start.machine - sum(used.values()))
        return {key: round(value / wall, 2) for key, value in used.items()}


def connections_by_process(port: int, pids: set[int]) -> dict[int, int]:
    """Established TCP connections to `port` held by each of `pids` (from /proc: which worker got the clients)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                    inodes.add(fields[9])
    counts = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            counts[pid] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return {pid: n for pid, n in counts.items() if n}


BUSY_OTHER_CORES = 0.25
"""More CPU than this used by others during a run (other users' tests, a browser): its figures are pessimistic."""


# ------------------------------------------------------------------------------------------------ the client


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    marker = headers.find(b"\r\ncontent-length:")
    if marker >= 0:
        length = int(headers[marker + 17:headers.index(b"\r\n", marker + 2)])
        return status, await reader.readexactly(length)
    body = bytearray()  # chunked
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, bytes(body)
        body += chunk[:-2]


@dataclass
class Hammered:
    latencies_ms: list[float]
    seconds: float
    errors: int
    bodies: dict[int, bytes] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict[str, float]:
        return {"p50_ms": round(percentile(self.latencies_ms, 50), 3), "p99_ms": round(percentile(self.latencies_ms, 99), 3),
                "req_per_s": round(self.done / self.seconds, 1) if self.seconds else 0.0}


async def _hammer(port: int, paths: list[str], concurrency: int, max_seconds: float, keep_bodies: int,
                  headers: dict[str, str]) -> Hammered:
    """Send GET `paths` in order over `concurrency` keep-alive connections, each waiting for its answer."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    requests = [f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n{extra}\r\n".encode() for path in paths]
    latencies: list[float] = []
    bodies: dict[int, bytes] = {}
    errors = 0
    next_index = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    async def connection() -> None:
        nonlocal next_index, errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while next_index < len(requests) and time.perf_counter() < deadline:
                i = next_index
                next_index += 1
                sent = time.perf_counter()
                writer.write(requests[i])
                status, body = await _read_response(reader)
                latencies.append((time.perf_counter() - sent) * 1000)
                if status != 200:
                    errors += 1
                if i < keep_bodies:
                    bodies[i] = body
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return Hammered(latencies, time.perf_counter() - started, errors, bodies)


def hammer(port: int, server_pid: int, paths: list[str], concurrency: int, max_seconds: float,
           keep_bodies: int = 0, headers: dict[str, str] | None = None) -> Hammered:
    before = CpuSnapshot.take(server_pid)
    result = asyncio.run(_hammer(port, paths, concurrency, max_seconds, keep_bodies, headers or {}))
    result.cpu = CpuSnapshot.take(server_pid).since(before, result.seconds)
    return result


_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy


def fetch(port: int, path: str, timeout: float, headers: dict[str, str] | None = None) -> tuple[float, bytes]:
    started = time.perf_counter()
    with _LOOPBACK.open(urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers or {}), timeout=timeout) as response:
        body = response.read()
    return time.perf_counter() - started, body


# ------------------------------------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """`uvicorn geo_api.app:create_app --factory` on 127.0.0.1, in its own process group, stopped on exit."""

    def __init__(self, url: str, workers: int) -> None:
        self.port = _free_port()
        self.workers = workers
        self.auth = bearer(url)
        """The token an analyst of every district sends (access control on, as deployed)."""
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, "-m", "uvicorn", "geo_api.app:create_app", "--factory", "--host", HOST,
                   "--port", str(self.port), "--workers", str(workers), "--no-access-log"]
        self.log = (ROOT / "bench" / "out" / f"uvicorn-{workers}.log").open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
                                        start_new_session=True)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}: see {self.log.name}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if fetch(self.port, "/readyz", 5)[1].startswith(b'{"status":"ready"'):
                    # every worker has to start its engine: one request each is not enough to be sure
                    time.sleep(1.0)
                    return
            time.sleep(0.3)
        raise RuntimeError(f"uvicorn was not ready within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created: uvicorn and its workers
                self.process.wait(10)
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------ data and points


def bench_url() -> str:
    base = database_url(DatabaseSettings())
    return make_url(base).set(database=BENCH_DB).render_as_string(hide_password=False)


def load_set(url: str, data: synthetic.SyntheticSet, profile: Path | None) -> dict[str, float]:
    """Drop, recreate and load `mujun_bench`; the seconds of every loader step (as the loader names them)."""
    drop_database(url)
    upgrade(url)
    rule_settings = RuleSettings()
    marks: list[tuple[str, float]] = []

    def step(name: str) -> None:
        marks.append((name, time.perf_counter()))
        console.print(f"  [dim]{time.strftime('%H:%M:%S')} load: {name}[/dim]")

    started = time.perf_counter()
    with profiled(profile):
        load(libpq_conninfo(url), LoadRequest(zones=data.zones_path, parcels=data.parcels_path,
                                              projects=data.projects_path),
             load_policy(rule_settings.policy), rule_settings, step, actor=ACTOR)
    ended = time.perf_counter()
    steps: dict[str, float] = {}
    for (name, at), (_, until) in zip(marks, [*marks[1:], ("commit", ended)], strict=True):
        steps[name] = round(until - at, 2)
    steps["total"] = round(ended - started, 2)
    return steps


def random_points(engine: Engine, count: int, seed: int) -> list[tuple[float, float, str]]:
    """(lon, lat, parcel_code): a point drawn inside each of `count` random parcels (PostGIS, seeded)."""
    with engine.connect() as conn:
        known = np.array(conn.execute(text("SELECT id FROM parcels ORDER BY id")).scalars().all())
        ids = known[np.random.default_rng(seed).integers(0, len(known), size=count)].tolist()
        rows = conn.execute(text(
            "SELECT ST_X(pt), ST_Y(pt), p.parcel_code FROM unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS u(id, n) "
            "JOIN parcels p ON p.id = u.id "
            "CROSS JOIN LATERAL ST_GeometryN(ST_GeneratePoints(p.geom, 1, CAST(u.n AS integer)), 1) AS pt ORDER BY u.n"
        ), {"ids": ids}).all()
    return [(float(x), float(y), str(code)) for x, y, code in rows]


def raw_sql_latencies(conninfo: str, points: list[tuple[float, float, str]]) -> tuple[list[float], str]:
    """The route's statement (`layers.records.at_point`) on one psycopg connection, one at a time, with
    the session the app's read pool sets up (autocommit, generic plan; prepared after 5 runs)."""
    latencies = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET plan_cache_mode = force_generic_plan")
        for lon, lat, _ in points:
            started = time.perf_counter()
            conn.execute(*at_point(EVERY_DISTRICT, lon, lat)).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
        lon, lat, _ = points[0]
        statement, params = at_point(EVERY_DISTRICT, lon, lat)
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).fetchall()
    return latencies, "\n".join(row[0] for row in plan)


def sqlalchemy_latencies(engine: Engine, points: list[tuple[float, float, str]]) -> list[float]:
    """`parcels_at` as the route calls it: a pooled connection checked out per request (with its pre-ping)."""
    latencies = []
    for lon, lat, _ in points:
        started = time.perf_counter()
        with engine.connect() as conn:
            parcels_at(conn, EVERY_DISTRICT, lon, lat)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def lookup_paths(points: list[tuple[float, float, str]]) -> list[str]:
    return [f"/api/lookup?lon={lon:.7f}&lat={lat:.7f}" for lon, lat, _ in points]


def wrong_answers(result: Hammered, points: list[tuple[float, float, str]]) -> int:
    """Kept answers that do not name the parcel the point was drawn in."""
    wrong = 0
    for i, body in result.bodies.items():
        codes = [p["parcel_code"] for p in json.loads(body)["parcels"]]
        wrong += points[i][2] not in codes
    return wrong


# --------------------------------------------------------------------------------------------------- reports


def report_zones(engine: Engine, wanted: int) -> tuple[list[str], int, int]:
    """Zones (held against) whose violations add up to at least `wanted` rows, biggest first; [] for all.
    Returns the zones, the rows they hold, and the violations in the whole data."""
    with engine.connect() as conn:
        counts = conn.execute(text(
            "SELECT assessed_zone_code, count(*) FROM parcels WHERE status = 'below' "
            "GROUP BY 1 ORDER BY 2 DESC, 1")).all()
    total = sum(int(n) for _, n in counts)
    if total <= wanted:
        return [], total, total
    chosen, rows = [], 0
    for code, n in counts:
        chosen.append(str(code))
        rows += int(n)
        if rows >= wanted:
            break
    return chosen, rows, total


def report_path(output: str, zones: list[str]) -> str:
    return "/api/reports/violations?" + urllib.parse.urlencode([("format", output), *(("zone", z) for z in zones)])


def csv_rows(body: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1


def report_in_process(engine: Engine, zones: list[str], profile: Path | None) -> dict[str, float]:
    """The report without HTTP: its query alone, the whole report object, then each writer."""
    filters = ViolationFilters(zone=tuple(zones))
    seconds: dict[str, float] = {}
    with engine.connect() as conn:
        started = time.perf_counter()
        rows = conn.execute(violations_select(filters, EVERY_DISTRICT)).all()
        seconds["query_fetch"] = time.perf_counter() - started
        del rows
        with profiled(profile):
            started = time.perf_counter()
            report = violation_report(conn, EVERY_DISTRICT, filters)
            seconds["violation_report"] = time.perf_counter() - started
            started = time.perf_counter()
            report_formats.to_csv(conn, EVERY_DISTRICT, filters)
            seconds["to_csv_copy"] = time.perf_counter() - started
            started = time.perf_counter()
            report_formats.to_xlsx(report)
            seconds["to_xlsx"] = time.perf_counter() - started
    seconds["data_quality_rows"] = len(report.data_quality)
    return {key: round(value, 3) for key, value in seconds.items()}


# ------------------------------------------------------------------------------------------------------ main


def _ms(value: float) -> str:
    return f"{value:,.2f} ms"


def _verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    if value != value:  # NaN
        return "—"
    met = value >= target if higher_is_better else value <= target
    return "[green]yes[/green]" if met else "[red]no[/red]"


def run(args: argparse.Namespace) -> dict[str, Any]:
    out_dir: Path = args.out or ROOT / "bench" / "out" / f"n{args.parcels}"
    result: dict[str, Any] = {"parcels": args.parcels}
    started = time.perf_counter()
    data, reused = synthetic.ensure(args.parcels, out_dir, args.seed)
    result["generate_s"] = 0.0 if reused else round(time.perf_counter() - started, 2)
    made = "reused" if reused else f"generated in {result['generate_s']} s"
    console.print(f"[bold]{args.parcels:,} parcels[/bold] in {data.zones} zones ({data.tiles} tile(s) of the 17 sample "
                  f"zones), {data.area_mu['min']}–{data.area_mu['max']} 亩 (median {data.area_mu['median']}), "
                  f"{made}: {out_dir}")

    url = bench_url()
    conninfo = libpq_conninfo(url)
    host = make_url(url).host
    console.print(f"database: {make_url(url).render_as_string(hide_password=True)}"
                  + ("" if host in (None, "127.0.0.1", "localhost", "::1") else "  [yellow](not on this machine)[/yellow]"))
    engine = make_engine(url)
    try:
        if args.reuse_db and _holds(engine, data):
            console.print("reusing the loaded database (--reuse-db): no load timed")
            load_steps: dict[str, float] = {}
        else:
            load_steps = load_set(url, data, out_dir / "load.prof" if args.profile else None)
        result["load_s"] = load_steps.get("total")
        result["load_steps"] = load_steps
        with engine.connect() as conn:
            started = time.perf_counter()
            conn.execute(text("ANALYZE"))  # what autovacuum would soon do; plans on a fresh 1M-row table need it
            conn.commit()
            result["analyze_s"] = round(time.perf_counter() - started, 2)
            below = int(conn.execute(text("SELECT count(*) FROM parcels WHERE status = 'below'")).scalar_one())
            size = conn.execute(text("SELECT pg_size_pretty(pg_total_relation_size('parcels'))")).scalar_one()
        result["violations"] = below
        result["parcels_table"] = size
        if below != data.expected_below:
            console.print(f"[red]{below} violations loaded, {data.expected_below} expected[/red]")

        points = random_points(engine, args.requests + args.warmup, args.seed + 1)
        sample = points[: args.direct]
        raw, plan = raw_sql_latencies(conninfo, sample)
        orm = sqlalchemy_latencies(engine, sample)
        result["raw_sql_p50_ms"] = round(percentile(raw[10:], 50), 3)
        result["raw_sql_p99_ms"] = round(percentile(raw[10:], 99), 3)
        result["sqlalchemy_p50_ms"] = round(percentile(orm[10:], 50), 3)
        result["sqlalchemy_p99_ms"] = round(percentile(orm[10:], 99), 3)

        paths = lookup_paths(points)
        runs: dict[int, dict[str, Any]] = {}
        report: dict[str, Any] = {}
        for workers in args.workers:
            with Server(url, workers) as server:
                server.wait_ready()
                hammer(server.port, server.process.pid, paths[: args.warmup], args.concurrency, 30, headers=server.auth)
                if workers == args.workers[0]:
                    serial = hammer(server.port, server.process.pid, paths[args.warmup: args.warmup + args.direct], 1, 30, headers=server.auth)
                    result["http_serial_p50_ms"] = serial.summary()["p50_ms"]
                spread: dict[int, int] = {}
                sampler = threading.Timer(1.0, lambda s=server, found=spread: found.update(
                    connections_by_process(s.port, _descendants(s.process.pid, _processes()))))
                sampler.start()
                measured = hammer(server.port, server.process.pid, paths[args.warmup:], args.concurrency,
                                  args.max_seconds, keep_bodies=300, headers=server.auth)
                sampler.join()
                runs[workers] = {**measured.summary(), "requests": measured.done, "errors": measured.errors,
                                 "wrong": wrong_answers(measured, points[args.warmup:]), "cpu_cores": measured.cpu,
                                 "connections_per_process": sorted(spread.values(), reverse=True),
                                 "seconds": round(measured.seconds, 2)}
                console.print(f"  lookups, {workers} worker(s): {runs[workers]}")
                if measured.cpu["other"] > BUSY_OTHER_CORES:
                    console.print(f"  [yellow]other processes used {measured.cpu['other']} cores during this run: "
                                  "the machine was not quiet, these figures are pessimistic[/yellow]")
                if workers == args.workers[-1] and not args.no_report:
                    report = reports(server, engine, args, out_dir)
        best = max(runs, key=lambda w: runs[w]["req_per_s"])
        result.update({"workers": best, "lookup_p50_ms": runs[best]["p50_ms"], "lookup_p99_ms": runs[best]["p99_ms"],
                       "lookup_req_per_s": runs[best]["req_per_s"], "lookup_by_workers": runs,
                       "concurrency": args.concurrency})
        result.update(report)
        result["plan"] = plan
    finally:
        engine.dispose()
        if args.drop:
            drop_database(url)
    return result


def _holds(engine: Engine, data: synthetic.SyntheticSet) -> bool:
    with contextlib.suppress(Exception), engine.connect() as conn:
        parcels = conn.execute(text("SELECT count(*) FROM parcels")).scalar_one()
        zones = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
        return (parcels, zones) == (data.parcels, data.zones)
    return False


def reports(server: Server, engine: Engine, args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    zones, expected_rows, total = report_zones(engine, args.report_rows)
    note = (f"{len(zones)} zones chosen (zone=…) for {expected_rows:,} of {total:,} violation rows" if zones else
            f"all {total:,} violation rows: fewer than {args.report_rows:,} exist at this size" if total < args.report_rows
            else f"all {total:,} violation rows")
    console.print(f"  report: {note}")
    csv_s, body = fetch(server.port, report_path("csv", zones), args.report_timeout, server.auth)
    rows = csv_rows(body)
    xlsx_s, xlsx = fetch(server.port, report_path("xlsx", zones), args.report_timeout, server.auth)
    found: dict[str, Any] = {"report_rows": rows, "report_note": note, "csv_100k_s": round(csv_s, 2),
                             "xlsx_100k_s": round(xlsx_s, 2), "csv_mb": round(len(body) / 1e6, 1),
                             "xlsx_mb": round(len(xlsx) / 1e6, 1)}
    if not args.no_breakdown:
        found["report_in_process_s"] = report_in_process(engine, zones, out_dir / "report.prof" if args.profile else None)
    return found


def show(result: dict[str, Any], args: argparse.Namespace) -> None:
    table = Table(title=f"Mujun lookup and report benchmark: {result['parcels']:,} parcels "
                        f"(targets are for 1,000,000 parcels)")
    table.add_column("measure")
    table.add_column("measured", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met", justify="center")
    table.add_row(f"lookup p50 over HTTP ({args.concurrency} connections, {result['workers']} worker(s))",
                  _ms(result["lookup_p50_ms"]), "≤ 3 ms", _verdict(result["lookup_p50_ms"], TARGETS["lookup_p50_ms"]))
    table.add_row("lookup p99 over HTTP", _ms(result["lookup_p99_ms"]), "", "")
    table.add_row("lookups per second", f"{result['lookup_req_per_s']:,.0f}", "≥ 1,000",
                  _verdict(result["lookup_req_per_s"], TARGETS["lookup_req_per_s"], higher_is_better=True))
    table.add_row("lookup p50 over HTTP, one connection", _ms(result.get("http_serial_p50_ms", float("nan"))), "", "")
    table.add_row("  parcels_at() in-process (SQLAlchemy, pooled)", _ms(result["sqlalchemy_p50_ms"]), "", "")
    table.add_row("  same SQL straight to PostgreSQL (psycopg)", _ms(result["raw_sql_p50_ms"]), "", "")
    if "report_rows" in result:
        table.add_row(f"violation report XLSX ({result['report_rows']:,} rows)", f"{result['xlsx_100k_s']:.2f} s",
                      "≤ 10 s", _verdict(result["xlsx_100k_s"], TARGETS["xlsx_100k_s"]))
        table.add_row(f"violation report CSV ({result['report_rows']:,} rows)", f"{result['csv_100k_s']:.2f} s", "≤ 2 s",
                      _verdict(result["csv_100k_s"], TARGETS["csv_100k_s"]))
    if result.get("load_s") is not None:
        table.add_row("load (real loader, one transaction)", f"{result['load_s']:.1f} s", "", "")
    console.print(table)

    details = Table(title="where the time goes", show_header=True)
    details.add_column("what")
    details.add_column("figures")
    if result.get("load_steps"):
        details.add_row("loader steps (s)", ", ".join(f"{k}: {v}" for k, v in result["load_steps"].items()))
    for workers, run_ in result["lookup_by_workers"].items():
        details.add_row(f"lookups, {workers} worker(s)",
                        f"p50 {run_['p50_ms']} ms, p99 {run_['p99_ms']} ms, {run_['req_per_s']:,} req/s, "
                        f"{run_['requests']} requests ({run_['errors']} errors, {run_['wrong']} wrong of those checked); "
                        f"CPU cores used: {run_['cpu_cores']}; client connections per server process: "
                        f"{run_['connections_per_process']}")
    if "report_in_process_s" in result:
        details.add_row("report in-process (s)", ", ".join(f"{k}: {v}" for k, v in result["report_in_process_s"].items()))
    if "report_note" in result:
        details.add_row("report rows", result["report_note"] + f"; CSV {result['csv_mb']} MB, XLSX {result['xlsx_mb']} MB")
    details.add_row("database", f"parcels table {result['parcels_table']}, ANALYZE {result['analyze_s']} s, "
                                f"{result['violations']:,} violations")
    console.print(details)
    plan_lines = [line.strip() for line in result["plan"].splitlines()]
    console.print("[dim]point query plan: " + " | ".join(
        line for line in plan_lines if "Index" in line or "Execution" in line or "Planning Time" in line) + "[/dim]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parcels", type=int, required=True, help="how many synthetic parcels to load")
    parser.add_argument("--requests", type=int, default=5000, help="lookups per measured run (default 5000)")
    parser.add_argument("--warmup", type=int, default=300, help="lookups sent before each measured run")
    parser.add_argument("--direct", type=int, default=500, help="lookups for the one-at-a-time figures")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time bound of each measured lookup run")
    parser.add_argument("--workers", type=lambda s: [int(w) for w in s.split(",")], default=[1, 2],
                        help="uvicorn worker counts to try, e.g. 1,2 (the reports run on the last)")
    parser.add_argument("--report-rows", type=int, default=REPORT_ROWS)
    parser.add_argument("--report-timeout", type=float, default=600.0)
    parser.add_argument("--no-report", action="store_true", help="skip the violation report")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process report breakdown")
    parser.add_argument("--reuse-db", action="store_true", help="keep mujun_bench when it already holds this set")
    parser.add_argument("--drop", action="store_true", help="drop mujun_bench at the end (kept by default, for --reuse-db)")
    parser.add_argument("--profile", action="store_true", help="cProfile the load and the in-process report")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, help="data folder (default bench/out/n<parcels>)")
    args = parser.parse_args(argv)
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    result = run(args)
    show(result, args)
    del result["plan"]
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
