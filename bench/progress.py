"""Progress of major projects at a city's scale: `/api/progress` and a month's reports, beside PostgreSQL's own floor.

    .venv/bin/python bench/progress.py --projects 100000

1. Makes N projects on a 2018 list (seven districts, three levels, 新建/续建/预备, their dates) and twelve monthly
   reports of each (`bench/out/progress-n<N>/`, CSV, made once), and loads the projects and the reports of January
   to November into a database of its own, `mujun_bench_progress`, with the real loader.
2. Loads December's reports (N rows) with the real loader (`etl.load.load`, in process), and beside it COPYs the
   same rows as the loader stored them into `monthly_reports` (its indexes and the other months' 1.1·N rows around
   them): the floor a load cannot beat, since the rows must land where they are found. The file COPYed into a bare
   table of its columns, with no index, is shown beside it. Each is run `--repeat` times (the December reports
   deleted, untimed, between runs) and the medians are kept.
3. Serves the real app (uvicorn, one worker) and asks `GET /api/progress?as_of=2018-12` for the whole city, and
   sends one SQL statement computing the same per-district sums (each district's planned, completed, 新建/started,
   续建/completed and counts; `FLOOR_SQL`, the fastest form found) straight to PostgreSQL: p50 of each over
   `--requests` runs.

Prints a table with the targets; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.access import ACTOR
from bench.lookup import Server, fetch, percentile
from etl.load import LoadRequest, libpq_conninfo, load
from mujun.db import database_url, upgrade
from mujun.localdb import drop_database
from mujun.policy import load_policy
from mujun.settings import DatabaseSettings, RuleSettings

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "mujun_bench_progress"
YEAR = 2018
DISTRICTS = ("天宁区", "钟楼区", "新北区", "武进区", "常州经济开发区", "金坛区", "溧阳市")
LEVELS = ("省级重大项目", "市级重大项目", "区级重点项目")
TARGETS = {"progress_p50_ms": 1000.0, "progress_vs_sql": 3.0, "load_vs_copy": 5.0}
PROJECT_HEADER = ("项目编号,项目名称,企业名称,所属行业,项目类型,总投资(万元),所属地区,年度,项目类别,项目级别,年度计划投资(万元),"
                  "签约日期,备案日期,计划开工日期,实际开工日期,计划竣工日期,实际竣工日期")
MONTHLY_HEADER = "项目编号,月份,本月完成投资(万元),本年累计完成投资(万元),形象进度,填报日期"
console = Console()

FLOOR_SQL = """
SELECT coalesce(p.jurisdiction, '') AS district, count(*) AS projects,
       sum(pl.annual_planned_investment_wan) AS planned, sum(coalesce(r.completed_ytd_wan, 0)) AS completed,
       count(*) FILTER (WHERE pl.category = '新建') AS new, count(*) FILTER (WHERE pl.category = '新建' AND p.actual_start_date <= %(day)s) AS started,
       count(*) FILTER (WHERE pl.category = '续建') AS continuing,
       count(*) FILTER (WHERE pl.category = '续建' AND p.actual_completion_date <= %(day)s) AS completed_projects,
       count(*) FILTER (WHERE coalesce(r.completed_ytd_wan, 0) >= pl.annual_planned_investment_wan * %(month)s / 12) AS ahead,
       count(*) FILTER (WHERE p.planned_start_date <= %(day)s AND p.actual_start_date IS NULL) AS not_started,
       count(r.project_code) AS reported
FROM project_plans pl JOIN projects p ON p.project_code = pl.project_code
LEFT JOIN (SELECT DISTINCT ON (m.project_code) m.project_code, m.completed_ytd_wan FROM monthly_reports m
           WHERE m.superseded_by IS NULL AND m.month >= %(year_start)s AND m.month <= %(month_start)s
           ORDER BY m.project_code DESC, m.month DESC) r ON r.project_code = p.project_code
