"""The portal under load, and through a PostgreSQL restart: 32 connections for 60 s mixing what officials do.

    flock /tmp/mujun-bench.lock .venv/bin/python bench/load.py --parcels 20000 [--workers 2] [--reuse-db]

1. Loads N synthetic parcels into `mujun_bench` as bench/lookup.py does (or keeps them with --reuse-db).
2. Serves the app as deployed: `mujun serve --workers N` (default: the machine's cores), every request with the
   token of an analyst of every district (access control on).
3. Steady run: `--seconds` (60) at `--connections` (32) keep-alive connections, each sending, one after another, a
   mix drawn once (seeded): map tiles (z10–16 of the parcel layer, 60 %), the click lookup (25 %), search (by code
   prefix or project name, 10 %) and the report's panel page for one zone (5 %). Every answer must
   be a 200: `errors` counts the others. p50/p99 and req/s, overall and per kind.
4. The peer, side by side: the same run against the same server setup with `MUJUN_ANONYMOUS_ROLE=analyst` and no
   credentials, i.e. what access control costs.
5. Outage run: the same mix for `--outage-run` (30) s; `--outage-at` (10) s in, the local PostgreSQL under `.var/`
   is stopped, kept down `--down` (3) s and started again (its port kept), the API left running. Requests answered
   while it is down must be 503 with the usual error body (`outage_errors_non_503` counts any other failure), and
   `recovery_s` is how long after the database is back the last request sent after that failed (target ≤ 5 s);
   `in_flight_failed` counts requests sent while it was down and answered 503 after it was back.

Prints a table; the last line is one JSON object with `requests`, `errors`, `p50_ms`, `p99_ms`, `req_per_s`,
`outage_errors_non_503`, `recovery_s` and the peer's figures. Everything talks to 127.0.0.1 only and stops what it
started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic
from bench.access import bearer
from bench.lookup import HOST, ROOT, _free_port, _holds, _read_response, bench_url, fetch, load_set, percentile, random_points
from mujun.db import make_engine
from mujun.localdb import LocalCluster, place_cluster
from mujun.settings import PROJECT_ROOT, DatabaseSettings

console = Console()
MIX = {"tile": 0.6, "lookup": 0.25, "search": 0.10, "report": 0.05}
"""An official's session: mostly the map (tiles), clicks on it, now and then a search or the report's panel."""
RECOVERY_TARGET_S = 5.0
OUTAGE_FIGURES = ("outage_requests", "outage_503", "outage_503_with_message", "outage_errors_non_503", "outage_other_statuses",
                  "outage_down_s", "recovery_s", "failed_sent_after_back", "in_flight_failed")
HALF_WORLD_M = 20037508.342789244


# ------------------------------------------------------------------------------------------------ the mix


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    x = (lon + 180) / 360 * 2**z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * 2**z
    return int(x), int(y)


def request_mix(engine: Engine, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, path) in the shares of MIX, shuffled: tiles and lookups at random parcels, searches for real codes and
    names, the report's first page for a zone."""
    rng = random.Random(seed)
    points = random_points(engine, count, seed)
    with engine.connect() as conn:
        names = [str(n) for n in conn.execute(text("SELECT name FROM projects WHERE name IS NOT NULL ORDER BY id LIMIT 2000")).scalars()]
        zones = [str(z) for z in conn.execute(text("SELECT zone_code FROM zones ORDER BY zone_code")).scalars()]
    mix: list[tuple[str, str]] = []
    for i, (lon, lat, code) in enumerate(points):
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "tile":
            z = rng.choice((10, 12, 14, 14, 15, 15, 16))
            x, y = tile_of(lon, lat, z)
            mix.append((kind, f"/tiles/parcels/{z}/{x}/{y}.mvt"))
        elif kind == "lookup":
            mix.append((kind, f"/api/lookup?lon={lon:.7f}&lat={lat:.7f}"))
        elif kind == "search":
            q = code[: max(3, len(code) - 2)] if i % 2 else rng.choice(names)[:4]
            mix.append((kind, "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 20})))
        else:
            mix.append((kind, "/api/reports/violations?" + urllib.parse.urlencode({"zone": rng.choice(zones), "limit": 50})))
    return mix


# ----------------------------------------------------------------------------------------------- the client


@dataclass
class Answer:
    kind: str
    sent: float
    done: float
    status: int
    """0: the connection failed (refused, reset)."""
    database_unavailable: bool = False


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    started: float = 0.0
    seconds: float = 0.0

    def summary(self, answers: list[Answer] | None = None) -> dict[str, Any]:
        chosen = self.answers if answers is None else answers
        latencies = [(a.done - a.sent) * 1000 for a in chosen]
        return {"requests": len(chosen), "errors": sum(a.status != 200 for a in chosen),
                "p50_ms": round(percentile(latencies, 50), 2), "p99_ms": round(percentile(latencies, 99), 2),
                "req_per_s": round(len(chosen) / self.seconds, 1) if self.seconds else 0.0}

    def by_kind(self) -> dict[str, dict[str, Any]]:
        return {kind: self.summary([a for a in self.answers if a.kind == kind]) for kind in MIX}


async def _drive(port: int, mix: list[tuple[str, str]], connections: int, seconds: float, headers: dict[str, str]) -> Run:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    requests = [(kind, f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n{extra}\r\n".encode()) for kind, path in mix]
    run = Run(started=time.perf_counter())
    deadline = run.started + seconds
    cursor = 0

    async def connection(offset: int) -> None:
        nonlocal cursor
        reader = writer = None
        while time.perf_counter() < deadline:
            kind, request = requests[cursor % len(requests)]
            cursor += 1
            sent = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                assert reader is not None
                writer.write(request)
                status, body = await asyncio.wait_for(_read_response(reader), timeout=60)
                run.answers.append(Answer(kind, sent, time.perf_counter(), status, b'"database_unavailable"' in body[:200]))
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                run.answers.append(Answer(kind, sent, time.perf_counter(), 0))
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.05)
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection(i) for i in range(connections)))
    run.seconds = time.perf_counter() - run.started
    return run


def drive(port: int, mix: list[tuple[str, str]], connections: int, seconds: float, headers: dict[str, str]) -> Run:
    return asyncio.run(_drive(port, mix, connections, seconds, headers))


# ----------------------------------------------------------------------------------------------- the server


class Served:
    """`mujun serve --workers N` on 127.0.0.1 (its own process group), as deployed; stopped on exit."""

    def __init__(self, url: str, workers: int | None, env: dict[str, str]) -> None:
        self.port = _free_port()
        command = [str(Path(sys.executable).parent / "mujun"), "serve", "--host", HOST, "--port", str(self.port)]
        if workers:
            command += ["--workers", str(workers)]
        self.log = (ROOT / "bench" / "out" / "load-serve.log").open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url, **env}, stdout=self.log,
                                        stderr=self.log, start_new_session=True)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mujun serve exited with {self.process.returncode}: see {self.log.name}")
            with contextlib.suppress(OSError):
                if fetch(self.port, "/readyz", 5)[1].startswith(b'{"status":"ready"'):
                    time.sleep(2.0)  # every worker opens its pools and starts listening
                    return
            time.sleep(0.3)
        raise RuntimeError(f"mujun serve was not ready within {timeout:.0f} s")

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created: mujun serve and its workers
                self.process.wait(10)
        self.log.close()


