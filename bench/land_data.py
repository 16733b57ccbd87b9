"""The land-use files of the land benchmark, made from a synthetic set (`bench.synthetic`): deterministic, vectorised.

- `parcels-land.gpkg`: the synthetic parcels, byte for byte the same geometries and fields, with the land-use fields
  after them: 出让价款 (20–45 万元/亩, 5% none), a start of their own (动工日期) for 96% of them (agreed start − 30 … + 200
  days, none where that is after the as-of day), stops (1.5% of the started, with 5–60% developed) and the
  government's delays (2% of the unstarted, 政府原因 是).
- `batches.gpkg`: about N/50 approval batches, each the envelope (30 m wider) of the parcels of one cell of a grid whose
  size is chosen so that a cell holds about 50 parcels; approved 2010–2020.
- `firms.csv`: 100,000 firms of 2023 in the seven districts (figures drawn per mu), 5% in production from within the
  year (T), 1% with no energy figure.
`meta.json` beside them says what was made.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.raw import read, write

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic

VERSION = 1
AS_OF = dt.date(2024, 6, 30)
DISTRICTS = ("天宁区", "钟楼区", "新北区", "武进区", "常州经济开发区", "金坛区", "溧阳市")
FIRM_HEADER = ("企业名称", "年度", "所属地区", "用地面积(亩)", "税收(万元)", "销售收入(万元)", "工业增加值(万元)", "综合能耗(吨标准煤)",
               "主要污染物排放量(吨)", "年平均职工人数", "研发经费(万元)", "投产日期")


@dataclass(frozen=True)
class LandFiles:
    parcels: Path
    batches: Path
    firms: Path
    batch_count: int
    started: int
    stopped: int
    firm_count: int
    version: int = VERSION


def _parcels(data: synthetic.SyntheticSet, out: Path, rng: np.random.Generator) -> tuple[int, int, np.ndarray]:
    meta, _, wkb, fields = read(str(data.parcels_path))
    names = list(meta["fields"])
    n = len(wkb)
    column = dict(zip(names, fields, strict=True))
    agreed = column["agreed_start_date"].astype("datetime64[D]")
    day = np.datetime64(AS_OF, "D")
    start = agreed + rng.integers(-30, 201, n).astype("timedelta64[D]")
    started = (rng.random(n) < 0.96) & (start <= day)
    start = np.where(started, start, np.datetime64("NaT"))
    stopped_rows = started & (rng.random(n) < 0.015)
    room = np.maximum((day - np.where(stopped_rows, start, day)).astype(np.int64), 1)
    stopped = np.where(stopped_rows, start + (rng.random(n) * room).astype("timedelta64[D]"), np.datetime64("NaT"))
    area = np.where(np.isnan(column["recorded_area_m2"]), 20000.0, column["recorded_area_m2"])
    developed = np.where(stopped_rows, np.round(area * rng.uniform(0.05, 0.6, n), 2), np.nan)
    price = np.where(rng.random(n) < 0.95, np.round(area * 15 / 10000 * rng.uniform(20, 45, n), 2), np.nan)
    delay = np.full(n, None, dtype=object)
    delay[~started & (rng.random(n) < 0.02)] = "是"
    added = {"land_price_wan": price, "start_date": start.astype("datetime64[D]"), "developed_area_m2": developed,
             "stopped_date": stopped.astype("datetime64[D]"), "government_delay": delay}
    path = out / "parcels-land.gpkg"
    path.unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-06-30T00:00:00Z"})
    write(str(path), wkb, [*fields, *added.values()], [*names, *added], layer="parcels", driver="GPKG",
          geometry_type="MultiPolygon", crs=meta["crs"])
    return int(started.sum()), int(stopped_rows.sum()), shapely.from_wkb(wkb)


def _batches(parcels: np.ndarray, out: Path, rng: np.random.Generator) -> int:
    """About one batch per 50 parcels: the cells of the grid whose size gives that, each the envelope of its parcels."""
    centre = shapely.get_coordinates(shapely.centroid(parcels))
    wanted = max(1, len(parcels) // 50)
    best: tuple[int, np.ndarray] | None = None
    for size in np.geomspace(0.002, 0.05, 40):
        cells = np.floor(centre / size).astype(np.int64)
        _, group = np.unique(cells, axis=0, return_inverse=True)
        if best is None or abs(group.max() + 1 - wanted) < abs(best[0] - wanted):
            best = (int(group.max()) + 1, group.ravel())
    assert best is not None
    count, group = best
    bounds = shapely.bounds(parcels)
    lo = np.full((count, 2), np.inf)
    hi = np.full((count, 2), -np.inf)
    np.minimum.at(lo, group, bounds[:, :2])
    np.maximum.at(hi, group, bounds[:, 2:])
    margin = 0.0003  # about 30 m
    boxes = shapely.box(lo[:, 0] - margin, lo[:, 1] - margin, hi[:, 0] + margin, hi[:, 1] + margin)
    approved = (np.datetime64("2010-01-01") + rng.integers(0, 11 * 365, count).astype("timedelta64[D]")).astype(str)
    path = out / "batches.gpkg"
    path.unlink(missing_ok=True)
    codes = np.array([f"PC-{k:06d}" for k in range(count)], dtype=object)
    numbers = np.array([f"苏政地〔{d[:4]}〕{k % 500 + 1}号" for k, d in enumerate(approved)], dtype=object)
    write(str(path), shapely.to_wkb(shapely.multipolygons(boxes, indices=np.arange(count))),
          [codes, approved.astype(object), numbers], ["批次编号", "批准日期", "批准文号"], layer="batches", driver="GPKG",
          geometry_type="MultiPolygon", crs="EPSG:4490")
    return count


def _firms(out: Path, rng: np.random.Generator, n: int = 100_000) -> int:
    mu = rng.uniform(10, 200, n)
    sales = mu * rng.uniform(250, 1600, n)
    production = np.where(rng.random(n) < 0.05, np.datetime64("2023-01-02") + rng.integers(0, 360, n).astype("timedelta64[D]"),
                          np.datetime64("2015-01-01") + rng.integers(0, 2900, n).astype("timedelta64[D]")).astype(str)
    energy = np.where(rng.random(n) < 0.01, np.nan, np.round(sales * rng.uniform(0.01, 0.08, n), 2))
    columns = [[f"企业{k:06d}有限公司" for k in range(n)], ["2023"] * n, np.array(DISTRICTS)[rng.integers(0, len(DISTRICTS), n)].tolist(),
               np.round(mu, 2).tolist(), np.round(sales * rng.uniform(0.02, 0.08, n), 2).tolist(), np.round(sales, 2).tolist(),
               np.round(sales * rng.uniform(0.18, 0.32, n), 2).tolist(), ["" if np.isnan(e) else e for e in energy.tolist()],
               np.round(sales * rng.uniform(0.0002, 0.002, n), 3).tolist(), np.maximum(5, np.round(sales / rng.uniform(80, 250, n))).astype(int).tolist(),
               np.round(sales * rng.uniform(0.005, 0.06, n), 2).tolist(), production.tolist()]
    with (out / "firms.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIRM_HEADER)
        writer.writerows(zip(*columns, strict=True))
    return n


def ensure(data: synthetic.SyntheticSet, out: Path, seed: int = 2022) -> tuple[LandFiles, bool]:
    """The land files for the synthetic set in `out`, made unless already there; and whether they were reused."""
    meta = out / "land-meta.json"
    if meta.exists():
        found = json.loads(meta.read_text(encoding="utf-8"))
        files = LandFiles(**{**found, "parcels": Path(found["parcels"]), "batches": Path(found["batches"]), "firms": Path(found["firms"])})
        if files.version == VERSION and all(p.exists() for p in (files.parcels, files.batches, files.firms)):
            return files, True
    rng = np.random.default_rng(seed)
    started, stopped, shapes = _parcels(data, out, rng)
    files = LandFiles(out / "parcels-land.gpkg", out / "batches.gpkg", out / "firms.csv", _batches(shapes, out, rng), started, stopped,
                      _firms(out, rng))
    meta.write_text(json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(files).items()}, ensure_ascii=False),
                    encoding="utf-8")
    return files, False