WHERE pl.year = %(year)s
GROUP BY 1
"""
"""The floor: per-district sums of the figures behind the rates, in one statement, reading of each project only its
latest report of the year up to the month (one backward walk of the report index). The fastest statement for these
sums found: a lateral lookup per project takes 2.5 times as long, grouping every report by project 1.8 times. The
route needs more than these sums (every month's 本年累计 and report date, for the late reports, the months'
cumulative line and the map), so it reads every report of the year up to the month."""


def make_set(n: int, out: Path) -> None:
    """projects.csv and month01…month12.csv of N projects (the same files for the same N)."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "month12.csv").exists():
        return
    rng = np.random.default_rng(2018)
    total = rng.integers(5_000, 200_000, n)
    category = rng.choice(np.array(["新建", "续建", "预备"]), n, p=[0.35, 0.55, 0.10])
    plan = np.where(category == "预备", 0, (total * rng.uniform(0.2, 0.5, n)).astype(np.int64))
    start = np.datetime64(f"{YEAR}-01-01") + rng.integers(-700, 330, n)
    start = np.where(category == "续建", np.minimum(start, np.datetime64(f"{YEAR - 1}-12-31")), start)
    started = np.where(start <= np.datetime64(f"{YEAR}-12-31"), start, np.datetime64("NaT"))
    completion = start + rng.integers(300, 900, n)
    completed = np.where(completion <= np.datetime64(f"{YEAR}-12-31"), completion, np.datetime64("NaT"))
    signed, filed = start - rng.integers(120, 400, n), start - rng.integers(30, 110, n)
    district, level = rng.choice(np.array(DISTRICTS), n), rng.choice(np.array(LEVELS), n, p=[0.02, 0.18, 0.8])
    codes = [f"BP-{i:07d}" for i in range(n)]

    def day(value: np.datetime64) -> str:
        return "" if np.isnat(value) else str(value)

    with (out / "projects.csv").open("w", encoding="utf-8") as f:
        f.write(PROJECT_HEADER + "\n")
        for i in range(n):
            f.write(f"{codes[i]},项目{i},企业{i % 50_000},新材料,工业,{total[i]},{district[i]},{YEAR},{category[i]},{level[i]},"
                    f"{plan[i] if plan[i] else ''},{signed[i]},{filed[i]},{start[i]},{day(started[i])},{completion[i]},"
                    f"{day(completed[i])}\n")
    pace = rng.uniform(0.5, 1.4, n)
    ytd = np.zeros(n, dtype=np.int64)
    for month in range(1, 13):
        done = (plan * pace / 12 * rng.uniform(0.6, 1.4, n)).astype(np.int64)
        ytd += done
        late = rng.random(n) < 0.08
        reported = np.datetime64(f"{YEAR + month // 12}-{month % 12 + 1:02d}-01") + np.where(late, rng.integers(20, 28, n),
                                                                                            rng.integers(4, 19, n))
        form = rng.random(n)
        with (out / f"month{month:02d}.csv").open("w", encoding="utf-8") as f:
            f.write(MONTHLY_HEADER + "\n")
            for i in range(n):
                amounts = f",{ytd[i]}" if form[i] < 0.6 else f"{done[i]}," if form[i] < 0.9 else f"{done[i]},{ytd[i]}"
                f.write(f"{codes[i]},{YEAR}-{month:02d},{amounts},施工,{reported[i]}\n")


def bench_url() -> str:
    return make_url(database_url(DatabaseSettings())).set(database=BENCH_DB).render_as_string(hide_password=False)


def _load(conninfo: str, request: LoadRequest) -> float:
    rule_settings = RuleSettings()
    started = time.perf_counter()
    load(conninfo, request, load_policy(rule_settings.policy), rule_settings, actor=ACTOR)
    return time.perf_counter() - started


def copy_floor(conninfo: str, path: Path) -> float:
    """COPY the month's CSV into a bare table of its columns, as text, no index: what moving the rows in costs."""
    with psycopg.connect(conninfo) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_floor")
        conn.execute("CREATE TABLE copy_floor (project_code text, month text, completed_month numeric, completed_ytd numeric, "
                     "progress_note text, reported_on date)")
        conn.commit()
        data = path.read_bytes()
        started = time.perf_counter()
        with conn.cursor().copy("COPY copy_floor FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE copy_floor")
    return elapsed


