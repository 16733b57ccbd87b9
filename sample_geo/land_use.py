"""The sample's land use: land prices, the parcels' own start and stop dates, developed areas and delays of the
government's (the fields 令第53号 is judged by), a few approval batches (批次), and a year of firms' figures for the
per-mu evaluation.

Drawn from a random generator of their own (`random.Random(2022)`), after the zones, parcels, projects and the major
projects' dates are laid out, so that adding them changed none of those. As of the sample's day (2024-06-30) the map
shows land idle a year and two, delays of the government's, started land stopped and under-developed, batches partly
and wholly unsupplied, and the firms of 2023 in classes A to D and T.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import shapely
import shapely.affinity
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from sample_geo.catalogue import REGION
from sample_geo.drawing import to_ll
from sample_geo.major_projects import Course

SEED = 2022
EVALUATION_YEAR = 2023
CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
EVALUATION_HEADER = ["企业名称", "统一社会信用代码", "年度", "所属地区", "用地面积(亩)", "税收(万元)", "销售收入(万元)", "工业增加值(万元)",
                     "综合能耗(吨标准煤)", "主要污染物排放量(吨)", "年平均职工人数", "研发经费(万元)", "投产日期"]


class ParcelLike(Protocol):
    gk: Polygon
    jurisdiction: str
    kind: str
    recorded_m2: Decimal | None
    dates: tuple[dt.date, dt.date, dt.date]
    code: str


class ProjectLike(Protocol):
    parcels: list[int]
    project_type: str
    stage: str
    enterprise: str
    jurisdiction: str
    course: Course


@dataclass
class ParcelUse:
    """A parcel's land-use fields (None: not given)."""

    price_wan: float | None = None
    start: dt.date | None = None
    developed_m2: float | None = None
    stopped: dt.date | None = None
    government_delay: str | None = None


def _official_m2(parcel: ParcelLike) -> float:
    return float(parcel.recorded_m2) if parcel.recorded_m2 is not None else float(parcel.gk.area)


def parcel_uses(rng: random.Random, parcels: Sequence[ParcelLike], projects: Sequence[ProjectLike], day: dt.date) -> list[ParcelUse]:
    """出让价款 (industrial land 20–45 万元/亩, commercial 60–200; none for infrastructure, allocated land), a parcel's own
    动工日期 for a third of started land, stops (a dozen projects under construction, most stopped over a year before the
    day, most of those under a third developed) and three overdue parcels whose delay is the government's."""
    uses = [ParcelUse() for _ in parcels]
    for project in sorted(projects, key=lambda p: p.enterprise):
        for i in project.parcels:
            mu = _official_m2(parcels[i]) * 15 / 10000
            if project.project_type == "industrial" and rng.random() < 0.92:
                uses[i].price_wan = round(mu * rng.uniform(20, 45), 2)
            elif project.project_type == "service":
                uses[i].price_wan = round(mu * rng.uniform(60, 200), 2)
            start = project.course.actual_start
            if start is not None and rng.random() < 0.35:
                uses[i].start = min(start + dt.timedelta(days=rng.randint(0, 30)), day)
    building = [p for p in projects if p.stage == "开工" and p.course.actual_start is not None
                and (day - p.course.actual_start).days > 450]
    for k, project in enumerate(rng.sample(sorted(building, key=lambda p: p.enterprise), 14)):
        assert project.course.actual_start is not None
        began = max([project.course.actual_start, *(start for i in project.parcels if (start := uses[i].start) is not None)])
        long_ago = k < 10  # stopped over a year before the day; the others within it
        latest = (day - began).days - 380 if long_ago else (day - began).days - 10
        earliest = 60 if long_ago else max(60, (day - began).days - 300)
        stopped = began + dt.timedelta(days=rng.randint(earliest, max(earliest, latest)))
        for i in project.parcels:
            uses[i].stopped = stopped
            uses[i].developed_m2 = round(_official_m2(parcels[i]) * (rng.uniform(0.08, 0.30) if k % 3 else rng.uniform(0.4, 0.7)), 2)
    overdue = [i for p in projects if p.course.actual_start is None for i in p.parcels
               if (day - parcels[i].dates[1]).days > 365]
    chosen = set(rng.sample(sorted(overdue, key=lambda i: parcels[i].code), 3))
    for i in overdue:
        uses[i].government_delay = "是" if i in chosen else "否"
    return uses


