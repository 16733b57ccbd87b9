"""Synthetic parcels and projects at any scale, for benchmarks: deterministic, vectorised, loadable as they are.

`generate(n, out_dir)` writes three files the real loader reads (`mujun load`):

- `zones.gpkg`: the 17 sample zones of `sample_geo/zones.geojson` (tile 0, unchanged) and, when more land is
  needed, copies of the whole set ("tiles") laid west and south of Changzhou, each zone code suffixed
  `-T001`, `-T002`, … with the jurisdiction and class of its original, so the policy applies unchanged.
  The 17 zones cover about 188 km²: room for some 6,000 parcels of 5–100 亩, so 20,000 parcels need four
  tiles and 1,000,000 about 170.
- `parcels.gpkg` (layer `parcels`, EPSG:4490, MultiPolygon, English field names): parcels of 8–12 vertices,
  5–100 亩, on a street grid (300 m pitch, 20 m roads; each block cut into 1×1 … 3×4 plots) laid in the
  Gauss-Krüger plane (CM 120°E) wholly inside one zone each (blocks crossing any zone edge are skipped, so
  no parcel straddles and the nested zones never make the zone ambiguous), never overlapping.
- `projects.csv` (`项目编号,项目名称,企业名称,所属行业,项目类型,总投资(万元),项目阶段`): one project per parcel,
  90% industrial; the investment is set from the parcel's official area and its zone's threshold so that
  exactly the drawn share of industrial projects (40%: half at a ratio of 0.82–0.98, half 0.40–0.78)
  falls below it; the others meet it (1.02–2.5). So about 36% of all parcels are violations: a report of
  100,000 rows exists from about 280,000 parcels.

Each tile is the same template of plots (metres, CM 120°E) moved to its own place through the Gauss-Krüger
plane of its own longitude, so shapes and areas do not depend on the latitude they land at. The plot order
is shuffled once, so a partly filled last tile still spreads over every zone. Same `n` and `seed`: the same
bytes in the three files. `meta.json` beside them says what was made (counts, expected violations, area
range, seconds taken).

From the project root: `.venv/bin/python bench/synthetic.py --parcels 20000 --out bench/out/n20000`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyogrio
import shapely
from pyproj import Transformer

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from etl.fields import ZONE_CLASSES
from etl.read import read_features
from mujun import rules
from mujun.policy import load_policy
from sample_geo.catalogue import INDUSTRIES, INDUSTRY_WEIGHTS, LAND_USE, SERVICES, TRADE_NAME_CHARS, TYPE_CN, WORKS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ZONES = ROOT / "sample_geo" / "zones.geojson"
FORMAT_VERSION = 2
"""Bumped whenever the output changes for the same (n, seed): a cached set of another version is rebuilt."""

TEMPLATE_EPSG = 4549  # CGCS2000 3-degree Gauss-Krüger, CM 120°E: the plane the template is drawn in
M2_PER_MU = 10000 / 15
MIN_MU, MAX_MU = 5.0, 100.0
BLOCK_PITCH_M = 300.0
ROAD_M = 20.0
# (plots across, plots down) of a block and its weight: each cut gives plots of one size class, from about
# 60–100 亩 (1×1) down to 5–8 亩 (3×4); the weights make most plots 10–35 亩, as in a real development zone.
BLOCK_CUTS: tuple[tuple[int, int, float], ...] = (
    (1, 1, 0.05), (1, 2, 0.075), (2, 1, 0.05), (2, 2, 0.04), (1, 3, 0.05), (2, 3, 0.035), (3, 3, 0.012),
    (2, 4, 0.012), (3, 4, 0.008),
)
TILE_COLUMNS = 14  # tiles per row, westward from Changzhou; rows go south
TILE_DLON, TILE_DLAT = 1.0, 0.75  # degrees between tiles: the sample zones span about 0.85° × 0.65°

INDUSTRIAL_SHARE, SERVICE_SHARE = 0.90, 0.06  # the rest is infrastructure
BELOW_SHARE = 0.40
"""Share of industrial projects below their zone's threshold (the sample has 17.6%; here enough for a 100k
report from ~280k parcels)."""
NULL_RECORDED_SHARE = 0.10  # parcels with no 出让面积: the geometry's area is the official one
MISMATCH_SHARE = 0.005  # recorded area 2.5–9% off the geometry's: flagged area_mismatch (data quality)
STAGE_WEIGHTS = {"意向": 0.02, "签约": 0.05, "预备": 0.10, "开工": 0.30, "竣工": 0.38, "评估": 0.15}
PROJECT_HEADER = ("项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "项目阶段")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SyntheticSet:
    """What `generate` wrote, and what the rules will make of it once loaded."""

    parcels: int
    seed: int
    tiles: int
    plots_per_tile: int
    zones: int
    industrial: int
    expected_below: int
    """Parcels whose (one-parcel) project is below its zone's threshold: the violation rows of the report."""
    area_mu: dict[str, float]
    vertices: dict[str, int]
    zones_path: Path
    parcels_path: Path
    projects_path: Path
    seconds: dict[str, float] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    def as_json(self) -> dict[str, Any]:
        return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(self).items()}


