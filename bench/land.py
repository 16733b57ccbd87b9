"""Land benchmark: the idle-land and supply lists over N synthetic parcels and about N/50 approval batches, over HTTP beside
the same SQL straight in PostgreSQL, and the evaluation of 100,000 firms; through the real loader and the real app.

    flock /tmp/mujun-bench.lock .venv/bin/python bench/land.py --parcels 200000

1. Generates N parcels (`bench.synthetic`, cached in bench/out/n<N>/) and their land-use files (`bench.land_data`: the
   parcels again with 出让价款, 动工日期, stops and the government's delays; the batches; 100,000 firms of 2023).
2. Into a database of its own, `mujun_bench_land` (recreated unless --reuse-db finds the set loaded; kept at the end
   unless --drop), loads the zones and projects, then `mujun load --parcels` (a subprocess, as an official runs it) of
   the file without the land-use fields and of the one with them, each into the emptied table (`--load-repeat` turns,
   taken alternately; the medians are `load_absent_s` and `load_present_s`), then the batches (measured against the
   supplied parcels: `batches_load_s`) and the firms (`firms_load_s`), and ANALYZEs.
3. Sends the statements each list runs (`layers.land`: the parcels that could be listed; for supply, every batch's
   covered area too) straight to PostgreSQL on one psycopg connection, fetching every row: the SQL floor, p50 of
   `--requests` runs. Then serves the real app (uvicorn, 1 worker) and times GET /api/land/idle and /api/land/supply as
   of 2024-06-30 over one keep-alive connection: p50 of as many runs, after a warm-up.
4. Times GET /api/evaluation?year=2023 (100,000 firms scored, ranked and classed, as JSON), the median of three, and
   the scoring alone in-process.

Prints the figures with the targets at 1,000,000 parcels (each list ≤ 2× its SQL floor; the evaluation ≤ 5 s); the
last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import land_data, synthetic
from bench.access import ACTOR, EVERY_DISTRICT
from bench.etl import libpq, timed
from bench.lookup import Server, fetch, percentile
from etl.load import LoadRequest, load
from layers.evaluation import firms
from layers.land import batches_sql, parameters, rows_sql
from layers.tiles import MapFilters
from mujun.db import database_url, make_engine, upgrade
from mujun.evaluation import evaluate
from mujun.localdb import drop_database
from mujun.policy import load_evaluation_policy, load_idle_land_policy, load_policy
from mujun.settings import DatabaseSettings, RuleSettings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DB = "mujun_bench_land"
AS_OF = land_data.AS_OF
TARGETS = {"list_over_sql": 2.0, "evaluation_100k_s": 5.0}
console = Console(stderr=True)


def bench_url() -> str:
    return make_url(database_url(DatabaseSettings())).set(database=BENCH_DB).render_as_string(hide_password=False)


def _loaded(url: str, data: synthetic.SyntheticSet, files: land_data.LandFiles) -> bool:
    try:
        with psycopg.connect(libpq(url)) as conn:
            row = conn.execute("SELECT (SELECT count(*) FROM parcels), (SELECT count(*) FROM approval_batches), "
                               "(SELECT count(*) FROM firm_figures), (SELECT count(*) FROM parcels WHERE start_date IS NOT NULL)").fetchone()
    except psycopg.Error:
        return False
    return row == (data.parcels, files.batch_count, files.firm_count, files.started)


def load_all(url: str, data: synthetic.SyntheticSet, files: land_data.LandFiles, repeat: int, log: Path) -> dict[str, Any]:
    drop_database(url)
    upgrade(url)
    rule_settings = RuleSettings()
    policy = load_policy(rule_settings.policy)
    load(libpq(url), LoadRequest(zones=data.zones_path, projects=data.projects_path), policy, rule_settings, actor=ACTOR)
    env = {"DATABASE_URL": url}
    runs: dict[str, list[float]] = {"absent": [], "present": []}
    for _ in range(repeat):
        for kind, path in (("absent", data.parcels_path), ("present", files.parcels)):
            with psycopg.connect(libpq(url), autocommit=True) as conn:
                conn.execute("TRUNCATE parcels")
                conn.execute("VACUUM ANALYZE")
            run = timed([str(BIN / "mujun"), "load", "--parcels", str(path)], env, log)  # exits on a failure, naming the log
            runs[kind].append(round(run.seconds, 2))
            console.print(f"  load parcels, land-use fields {kind}: {run.seconds:.2f} s")
    found: dict[str, Any] = {"load_absent_s": statistics.median(runs["absent"]), "load_present_s": statistics.median(runs["present"]),
                             "load_absent_runs_s": runs["absent"], "load_present_runs_s": runs["present"]}
    for key, option, path in (("batches_load_s", "--batches", files.batches), ("firms_load_s", "--evaluation", files.firms)):
        run = timed([str(BIN / "mujun"), "load", option, str(path)], env, log)
        found[key] = round(run.seconds, 2)
        console.print(f"  {key}: {run.seconds:.2f} s")
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return found


def sql_floor(url: str, requests: int) -> dict[str, Any]:
    """Each list's statements, as the routes send them, on one connection; every row fetched."""
    policy, filters = load_idle_land_policy("changzhou-2018"), MapFilters()
    idle_params = parameters(AS_OF, policy, filters)
    times: dict[str, list[float]] = {"idle": [], "supply": []}
    rows: dict[str, int] = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for _ in range(requests + 1):
            started = time.perf_counter()
            rows["idle"] = len(conn.execute(rows_sql("idle", filters), idle_params).fetchall())
            times["idle"].append(time.perf_counter() - started)
            started = time.perf_counter()
            rows["supply"] = len(conn.execute(rows_sql("supply", filters), idle_params).fetchall())
            rows["batches"] = len(conn.execute(batches_sql(in_view=False), {"as_of": AS_OF, "limit": 0}).fetchall())
            times["supply"].append(time.perf_counter() - started)
    return {"idle_sql_ms": round(percentile(times["idle"][1:], 50) * 1000, 1),
            "supply_sql_ms": round(percentile(times["supply"][1:], 50) * 1000, 1),
            "idle_candidate_rows": rows["idle"], "supply_candidate_rows": rows["supply"], "batches": rows["batches"]}