def table_floor(conninfo: str, month: dt.date) -> float:
    """COPY the month's reports as the loader stored them back into `monthly_reports`, with its indexes and the other
    months' rows around them (written out and deleted first, untimed): what putting these rows where they live costs."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        with conn.cursor().copy("COPY (SELECT * FROM monthly_reports WHERE month = %s) TO STDOUT (FORMAT binary)", [month]) as out:
            rows = b"".join(bytes(block) for block in out)
        conn.execute("DELETE FROM monthly_reports WHERE month = %s", [month])
        conn.execute("VACUUM ANALYZE monthly_reports")
        started = time.perf_counter()
        with conn.transaction(), conn.cursor().copy("COPY monthly_reports FROM STDIN (FORMAT binary)") as copy:
            copy.write(rows)
        return time.perf_counter() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    out = ROOT / "bench" / "out" / f"progress-n{args.projects}"
    console.print(f"[dim]{time.strftime('%H:%M:%S')} making the set in {out}[/dim]")
    make_set(args.projects, out)
    url = bench_url()
    conninfo = libpq_conninfo(url)
    load_day = dt.date(YEAR + 1, 1, 31)
    setup: dict[str, float] = {}
    if not args.reuse_db:
        drop_database(url)
    upgrade(url)
    if not args.reuse_db:
        setup["projects_s"] = _load(conninfo, LoadRequest(projects=out / "projects.csv", today=load_day))
        for month in range(1, 12):
            setup[f"month{month:02d}_s"] = _load(conninfo, LoadRequest(monthly=out / f"month{month:02d}.csv", today=load_day))
            console.print(f"[dim]{time.strftime('%H:%M:%S')} setup: month {month} loaded in {setup[f'month{month:02d}_s']:.2f} s[/dim]")
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    december = out / "month12.csv"
    loads, copies, bare = [], [], []
    for _ in range(args.repeat):
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("DELETE FROM monthly_reports WHERE month = %s", [dt.date(YEAR, 12, 1)])
            conn.execute("VACUUM ANALYZE monthly_reports")
        loads.append(_load(conninfo, LoadRequest(monthly=december, today=load_day)))
        copies.append(table_floor(conninfo, dt.date(YEAR, 12, 1)))
        bare.append(copy_floor(conninfo, december))
        console.print(f"[dim]{time.strftime('%H:%M:%S')} December: load {loads[-1]:.2f} s, COPY into monthly_reports "
                      f"{copies[-1]:.3f} s, into a bare table {bare[-1]:.3f} s[/dim]")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("SET jit = off")  # as the route does: compiling the plan costs more than it saves
        params = {"year": YEAR, "year_start": dt.date(YEAR, 1, 1), "month_start": dt.date(YEAR, 12, 1), "month": 12,
                  "day": dt.date(YEAR, 12, 31)}
        sql_times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            conn.execute(FLOOR_SQL, params).fetchall()
            sql_times.append(time.perf_counter() - started)
    with Server(url, 1) as server:
        server.wait_ready()
        elapsed, body = fetch(server.port, "/api/progress?as_of=2018-12", 120, server.auth)  # warm: plans, pool, caches
        answer = json.loads(body)
        http_times = [fetch(server.port, "/api/progress?as_of=2018-12", 120, server.auth)[0] for _ in range(args.requests)]
    progress_ms, sql_ms = percentile(http_times, 50) * 1000, percentile(sql_times, 50) * 1000
    return {
        "projects": args.projects, "progress_p50_ms": round(progress_ms, 1), "progress_sql_ms": round(sql_ms, 1),
        "progress_vs_sql": round(progress_ms / sql_ms, 2), "progress_first_ms": round(elapsed * 1000, 1),
        "progress_bytes": len(body), "listed": sum(line["projects"] for line in answer["by_jurisdiction"]),
        "monthly_load_s": round(statistics.median(loads), 3), "monthly_copy_s": round(statistics.median(copies), 3),
        "load_vs_copy": round(statistics.median(loads) / statistics.median(copies), 2),
        "monthly_copy_bare_s": round(statistics.median(bare), 3),
        "monthly_loads_s": [round(v, 3) for v in loads], "monthly_copies_s": [round(v, 3) for v in copies], "setup": setup,
    }


def show(result: dict[str, Any]) -> None:
    table = Table(title=f"major projects: {result['projects']:,} projects, twelve reports each")
    for column in ("measure", "mujun", "floor", "ratio", "target"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    table.add_row("/api/progress p50 (HTTP) vs one SQL statement", f"{result['progress_p50_ms']:.0f} ms",
                  f"{result['progress_sql_ms']:.0f} ms", f"{result['progress_vs_sql']:.2f}×",
                  f"≤ {TARGETS['progress_p50_ms']:.0f} ms and ≤ {TARGETS['progress_vs_sql']:.0f}×")
    table.add_row("a month's reports: mujun load vs COPY of the rows into monthly_reports", f"{result['monthly_load_s']:.2f} s",
                  f"{result['monthly_copy_s']:.3f} s", f"{result['load_vs_copy']:.2f}×", f"≤ {TARGETS['load_vs_copy']:.0f}×")
    table.add_row("  (COPY of the file into a bare table, no index)", "", f"{result['monthly_copy_bare_s']:.3f} s",
                  f"{result['monthly_load_s'] / result['monthly_copy_bare_s']:.2f}×", "")
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="loads and COPYs of December's reports (medians)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests and statements (p50)")
    parser.add_argument("--reuse-db", action="store_true", help="keep the loaded database of an earlier run")
    args = parser.parse_args(argv)
    result = run(args)
    show(result)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