# ------------------------------------------------------------------------------------------------- the outage


@dataclass
class Outage:
    stopped_at: float = 0.0
    back_at: float = 0.0


def restart_later(cluster: LocalCluster, at: float, down_s: float, outage: Outage) -> threading.Thread:
    """Stop the local PostgreSQL `at` seconds from now, keep it down `down_s`, start it again (same port)."""

    def restart() -> None:
        time.sleep(at)
        outage.stopped_at = time.perf_counter()
        cluster.stop()
        time.sleep(down_s)
        cluster.start()
        outage.back_at = time.perf_counter()

    thread = threading.Thread(target=restart, name="restart-postgres")
    thread.start()
    return thread


def outage_figures(run: Run, outage: Outage) -> dict[str, Any]:
    during = [a for a in run.answers if outage.stopped_at <= a.done <= outage.back_at]
    sent_after = [a for a in run.answers if a.sent > outage.back_at and a.status != 200]
    in_flight = [a for a in run.answers if a.sent <= outage.back_at < a.done and a.status != 200]
    recovery = max((a.done for a in sent_after), default=outage.back_at) - outage.back_at
    non_503 = [a for a in run.answers if a.status not in (200, 503) and a.done >= outage.stopped_at]
    statuses: dict[str, int] = {}
    for answer in non_503:
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
    return {"outage_requests": len(during), "outage_503": sum(a.status == 503 for a in during), "outage_other_statuses": statuses,
            "outage_503_with_message": sum(a.status == 503 and a.database_unavailable for a in during),
            "outage_errors_non_503": len(non_503), "outage_down_s": round(outage.back_at - outage.stopped_at, 2),
            "recovery_s": round(recovery, 2), "failed_sent_after_back": len(sent_after), "in_flight_failed": len(in_flight)}


# ------------------------------------------------------------------------------------------------------ main