@dataclass(frozen=True)
class _Zones:
    codes: list[str]
    names: list[str]
    classes: list[str]  # 园区类别 as written in the sample
    jurisdictions: list[str]
    lonlat: npt.NDArray[np.object_]
    metres: npt.NDArray[np.object_]
    thresholds: FloatArray  # 万元/亩 under changzhou-2018 (NaN: none)


@dataclass(frozen=True)
class _Plots:
    """The template: plots (cells of blocks) in metres, CM 120°E, shuffled; each wholly inside one zone."""

    cx: FloatArray
    cy: FloatArray
    width: FloatArray
    height: FloatArray
    zone: IntArray


def _zones(policy_code: str = "changzhou-2018") -> _Zones:
    source = read_features(SAMPLE_ZONES)
    policy = load_policy(policy_code)
    lonlat = np.asarray(source.geometries, dtype=object)
    classes = [str(c) for c in source.columns["园区类别"]]
    jurisdictions = [str(j) for j in source.columns["所属辖区"]]
    thresholds = np.array([
        float(t) if (t := policy.threshold_for(j, ZONE_CLASSES[c])) is not None else math.nan
        for j, c in zip(jurisdictions, classes, strict=True)
    ])
    return _Zones([str(c) for c in source.columns["园区编码"]], [str(n) for n in source.columns["园区名称"]], classes,
                  jurisdictions, lonlat, np.asarray(rules.to_gauss_kruger(lonlat, TEMPLATE_EPSG), dtype=object), thresholds)