def credit_code(rng: random.Random, region: str) -> str:
    """A 统一社会信用代码 of an enterprise (91) registered in `region`, with its check character (GB 32100-2015)."""
    body = "91" + region + "".join(rng.choice(CREDIT_CHARACTERS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    total = sum(CREDIT_CHARACTERS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_CHARACTERS[(31 - total % 31) % 31]


def batches(rng: random.Random, parcels: Sequence[ParcelLike], zones_gk: dict[str, BaseGeometry],
            count: int = 10, empty: int = 3) -> list[tuple[str, dt.date, str, BaseGeometry]]:
    """(批次编号, 批准日期, 批准文号, outline in lon/lat): batches drawn round neighbouring parcels with land to spare beside
    them, approved before the first was supplied, and a few on land no parcel has taken yet."""
    shapes = [p.gk for p in parcels]
    tree = shapely.STRtree(shapes)
    taken: list[BaseGeometry] = []
    found: list[tuple[str, dt.date, str, BaseGeometry]] = []
    interior = sorted((i for i, p in enumerate(parcels) if p.kind == "interior"), key=lambda i: parcels[i].code)
    while len(found) < count:
        seed = parcels[rng.choice(interior)]
        near = [int(j) for j in tree.query(seed.gk.centroid.buffer(rng.uniform(180, 300))) if parcels[int(j)].kind == "interior"]
        outline = shapely.union_all([shapes[j] for j in near]).convex_hull.buffer(rng.uniform(30, 70), join_style="mitre")
        if any(outline.intersects(other) for other in taken):
            continue
        taken.append(outline)
        first = min(parcels[j].dates[0] for j in near)
        approved = first - dt.timedelta(days=rng.randint(90, 500))
        found.append((_batch_code(seed.jurisdiction, approved, len(found) + 1), approved, _approval_no(rng, approved), to_ll(outline)))
    zones = sorted(zones_gk)
    while len(found) < count + empty:
        zone = zones_gk[rng.choice(zones)]
        x0, y0, x1, y1 = zone.bounds
        centre = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        width, height, turn = rng.uniform(150, 320), rng.uniform(120, 260), rng.uniform(0, math.pi)
        outline = shapely.affinity.rotate(shapely.box(centre.x - width / 2, centre.y - height / 2, centre.x + width / 2,
                                                      centre.y + height / 2), turn, use_radians=True)
        if not zone.contains(outline) or len(tree.query(outline.buffer(20), predicate="intersects")) \
                or any(outline.intersects(other) for other in taken):
            continue
        taken.append(outline)
        approved = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        region = next(p.jurisdiction for p in parcels if p.kind == "interior" and zone.contains(p.gk))
        found.append((_batch_code(region, approved, len(found) + 1), approved, _approval_no(rng, approved), to_ll(outline)))
    return found


def _batch_code(jurisdiction: str, approved: dt.date, number: int) -> str:
    return f"PC-{REGION[jurisdiction]}-{approved.year}-{number:02d}"


def _approval_no(rng: random.Random, approved: dt.date) -> str:
    return f"苏政地〔{approved.year}〕{rng.randint(10, 480)}号"


def firm_rows(rng: random.Random, parcels: Sequence[ParcelLike], projects: Sequence[ProjectLike],
              year: int = EVALUATION_YEAR) -> list[list[Any]]:
    """A year's figures of every industrial firm in production by its end: per-mu sales of 250–1 600 万元, tax 2–8% of
    sales, and so on; most leave 用地面积 blank (their parcels' area is taken), a few lack a figure or report a zero
    one, and those in production from within the year are T."""
    end = dt.date(year, 12, 31)
    firms = sorted((p for p in projects if p.project_type == "industrial" and p.parcels and p.course.production is not None
                    and p.course.production <= end), key=lambda p: p.enterprise)
    rows = []
    for k, project in enumerate(firms):
        mu = sum(_official_m2(parcels[i]) for i in project.parcels) * 15 / 10000
        sales = mu * rng.uniform(250, 1600)
        given_mu = round(mu, 2) if rng.random() < 0.2 else None
        energy = round(sales * rng.uniform(0.01, 0.08), 2) if k % 97 else None
        emissions = round(sales * rng.uniform(0.0002, 0.002), 3) if k % 89 else 0
        rnd = round(sales * rng.uniform(0.005, 0.06), 2) if k % 83 else None
        rows.append([project.enterprise, credit_code(rng, REGION[project.jurisdiction]), year, project.jurisdiction, given_mu,
                     round(sales * rng.uniform(0.02, 0.08), 2), round(sales, 2), round(sales * rng.uniform(0.18, 0.32), 2),
                     energy, emissions, max(5, round(sales / rng.uniform(80, 250))), rnd, project.course.production])
    return rows