def _table(result: dict[str, Any]) -> Table:
    table = Table(title=f"{result['parcels']:,} parcels · {result['connections']} connections · {result['workers']} worker(s)")
    for column in ("", "with access control (token)", "peer: no credentials (MUJUN_ANONYMOUS_ROLE=analyst)"):
        table.add_column(column, justify="right")
    steady, peer = result["steady"], result["peer"]
    for name in ("requests", "errors", "req_per_s", "p50_ms", "p99_ms"):
        table.add_row(name, f"{steady[name]:,}", f"{peer[name]:,}" if peer else "—")
    for kind in MIX:
        own, other = result["steady_by_kind"][kind], (result["peer_by_kind"] or {}).get(kind)
        table.add_row(f"{kind} p50 / p99 ms", f"{own['p50_ms']} / {own['p99_ms']}", f"{other['p50_ms']} / {other['p99_ms']}" if other else "—")
    return table


def run(args: argparse.Namespace) -> dict[str, Any]:
    data, _ = synthetic.ensure(args.parcels, ROOT / "bench" / "out" / f"n{args.parcels}")
    url = bench_url()
    settings = DatabaseSettings()
    if settings.url:
        raise SystemExit("bench/load.py restarts the project's own PostgreSQL under .var/: unset DATABASE_URL")
    engine = make_engine(url)
    if not (args.reuse_db and _holds(engine, data)):
        load_set(url, data, None)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    mix = request_mix(engine, 20_000, args.seed)
    engine.dispose()
    auth = bearer(url)
    workers = args.workers or os.cpu_count() or 1
    result: dict[str, Any] = {"parcels": args.parcels, "connections": args.connections, "workers": workers, "seconds": args.seconds}

    with Served(url, workers, {}) as server:
        server.wait_ready()
        drive(server.port, mix[:2000], args.connections, 5, auth)  # warm: plans prepared, caches filled
        console.print(f"steady run: {args.seconds:.0f} s at {args.connections} connections …")
        steady = drive(server.port, mix, args.connections, args.seconds, auth)
        result["steady"], result["steady_by_kind"] = steady.summary(), steady.by_kind()
        console.print(f"outage run: {args.outage_run:.0f} s, PostgreSQL stopped at {args.outage_at:.0f} s for {args.down:.0f} s …")
        outage = Outage()
        restarting = restart_later(place_cluster(settings.local_dir, PROJECT_ROOT), args.outage_at, args.down, outage)
        during = drive(server.port, mix, args.connections, args.outage_run, auth)
        restarting.join()
        result |= outage_figures(during, outage)
        result["outage_run"] = during.summary()
    result["peer"] = result["peer_by_kind"] = None
    if not args.no_peer:
        with Served(url, workers, {"MUJUN_ANONYMOUS_ROLE": "analyst"}) as peer_server:
            peer_server.wait_ready()
            drive(peer_server.port, mix[:2000], args.connections, 5, {})
            console.print(f"peer run (no credentials): {args.seconds:.0f} s …")
            peer = drive(peer_server.port, mix, args.connections, args.seconds, {})
            result["peer"], result["peer_by_kind"] = peer.summary(), peer.by_kind()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=None, help="as `mujun serve --workers` (default: the machine's cores)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--outage-run", type=float, default=30.0, help="seconds of the run PostgreSQL restarts in")
    parser.add_argument("--outage-at", type=float, default=10.0, help="seconds into that run PostgreSQL stops")
    parser.add_argument("--down", type=float, default=3.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--reuse-db", action="store_true", help="keep mujun_bench when it holds this set")
    parser.add_argument("--no-peer", action="store_true", help="skip the run without credentials")
    args = parser.parse_args(argv)
    result = run(args)
    console.print(_table(result))
    verdicts = {"errors == 0": result["steady"]["errors"] == 0, "outage_errors_non_503 == 0": result["outage_errors_non_503"] == 0,
                f"recovery_s ≤ {RECOVERY_TARGET_S:g}": result["recovery_s"] <= RECOVERY_TARGET_S}
    console.print(f"outage: {result['outage_requests']} answered while down ({result['outage_503']} × 503, "
                  f"{result['outage_503_with_message']} with the message), down {result['outage_down_s']} s, "
                  f"recovered {result['recovery_s']} s after; " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in verdicts.items()))
    summary = {"requests": result["steady"]["requests"], "errors": result["steady"]["errors"], "p50_ms": result["steady"]["p50_ms"],
               "p99_ms": result["steady"]["p99_ms"], "req_per_s": result["steady"]["req_per_s"],
               **{k: result[k] for k in (*OUTAGE_FIGURES, "parcels", "workers", "connections", "seconds")},
               "by_kind": {k: {m: v[m] for m in ("requests", "errors", "p50_ms", "p99_ms")} for k, v in result["steady_by_kind"].items()},
               "peer": result["peer"]}
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