def _plots(zones: _Zones, rng: np.random.Generator) -> _Plots:
    """Blocks on a grid over the zones, kept where wholly inside one zone and crossing no other's edge."""
    minx, miny, maxx, maxy = shapely.total_bounds(zones.metres)
    gx, gy = np.meshgrid(np.arange(minx, maxx, BLOCK_PITCH_M), np.arange(miny, maxy, BLOCK_PITCH_M))
    x0, y0 = gx.ravel(), gy.ravel()
    side = BLOCK_PITCH_M - ROAD_M
    blocks = shapely.box(x0, y0, x0 + side, y0 + side)
    zone_of = np.full(len(blocks), -1)
    crosses_edge = np.zeros(len(blocks), dtype=bool)
    for z in np.argsort(shapely.area(zones.metres))[::-1]:  # largest first: a nested zone overrides its host
        geometry = zones.metres[z]
        shapely.prepare(geometry)
        inside = shapely.contains(geometry, blocks)
        crosses_edge |= shapely.intersects(geometry, blocks) & ~inside
        zone_of[inside] = z
    keep = (zone_of >= 0) & ~crosses_edge
    x0, y0, zone_of = x0[keep], y0[keep], zone_of[keep]
    cuts = np.array([(kx, ky) for kx, ky, _ in BLOCK_CUTS])
    weights = np.array([w for _, _, w in BLOCK_CUTS])
    cut = cuts[rng.choice(len(cuts), size=len(x0), p=weights / weights.sum())]
    kx, ky = cut[:, 0], cut[:, 1]
    counts = kx * ky
    block = np.repeat(np.arange(len(x0)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    ix, iy = local % kx[block], local // kx[block]
    width, height = side / kx[block], side / ky[block]
    order = rng.permutation(len(block))
    return _Plots((x0[block] + (ix + 0.5) * width)[order], (y0[block] + (iy + 0.5) * height)[order],
                  width[order], height[order], zone_of[block][order])


def _outlines(cx: FloatArray, cy: FloatArray, width: FloatArray, height: FloatArray,
              rng: np.random.Generator) -> tuple[FloatArray, IntArray, IntArray]:
    """8–12 vertices per plot: the 4 corners and 4–8 points of an inset rectangle's edges, each pulled towards
    the centre by up to 14%. In angular order around the centre, so each outline is simple (star-shaped).
    Returns the vertices (k × 2), the plot of each vertex, and the vertex count of each plot."""
    n = len(cx)
    count = rng.integers(8, 13, size=n)
    along = np.empty((n, 12))
    along[:, :4] = (0.0, 1.0, 2.0, 3.0)  # the corners, on a perimeter of 4 unit sides
    along[:, 4:] = rng.uniform(0.0, 4.0, size=(n, 8))
    along[np.arange(12)[None, :] >= count[:, None]] = np.inf
    along.sort(axis=1)
    used = np.isfinite(along)
    s = along[used]
    side, t = np.floor(s), s - np.floor(s)
    ux = np.select([side == 0, side == 1, side == 2], [-1 + 2 * t, np.ones_like(t), 1 - 2 * t], -np.ones_like(t))
    uy = np.select([side == 0, side == 1, side == 2], [-np.ones_like(t), -1 + 2 * t, np.ones_like(t)], 1 - 2 * t)
    pull = rng.uniform(0.86, 1.0, size=len(s))
    plot = np.repeat(np.arange(n), count)
    half_w = width / 2 * rng.uniform(0.78, 0.93, size=n)
    half_h = height / 2 * rng.uniform(0.78, 0.93, size=n)
    xy = np.column_stack((cx[plot] + ux * pull * half_w[plot], cy[plot] + uy * pull * half_h[plot]))
    return xy, plot, count


def _within_area_range(xy: FloatArray, plot: IntArray, cx: FloatArray, cy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Scale each outline about its centre into 5–100 亩; return the vertices and the areas (m²)."""
    area = shapely.area(shapely.polygons(shapely.linearrings(xy, indices=plot)))
    wanted = np.clip(area, (MIN_MU + 0.05) * M2_PER_MU, (MAX_MU - 0.5) * M2_PER_MU)
    scale = np.sqrt(wanted / area)[plot]
    centre = np.column_stack((cx[plot], cy[plot]))
    xy = centre + (xy - centre) * scale[:, None]
    return xy, shapely.area(shapely.polygons(shapely.linearrings(xy, indices=plot)))


class _Placer:
    """Moves template metres (CM 120°E) to tile `t`: same offsets from the tile's centre in the Gauss-Krüger
    plane of that centre's own zone, then to lon/lat. Tile 0 is Changzhou itself."""

    def __init__(self, zones: _Zones) -> None:
        minx, miny, maxx, maxy = shapely.total_bounds(zones.metres)
        self.centre_m = ((minx + maxx) / 2, (miny + maxy) / 2)
        to_ll = Transformer.from_crs(TEMPLATE_EPSG, rules.GEOGRAPHIC_SRID, always_xy=True)
        self.centre_ll = to_ll.transform(*self.centre_m)

    def __call__(self, xy: FloatArray, tile: int) -> FloatArray:
        row, column = divmod(tile, TILE_COLUMNS)
        lon, lat = self.centre_ll[0] - column * TILE_DLON, self.centre_ll[1] - row * TILE_DLAT
        epsg = rules.gk_epsg(lon)
        forward = Transformer.from_crs(rules.GEOGRAPHIC_SRID, epsg, always_xy=True)
        back = Transformer.from_crs(epsg, rules.GEOGRAPHIC_SRID, always_xy=True)
        ex, ey = forward.transform(lon, lat)
        out_x, out_y = back.transform(xy[:, 0] - self.centre_m[0] + ex, xy[:, 1] - self.centre_m[1] + ey)
        return np.column_stack((out_x, out_y))


def _codes(prefix: str, numbers: IntArray, width: int) -> npt.NDArray[np.str_]:
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(str), width))


def _names(types: npt.NDArray[np.str_], zone_names: npt.NDArray[np.str_], jurisdictions: npt.NDArray[np.str_],
           rng: np.random.Generator) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    """(所属行业, 企业名称, 项目名称) in the sample's style (sample_geo.catalogue), drawn for all at once."""
    n = len(types)
    pairs: list[tuple[str, str, str, str, float]] = []  # project type, industry, enterprise tail, product, weight
    for kind, table, kind_weights in (("industrial", INDUSTRIES, INDUSTRY_WEIGHTS), ("service", SERVICES, None)):
        for k, (sector, options) in enumerate(table.items()):
            share = (kind_weights[k] if kind_weights else 1.0) / len(options)
            pairs += [(kind, sector, tail_, product_, share) for tail_, product_ in options]
    pair_kind, industry, tail, product = (np.array([p[i] for p in pairs]) for i in range(4))
    weight = np.array([p[4] for p in pairs])
    quantity = rng.choice(np.array(["1", "2", "3", "5", "8"]), size=n)
    chosen = np.zeros(n, dtype=np.int64)  # infrastructure keeps 0 and takes its names below
    for kind in ("industrial", "service"):
        where = np.flatnonzero(types == kind)
        candidates = np.flatnonzero(pair_kind == kind)
        p = weight[candidates]
        chosen[where] = rng.choice(candidates, size=len(where), p=p / p.sum())
    chars = np.array(list(TRADE_NAME_CHARS))
    trade = np.strings.add(chars[rng.integers(0, len(chars), n)], chars[rng.integers(0, len(chars), n)])
    enterprise = np.strings.add(np.strings.add(rng.choice(np.array(["江苏", "常州"]), size=n), trade),
                                np.strings.add(tail[chosen], rng.choice(np.array(["有限公司", "有限公司", "股份有限公司"]), size=n)))
    products = np.strings.replace(product[chosen], "{n}", quantity)
    name = np.strings.add(np.strings.add(enterprise, products), "项目")
    works = np.array(WORKS)[rng.integers(0, len(WORKS), n)]
    infrastructure = types == "infrastructure"
    city = np.strings.add(np.strings.add("常州市", np.strings.slice(jurisdictions, 0, 2)), "城市建设投资有限公司")
    return (np.where(infrastructure, "基础设施", industry[chosen]), np.where(infrastructure, city, enterprise),
            np.where(infrastructure, np.strings.add(zone_names, works), name))


def _write_zones(path: Path, zones: _Zones, placer: _Placer, tiles: int) -> int:
    geometries, codes, names, classes, jurisdictions = [], [], [], [], []
    for tile in range(tiles):
        if tile == 0:
            placed = zones.lonlat
        else:
            placed = shapely.transform(zones.metres, lambda xy, t=tile: placer(xy, t))
        geometries.append(shapely.to_wkb(placed))
        suffix = f"-T{tile:03d}" if tile else ""
        codes += [code + suffix for code in zones.codes]
        names += [name + (f"（T{tile:03d}）" if tile else "") for name in zones.names]
        classes += zones.classes
        jurisdictions += zones.jurisdictions
    columns = {"园区编码": codes, "园区名称": names, "园区类别": classes, "所属辖区": jurisdictions}
    path.unlink(missing_ok=True)
    pyogrio.raw.write(str(path), np.concatenate(geometries), [np.array(v, dtype=object) for v in columns.values()],
                      list(columns), layer="zones", driver="GPKG", geometry_type="MultiPolygon",
                      crs=f"EPSG:{rules.GEOGRAPHIC_SRID}")
    return len(codes)


def generate(n: int, out_dir: Path, seed: int = 2018) -> SyntheticSet:
    """Write zones.gpkg, parcels.gpkg, projects.csv and meta.json for `n` parcels into `out_dir`."""
    if n < 1:
        raise ValueError("n must be at least 1")
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    zones = _zones()
    template = _plots(zones, rng)
    per_tile = len(template.cx)
    tiles = -(-n // per_tile)
    index = np.arange(n)
    tile, plot = index // per_tile, index % per_tile
    cx, cy, zone = template.cx[plot], template.cy[plot], template.zone[plot]
    xy, vertex_plot, count = _outlines(cx, cy, template.width[plot], template.height[plot], rng)
    xy, area_m2 = _within_area_range(xy, vertex_plot, cx, cy)
    seconds["shapes"] = time.perf_counter() - started

    placer = _Placer(zones)
    # Parcels come tile by tile, so each tile's vertices are one slice.
    bounds = np.searchsorted(tile[vertex_plot], np.arange(tiles + 1))
    lonlat = np.empty_like(xy)
    for t in range(tiles):
        lonlat[bounds[t]:bounds[t + 1]] = placer(xy[bounds[t]:bounds[t + 1]], t)
    polygons = shapely.polygons(shapely.linearrings(lonlat, indices=vertex_plot))
    if not shapely.is_valid(polygons).all():
        raise AssertionError("an invalid synthetic parcel: the outline construction is broken")
    wkb = shapely.to_wkb(shapely.multipolygons(polygons, indices=np.arange(n)))
    seconds["place"] = time.perf_counter() - started - sum(seconds.values())

    # Recorded area (出让面积): within ±0.3% of the drawn area, NULL for some, 2.5–9% off for a few.
    noise = rng.uniform(-0.003, 0.003, n)
    mismatch = rng.random(n) < MISMATCH_SHARE
    noise[mismatch] = rng.choice([-1.0, 1.0], mismatch.sum()) * rng.uniform(0.025, 0.09, mismatch.sum())
    recorded = np.round(area_m2 * (1 + noise), 2)
    recorded[rng.random(n) < NULL_RECORDED_SHARE] = np.nan  # NaN is written as NULL
    official_mu = np.where(np.isnan(recorded), area_m2, recorded) / M2_PER_MU

    kind = rng.random(n)
    types = np.where(kind < INDUSTRIAL_SHARE, "industrial",
                     np.where(kind < INDUSTRIAL_SHARE + SERVICE_SHARE, "service", "infrastructure"))
    industrial = types == "industrial"
    below = industrial & (rng.random(n) < BELOW_SHARE)
    far = rng.random(n) < 0.5
    ratio = np.where(below, np.where(far, rng.uniform(0.40, 0.78, n), rng.uniform(0.82, 0.98, n)), rng.uniform(1.02, 2.5, n))
    investment = np.where(industrial, ratio * zones.thresholds[zone] * official_mu, rng.uniform(5000, 200000, n))
    investment = np.round(investment, 2)

    supply = np.datetime64("2012-01-01") + rng.integers(0, 12 * 365, n).astype("timedelta64[D]")
    start = supply + rng.integers(90, 271, n).astype("timedelta64[D]")
    completion = start + rng.integers(540, 901, n).astype("timedelta64[D]")
    stages = np.array(list(STAGE_WEIGHTS))
    stage_p = np.array(list(STAGE_WEIGHTS.values()))
    stage = stages[rng.choice(len(stages), size=n, p=stage_p / stage_p.sum())]
    zone_names = np.array(zones.names)[zone]
    industry, enterprise, name = _names(types, zone_names, np.array(zones.jurisdictions)[zone], rng)
    parcel_codes = _codes("BZ", index, 7)
    project_codes = _codes("BX", index, 7)
    seconds["attributes"] = time.perf_counter() - started - sum(seconds.values())

    zones_path, parcels_path, projects_path = out_dir / "zones.gpkg", out_dir / "parcels.gpkg", out_dir / "projects.csv"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-06-30T00:00:00Z"})  # no timestamp of the run
    zone_count = _write_zones(zones_path, zones, placer, tiles)
    land_use = np.array([LAND_USE[t] for t in ("industrial", "service", "infrastructure")])
    type_index = np.select([types == "industrial", types == "service"], [0, 1], 2)
    columns: dict[str, npt.NDArray[Any]] = {
        "parcel_code": parcel_codes.astype(object), "project_code": project_codes.astype(object),
        "land_use": land_use[type_index].astype(object), "recorded_area_m2": recorded,
        "supply_date": supply, "agreed_start_date": start, "agreed_completion_date": completion,
    }
    parcels_path.unlink(missing_ok=True)
    pyogrio.raw.write(str(parcels_path), wkb, list(columns.values()), list(columns), layer="parcels", driver="GPKG",
                      geometry_type="MultiPolygon", crs=f"EPSG:{rules.GEOGRAPHIC_SRID}")
    type_cn = np.array([TYPE_CN[t] for t in ("industrial", "service", "infrastructure")])[type_index]
    with projects_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROJECT_HEADER)
        writer.writerows(zip(project_codes.tolist(), name.tolist(), enterprise.tolist(), industry.tolist(),
                             type_cn.tolist(), np.char.mod("%.2f", investment).tolist(), stage.tolist(), strict=True))
    seconds["write"] = time.perf_counter() - started - sum(seconds.values())

    area_mu = area_m2 / M2_PER_MU
    result = SyntheticSet(
        parcels=n, seed=seed, tiles=tiles, plots_per_tile=per_tile, zones=zone_count,
        industrial=int(industrial.sum()), expected_below=int(below.sum()),
        area_mu={"min": round(float(area_mu.min()), 2), "median": round(float(np.median(area_mu)), 2),
                 "mean": round(float(area_mu.mean()), 2), "max": round(float(area_mu.max()), 2)},
        vertices={"min": int(count.min()), "max": int(count.max())},
        zones_path=zones_path, parcels_path=parcels_path, projects_path=projects_path,
        seconds={key: round(value, 2) for key, value in seconds.items()},
    )
    (out_dir / "meta.json").write_text(json.dumps(result.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def cached(n: int, out_dir: Path, seed: int = 2018) -> SyntheticSet | None:
    """The set already in `out_dir` if it was made for the same n, seed and format; else None."""
    meta_path = out_dir / "meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if (meta.get("parcels"), meta.get("seed"), meta.get("version")) != (n, seed, FORMAT_VERSION):
        return None
    paths = [Path(meta[key]) for key in ("zones_path", "parcels_path", "projects_path")]
    if not all(path.exists() for path in paths):
        return None
    return SyntheticSet(
        parcels=meta["parcels"], seed=meta["seed"], tiles=meta["tiles"], plots_per_tile=meta["plots_per_tile"],
        zones=meta["zones"], industrial=meta["industrial"], expected_below=meta["expected_below"],
        area_mu=meta["area_mu"], vertices=meta["vertices"], zones_path=paths[0], parcels_path=paths[1],
        projects_path=paths[2], seconds=meta["seconds"], version=meta["version"],
    )


def ensure(n: int, out_dir: Path, seed: int = 2018) -> tuple[SyntheticSet, bool]:
    """The set for (n, seed) in `out_dir`, generated unless already there; and whether it was reused."""
    found = cached(n, out_dir, seed)
    return (found, True) if found is not None else (generate(n, out_dir, seed), False)


def expected_share_below() -> Decimal:
    """The expected share of all parcels that are violations (industrial × below)."""
    return Decimal(str(INDUSTRIAL_SHARE)) * Decimal(str(BELOW_SHARE))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parcels", type=int, required=True, help="how many parcels")
    parser.add_argument("--out", type=Path, help="folder to write to (default bench/out/n<parcels>)")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args(argv)
    out = args.out or ROOT / "bench" / "out" / f"n{args.parcels}"
    result = generate(args.parcels, out, args.seed)
    print(json.dumps(result.as_json(), ensure_ascii=False))


if __name__ == "__main__":
    main()
