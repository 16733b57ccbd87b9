"""Loader benchmark: `mujun load` of N synthetic parcels beside ogr2ogr and geopandas.to_postgis of the same file.

    flock /tmp/mujun-bench.lock .venv/bin/python bench/etl.py --parcels 200000

1. Generates N parcels (`bench.synthetic`, cached in bench/out/n<N>/: parcels.gpkg, zones.gpkg, projects.csv).
2. mujun: a fresh database `mujun_bench_etl` (schema made first, not timed); `mujun load --zones --projects`
   (timed apart: `mujun_setup_s`, the rules need them) and then `mujun load --parcels` of the parcels file,
   the figure compared (`mujun_s`): read, check, Gauss-Krüger areas, zones, rules, binary COPY, indexes,
   commit, each a subprocess as an official runs it. Its peak memory is the child's maximum RSS (wait4);
   the PostgreSQL backend's is apart (`postgres_peak_rss_mb`, sampled from /proc while it runs).
   Before each run the parcels table is emptied and the database vacuumed and analysed, untimed.
3. ogr2ogr -f PostgreSQL (PG_USE_COPY=YES, spatial index as GDAL makes it) of the same file into a fresh
   database, taking turns with mujun (`--repeat` runs of each, 3 by default: `mujun_s` and `ogr2ogr_s` are
   the medians, every run is listed in `mujun_runs_s` and `ogr2ogr_runs_s`); then once geopandas.read_file +
   to_postgis (no spatial index: to_postgis makes none) into another, from a virtual environment of its own
   (bench/out/venv-geopandas, made on first use with pip): installed beside Mujun, geopandas would be imported
   by pyogrio at every `mujun` start.

Prints the figures side by side, each with the CPU-seconds the machine was busy while it ran (`*_cpu_s`: the
loader's and PostgreSQL's work together, on every core); the last line is one JSON object. Databases are
dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic
from mujun.db import database_url, upgrade
from mujun.localdb import drop_database, ensure_database
from mujun.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GEOPANDAS_VENV = ROOT / "bench" / "out" / "venv-geopandas"
console = Console(stderr=True)

TO_POSTGIS = """
import sys, geopandas, sqlalchemy
frame = geopandas.read_file(sys.argv[1], engine="pyogrio")
engine = sqlalchemy.create_engine(sys.argv[2])
frame.to_postgis("parcels", engine, if_exists="replace", index=False)
"""


def url_of(name: str) -> str:
    return make_url(database_url(DatabaseSettings())).set(database=name).render_as_string(hide_password=False)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class PostgresPeak:
    """Largest RSS (MB) of any PostgreSQL backend while running: the server's side of a load."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    status = (entry / "status").read_text()
                except OSError:
                    continue
                if "\nName:\tpostgres" in "\n" + status:
                    rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
                    self.peak_mb = max(self.peak_mb, int(rss) / 1024)

    def __enter__(self) -> PostgresPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def machine_busy_s() -> float:
    """CPU-seconds the whole machine has been busy (every core; all but idle and iowait in /proc/stat), so that a
    load's work is counted with the PostgreSQL server's share of it."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mb: float
    machine_cpu_s: float


def timed(args: list[str], env: dict[str, str], log: Path) -> Timed:
    """Run a command: its wall seconds, its peak RSS in MB (from wait4 of that child alone) and the CPU-seconds
    the machine was busy meanwhile."""
    busy = machine_busy_s()
    started = time.perf_counter()
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(args)}\n".encode())
        out.flush()
        child = subprocess.Popen(args, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    cpu = machine_busy_s() - busy
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    if code != 0:
        raise SystemExit(f"{args[0]} failed ({code}); see {log}")
    return Timed(seconds, usage.ru_maxrss / 1024, cpu)


def count(url: str, table: str) -> int:
    with psycopg.connect(libpq(url)) as conn:
        found = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # a fixed table name of this script
    return int(found[0]) if found else 0


class MujunBench:
    """`mujun load --parcels` into a database holding the synthetic zones and projects (loaded once by `mujun load
    --zones --projects`, timed apart: the rules need them); before each run the parcels table is emptied and the
    database vacuumed and analysed (untimed), so that no run finds autovacuum busy with the one before."""

    def __init__(self, data: synthetic.SyntheticSet, log: Path) -> None:
        self.data, self.log = data, log
        self.url = url_of("mujun_bench_etl")
        drop_database(self.url)
        upgrade(self.url)
        self.env = {"DATABASE_URL": self.url, "COLUMNS": "160"}
        self.mujun = str(BIN / "mujun")
        self.setup = timed([self.mujun, "load", "--zones", str(data.zones_path), "--projects", str(data.projects_path)],
                           self.env, log)
        self.postgres_peak_mb = 0.0

    def run(self) -> Timed:
        with psycopg.connect(libpq(self.url), autocommit=True) as conn:
            conn.execute("TRUNCATE parcels")
            conn.execute("VACUUM ANALYZE")
        with PostgresPeak() as server:
            parcels = timed([self.mujun, "load", "--parcels", str(self.data.parcels_path)], self.env, self.log)
        self.postgres_peak_mb = max(self.postgres_peak_mb, server.peak_mb)
        assert count(self.url, "parcels") == self.data.parcels
        return parcels


def bench_ogr2ogr(data: synthetic.SyntheticSet, log: Path) -> Timed:
    url = url_of("mujun_bench_ogr")
    drop_database(url)
    ensure_database(url)
    parts = make_url(url)
    target = f"PG:host={parts.host} port={parts.port} dbname={parts.database} user={parts.username}"
    run = timed(["/usr/bin/ogr2ogr", "-f", "PostgreSQL", target, str(data.parcels_path), "-nln", "parcels",
                 "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST"], {"PG_USE_COPY": "YES"}, log)
    assert count(url, "parcels") == data.parcels
    return run


def geopandas_python() -> Path:
    python = GEOPANDAS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(GEOPANDAS_VENV)], check=True)
    if subprocess.run([str(python), "-c", "import geopandas, geoalchemy2, psycopg"], capture_output=True, check=False).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "geopandas>=1.0", "geoalchemy2>=0.14", "pyogrio>=0.10",
                        "psycopg[binary]>=3.1", "sqlalchemy>=2.0"], check=True)
    return python


def bench_to_postgis(data: synthetic.SyntheticSet, log: Path) -> Timed:
    url = url_of("mujun_bench_gpd")
    drop_database(url)
    ensure_database(url)
    run = timed([str(geopandas_python()), "-c", TO_POSTGIS, str(data.parcels_path), url], {}, log)
    assert count(url, "parcels") == data.parcels
    return run


def show(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['parcels']:,} parcels ({result['parcels_file_mb']} MB GeoPackage)")
    for column in ("", "seconds", "parcels/s", "machine CPU-s", "peak RSS (MB)"):
        table.add_column(column, justify="right")
    rate = result["parcels"]
    table.add_row("mujun load --parcels", f"{result['mujun_s']:.1f}", f"{rate / result['mujun_s']:,.0f}", f"{result['mujun_cpu_s']:.1f}",
                  f"{result['peak_rss_mb']:,.0f} (PostgreSQL {result['postgres_peak_rss_mb']:,.0f})")
    table.add_row("  (before: zones + projects)", f"{result['mujun_setup_s']:.1f}", "", "", f"{result['setup_peak_rss_mb']:,.0f}")
    for name, key in (("ogr2ogr PG_USE_COPY=YES", "ogr2ogr"), ("geopandas to_postgis", "to_postgis")):
        if result.get(f"{key}_s") is not None:
            table.add_row(name, f"{result[f'{key}_s']:.1f}", f"{rate / result[f'{key}_s']:,.0f}", f"{result[f'{key}_cpu_s']:.1f}", "")
    console.print(table)


def synthetic_set(n: int, out: Path, seed: int) -> synthetic.SyntheticSet:
    """The synthetic set, generated in a child process when it is not there yet: Linux carries a parent's peak RSS
    over to every child it starts (fork, then exec), so a bench that had made a million parcels itself would report
    that peak as each loader's."""
    found = synthetic.cached(n, out, seed)
    if found is None:
        subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic.py"), "--parcels", str(n), "--out", str(out),
                        "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        found = synthetic.cached(n, out, seed)
    assert found is not None
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parcels", type=int, required=True, help="how many synthetic parcels")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, help="data folder (default bench/out/n<parcels>)")
    parser.add_argument("--only-mujun", action="store_true", help="skip ogr2ogr and to_postgis (development)")
    parser.add_argument("--keep", action="store_true", help="keep the three databases")
    parser.add_argument("--repeat", type=int, default=3, help="runs of mujun and of ogr2ogr, taking turns (median reported)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "bench" / "out" / f"n{args.parcels}"
    data = synthetic_set(args.parcels, out, args.seed)
    log = out / "etl-bench.log"
    result: dict[str, Any] = {"parcels": data.parcels, "parcels_file_mb": round(data.parcels_path.stat().st_size / 1e6, 1)}
    console.print(f"[dim]mujun load --zones --projects … (log: {log})[/dim]")
    if not args.only_mujun:
        geopandas_python()
    mujun = MujunBench(data, log)
    runs: dict[str, list[Timed]] = {"mujun": [], "ogr2ogr": []}
    # The two loaders take turns, each run timed on its own: a slow minute of the shared machine falls on one run
    # of either, and each figure is the median of its runs.
    for turn in range(args.repeat):
        console.print(f"[dim]run {turn + 1} of {args.repeat}: mujun load --parcels …[/dim]")
        runs["mujun"].append(mujun.run())
        if not args.only_mujun:
            console.print(f"[dim]run {turn + 1} of {args.repeat}: ogr2ogr …[/dim]")
            runs["ogr2ogr"].append(bench_ogr2ogr(data, log))
    result |= {"mujun_s": median(r.seconds for r in runs["mujun"]), "mujun_cpu_s": median(r.machine_cpu_s for r in runs["mujun"]),
               "mujun_setup_s": mujun.setup.seconds, "peak_rss_mb": max(r.peak_rss_mb for r in runs["mujun"]),
               "setup_peak_rss_mb": mujun.setup.peak_rss_mb, "postgres_peak_rss_mb": mujun.postgres_peak_mb,
               "ogr2ogr_s": None, "to_postgis_s": None, "mujun_runs_s": [round(r.seconds, 2) for r in runs["mujun"]]}
    if not args.only_mujun:
        console.print("[dim]geopandas to_postgis …[/dim]")
        to_postgis = bench_to_postgis(data, log)
        result |= {"ogr2ogr_s": median(r.seconds for r in runs["ogr2ogr"]), "ogr2ogr_cpu_s": median(r.machine_cpu_s for r in runs["ogr2ogr"]),
                   "to_postgis_s": to_postgis.seconds, "to_postgis_cpu_s": to_postgis.machine_cpu_s,
                   "ogr2ogr_runs_s": [round(r.seconds, 2) for r in runs["ogr2ogr"]]}
    if not args.keep:
        for name in ("mujun_bench_etl", "mujun_bench_ogr", "mujun_bench_gpd"):
            drop_database(url_of(name))
    result = {key: round(value, 2) if isinstance(value, float) else value for key, value in result.items()}
    show(result)
    sys.stdout.flush()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
