"""Vector tiles and OGC items at scale: Mujun against tipg on the same PostGIS table, and the page's first draw.

    flock /tmp/mujun-bench.lock .venv/bin/python bench/tiles.py --parcels 200000 [--reuse-db]

Loads N synthetic parcels (bench/synthetic.py) into `mujun_bench` with the real loader (as bench/lookup.py
does), installs tipg from PyPI into its own venv (bench/out/.venv-tipg, never the project's), serves both on
127.0.0.1 and measures, over 8 keep-alive connections, a fixed list of distinct tiles at z14–z16 (under
seeded random parcels) and a fixed list of ~1 km bboxes: uncached tiles/s with p50/p99 for both servers
(every tile asked once, Mujun's cache empty), cached tiles/s for Mujun (the same list again),
`items?limit=100&bbox=` req/s for both, and bytes per tile. Then headless Chromium opens the page on the
city view and times it until every tile is drawn. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.error
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic
from bench.access import PASSWORD
from bench.lookup import HOST, ROOT, Server, _free_port, bench_url, fetch, hammer, load_set, percentile
from mujun.db import make_engine, upgrade

TIPG_VENV = ROOT / "bench" / "out" / ".venv-tipg"
TIPG_COLLECTION = "public.parcels"
PROPERTIES = "parcel_code,project_code,zone_code,status,band,ratio"  # what Mujun's parcel tiles carry (the catalogue)
TARGETS = {"tiles_vs_tipg": 2.0, "items_vs_tipg": 2.0, "cached_tiles_per_s": 1500.0, "page_city_view_s": 2.0}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def fixed_lists(url: str, tiles: int, bboxes: int, seed: int) -> tuple[list[tuple[int, int, int]], list[str]]:
    """Distinct z14–z16 tiles under seeded random parcels, and ~1 km bboxes around others (lon/lat, 6 decimals)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = np.array(conn.execute(text("SELECT id FROM parcels ORDER BY id")).scalars().all())
        chosen = ids[np.random.default_rng(seed).permutation(len(ids))[: 3 * tiles + bboxes]].tolist()
        rows = conn.execute(text("SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM parcels "
                                 "WHERE id = ANY(:ids)"), {"ids": chosen}).all()
    engine.dispose()
    point = {row[0]: (float(row[1]), float(row[2])) for row in rows}
    found: dict[tuple[int, int, int], None] = {}
    for i, parcel in enumerate(chosen[: 3 * tiles]):
        z = 14 + i % 3
        found.setdefault((z, *tile_of(*point[parcel], z)), None)
        if len(found) == tiles:
            break
    boxes = [f"{lon - 0.005:.6f},{lat - 0.004:.6f},{lon + 0.005:.6f},{lat + 0.004:.6f}"
             for lon, lat in (point[p] for p in chosen[3 * tiles:])]
    return list(found), boxes


class Tipg:
    """tipg from PyPI in its own venv, served by uvicorn on the same database and table."""

    def __init__(self, url: str) -> None:
        if not (TIPG_VENV / "bin" / "uvicorn").exists():
            subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
            subprocess.run([str(TIPG_VENV / "bin" / "pip"), "install", "-q", "tipg", "uvicorn"], check=True)
        self.port = _free_port()
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        env = {**os.environ, "DATABASE_URL": plain, "TIPG_DB_SCHEMAS": '["public"]'}
        self.log = (ROOT / "bench" / "out" / "tipg.log").open("wb")
        self.process = subprocess.Popen([str(TIPG_VENV / "bin" / "uvicorn"), "tipg.main:app", "--host", HOST, "--port", str(self.port),
                                         "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tipg exited with {self.process.returncode}: see {self.log.name}")
            try:
                if TIPG_COLLECTION.encode() in fetch(self.port, "/collections", 5)[1]:
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise RuntimeError("tipg was not ready")

    def __enter__(self) -> Tipg:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(20)
        self.log.close()


def _until(page: Any, expression: str, timeout_s: float) -> None:
    """Poll from here: the page's Content-Security-Policy (no eval) refuses Playwright's wait_for_function."""
    deadline = time.perf_counter() + timeout_s
    while not page.evaluate(expression):
        if time.perf_counter() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.02)