def over_http(url: str, requests: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with Server(url, 1) as server:
        server.wait_ready()
        for key, path in (("idle", f"/api/land/idle?as_of={AS_OF}"), ("supply", f"/api/land/supply?as_of={AS_OF}")):
            fetch(server.port, path, 600, server.auth)  # warm-up: the first call of a statement plans it
            seconds = []
            for _ in range(requests):
                elapsed, body = fetch(server.port, path, 600, server.auth)
                seconds.append(elapsed)
            found[f"{key}_p50_ms"] = round(percentile(seconds, 50) * 1000, 1)
            answer = json.loads(body)
            if key == "idle":
                found["idle_listed"] = len(answer["parcels"])
                found["idle_summary"] = answer["summary"]
            else:
                found["supplied_unused"] = len(answer["supplied_unused"])
                found["approved_unsupplied"] = len(answer["approved_unsupplied"])
            found[f"{key}_mb"] = round(len(body) / 1e6, 1)
        seconds = []
        for _ in range(3):
            elapsed, body = fetch(server.port, "/api/evaluation?year=2023", 600, server.auth)
            seconds.append(elapsed)
        answer = json.loads(body)
        found["evaluation_100k_s"] = round(statistics.median(seconds), 2)
        found["evaluation_firms"] = len(answer["firms"])
        found["evaluation_mb"] = round(len(body) / 1e6, 1)
    engine = make_engine(url)
    with engine.connect() as conn:
        started = time.perf_counter()
        gathered = firms(conn, EVERY_DISTRICT, 2023)
        found["evaluation_gather_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        evaluate(gathered, load_evaluation_policy("changzhou-2018"))
        found["evaluation_score_s"] = round(time.perf_counter() - started, 2)
    engine.dispose()
    return found


def show(result: dict[str, Any]) -> None:
    table = Table(title=f"Mujun land benchmark: {result['parcels']:,} parcels, {result.get('batches', 0):,} batches "
                        "(targets are for 1,000,000 parcels)")
    for column in ("measure", "HTTP", "SQL floor", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for key, label in (("idle", f"idle land as of {AS_OF} ({result['idle_listed']:,} listed)"),
                       ("supply", f"supply as of {AS_OF} ({result['supplied_unused']:,} + {result['approved_unsupplied']:,} batches)")):
        ratio = result[f"{key}_p50_ms"] / result[f"{key}_sql_ms"]
        table.add_row(label, f"{result[f'{key}_p50_ms']:,.1f} ms", f"{result[f'{key}_sql_ms']:,.1f} ms", f"{ratio:.2f}×", "≤ 2×",
                      "[green]yes[/green]" if ratio <= TARGETS["list_over_sql"] else "[red]no[/red]")
    met = result["evaluation_100k_s"] <= TARGETS["evaluation_100k_s"]
    table.add_row(f"evaluation of {result['evaluation_firms']:,} firms (JSON)", f"{result['evaluation_100k_s']:.2f} s", "", "", "≤ 5 s",
                  "[green]yes[/green]" if met else "[red]no[/red]")
    console.print(table)
    if "load_absent_s" in result:
        console.print(f"loads: parcels without the land-use fields {result['load_absent_s']} s {result['load_absent_runs_s']}, with them "
                      f"{result['load_present_s']} s {result['load_present_runs_s']}; batches {result['batches_load_s']} s; "
                      f"firms {result['firms_load_s']} s")
    console.print(f"evaluation in-process: gather {result['evaluation_gather_s']} s, score {result['evaluation_score_s']} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parcels", type=int, required=True)
    parser.add_argument("--requests", type=int, default=7, help="timed runs of each list, over HTTP and in SQL (p50)")
    parser.add_argument("--load-repeat", type=int, default=1, help="loads of each parcels file, taken alternately")
    parser.add_argument("--reuse-db", action="store_true", help="keep mujun_bench_land when it already holds this set")
    parser.add_argument("--drop", action="store_true", help="drop mujun_bench_land at the end")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args(argv)
    out = ROOT / "bench" / "out" / f"n{args.parcels}"
    started = time.perf_counter()
    data, _ = synthetic.ensure(args.parcels, out, args.seed)
    files, reused = land_data.ensure(data, out)
    console.print(f"{args.parcels:,} parcels, {files.batch_count:,} batches, {files.firm_count:,} firms "
                  f"({'reused' if reused else f'made in {time.perf_counter() - started:.0f} s'}): {out}")
    url = bench_url()
    result: dict[str, Any] = {"parcels": args.parcels}
    try:
        if args.reuse_db and _loaded(url, data, files):
            console.print("reusing the loaded database (--reuse-db): no load timed")
        else:
            result.update(load_all(url, data, files, args.load_repeat, out / "land-load.log"))
        result.update(sql_floor(url, args.requests))
        result.update(over_http(url, args.requests))
    finally:
        if args.drop:
            drop_database(url)
    show(result)
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