def page_draw_seconds(port: int) -> tuple[float, float]:
    """Headless Chromium, signed in as the benchmark's analyst: seconds from navigation to the city view's map drawn
    (every tile), and to the whole page ready (the side panel's unfiltered violation report too, and the progress
    indicator gone)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.request.post(f"http://{HOST}:{port}/api/auth/login", data={"username": "bench-analyst", "password": PASSWORD})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"http://{HOST}:{port}/?panel=0")
        _until(page, "document.getElementById('map').dataset.tilesLoaded === 'true'", 120)
        drawn = time.perf_counter() - started
        _until(page, "document.getElementById('loading').hidden", 120)
        ready = time.perf_counter() - started
        browser.close()
    return round(drawn, 2), round(ready, 2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    data, _ = synthetic.ensure(args.parcels, ROOT / "bench" / "out" / f"n{args.parcels}")
    url = bench_url()
    result: dict[str, Any] = {"parcels": args.parcels}
    engine = make_engine(url)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM parcels")).scalar_one() if args.reuse_db else -1
    engine.dispose()
    if held == data.parcels:
        upgrade(url)  # the data-version triggers, if the kept database predates them
        print(f"reusing mujun_bench with {held:,} parcels")
    else:
        result["load_s"] = load_set(url, data, None)["total"]
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    tiles, boxes = fixed_lists(url, args.tiles, args.bboxes, args.seed)
    warm, tiles = tiles[: args.tiles // 10], tiles[args.tiles // 10:]
    result.update({"tiles": len(tiles), "zooms": "14-16", "bboxes": len(boxes), "concurrency": args.concurrency})
    mujun_paths = [f"/tiles/parcels/{z}/{x}/{y}.mvt" for z, x, y in tiles]
    tipg_tile = "/collections/" + TIPG_COLLECTION + "/tiles/WebMercatorQuad/{}/{}/{}?properties=" + PROPERTIES
    tipg_paths = [tipg_tile.format(z, x, y) for z, x, y in tiles]
    items = [f"/ogc/collections/parcels/items?limit=100&bbox={box}" for box in boxes]
    tipg_items = [f"/collections/{TIPG_COLLECTION}/items?limit=100&bbox={box}" for box in boxes]

    with Tipg(url) as tipg:
        tipg.wait_ready()
        hammer(tipg.port, tipg.process.pid, [tipg_tile.format(z, x, y) for z, x, y in warm], args.concurrency, 30)
        uncached = hammer(tipg.port, tipg.process.pid, tipg_paths, args.concurrency, args.max_seconds, keep_bodies=len(tipg_paths))
        got = hammer(tipg.port, tipg.process.pid, tipg_items, args.concurrency, args.max_seconds)
        result["tipg"] = {"tiles": uncached.summary(), "tile_errors": uncached.errors, "items": got.summary(),
                          "item_errors": got.errors, "tile_bytes_mean": round(float(np.mean([len(b) for b in uncached.bodies.values()])))}
        print("tipg:", result["tipg"])
    with Server(url, 1) as server:
        server.wait_ready()
        auth = server.auth  # an analyst's token: tiles and items as an official's client asks for them
        hammer(server.port, server.process.pid, [f"/tiles/parcels/{z}/{x}/{y}.mvt" for z, x, y in warm], args.concurrency, 30, headers=auth)
        uncached_m = hammer(server.port, server.process.pid, mujun_paths, args.concurrency, args.max_seconds,
                            keep_bodies=len(mujun_paths), headers=auth)
        cached = hammer(server.port, server.process.pid, mujun_paths, args.concurrency, args.max_seconds, headers=auth)
        got_m = hammer(server.port, server.process.pid, items, args.concurrency, args.max_seconds, headers=auth)
        sizes = [len(b) for b in uncached_m.bodies.values()]
        result["mujun"] = {"tiles": uncached_m.summary(), "tile_errors": uncached_m.errors, "cached": cached.summary(),
                           "items": got_m.summary(), "item_errors": got_m.errors, "cpu_cores_uncached": uncached_m.cpu}
        result["bytes_per_tile"] = {"mean": round(float(np.mean(sizes))), "p99": round(percentile(sizes, 99)), "max": max(sizes)}
        print("mujun:", result["mujun"], result["bytes_per_tile"])
        result["page_city_view_s"], result["page_ready_s"] = page_draw_seconds(server.port)
    result.update({
        "mujun_tiles_per_s": result["mujun"]["tiles"]["req_per_s"], "tipg_tiles_per_s": result["tipg"]["tiles"]["req_per_s"],
        "mujun_cached_tiles_per_s": result["mujun"]["cached"]["req_per_s"],
        "mujun_items_per_s": result["mujun"]["items"]["req_per_s"], "tipg_items_per_s": result["tipg"]["items"]["req_per_s"],
        "p50_ms": result["mujun"]["tiles"]["p50_ms"], "p99_ms": result["mujun"]["tiles"]["p99_ms"],
        "tipg_p50_ms": result["tipg"]["tiles"]["p50_ms"], "tipg_p99_ms": result["tipg"]["tiles"]["p99_ms"],
    })
    return result


def show(result: dict[str, Any]) -> None:
    rows = [
        ("uncached tiles/s", result["mujun_tiles_per_s"], result["tipg_tiles_per_s"], f"≥ {TARGETS['tiles_vs_tipg']}× tipg"),
        ("tile p50 / p99 ms", f"{result['p50_ms']} / {result['p99_ms']}", f"{result['tipg_p50_ms']} / {result['tipg_p99_ms']}", ""),
        ("cached tiles/s (1 worker)", result["mujun_cached_tiles_per_s"], "—", f"≥ {TARGETS['cached_tiles_per_s']:,.0f}"),
        ("items?limit=100&bbox= req/s", result["mujun_items_per_s"], result["tipg_items_per_s"], f"≥ {TARGETS['items_vs_tipg']}× tipg"),
        ("bytes per tile (mean / p99 / max)", "{mean} / {p99} / {max}".format(**result["bytes_per_tile"]),
         result["tipg"]["tile_bytes_mean"], ""),
        ("page, city view's map drawn (s)", result["page_city_view_s"], "—", f"≤ {TARGETS['page_city_view_s']}"),
        ("page, with the panel's report (s)", result["page_ready_s"], "—", ""),
    ]
    print(f"\n{result['parcels']:,} parcels, {result['tiles']} tiles at z14–16, {result['bboxes']} bboxes, "
          f"{result['concurrency']} connections")
    print(f"{'':36}{'Mujun':>24}{'tipg':>20}  target")
    for name, mujun, tipg, target in rows:
        print(f"{name:36}{mujun!s:>24}{tipg!s:>20}  {target}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20_260_101, help="for the tiles and bboxes drawn, not the data set")
    parser.add_argument("--tiles", type=int, default=2_000, help="distinct tiles drawn (a tenth warm PostgreSQL first)")
    parser.add_argument("--bboxes", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=40.0, help="stop each run after this long")
    parser.add_argument("--reuse-db", action="store_true", help="keep mujun_bench when it already holds N parcels")
    result = run(parser.parse_args(argv))
    show(result)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
