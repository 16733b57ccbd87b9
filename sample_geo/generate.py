"""Sample data for Mujun: Changzhou zones, districts, parcels and projects, made up but plausible.

Deterministic (random.Random(2018), no network). Writes zones.geojson, districts.geojson, parcels.gpkg and
projects.xlsx next to this file. Run `python -m sample_geo.generate` from the project root.
Geometry is drawn in metres on the CGCS2000 Gauss-Krüger plane of CM 120°E (all of Changzhou lies in that
3-degree zone) and stored as lon/lat: areas, zones and thresholds come from `mujun.rules` and the
`changzhou-2018` policy, so the data hit the cases the portal must show (see README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mujun import rules  # noqa: E402
from mujun.policy import load_policy  # noqa: E402

OUT = Path(__file__).resolve().parent
SEED = 2018
DATA_DATE = dt.date(2024, 6, 30)  # "today" of the sample: stages agree with the agreed dates against it
EPSG_GK = rules.gk_epsg(119.9)  # CM 120°E, EPSG:4549: Liyang (119.1°E) to Hengling (120.2°E)
TO_LL = Transformer.from_crs(EPSG_GK, rules.GEOGRAPHIC_SRID, always_xy=True)
M2_PER_MU = 10000 / 15
ZONE_CLASS = {"省级以上开发区": "development_zone", "工业集中区": "industrial_cluster"}
REGION = {"天宁区": "320402", "钟楼区": "320404", "新北区": "320411", "武进区": "320412", "金坛区": "320413",
          "溧阳市": "320481", "常州经济开发区": "320471"}  # 统计用区划代码; 320471 is the zone's statistical code

Pt = tuple[float, float]


@dataclass(frozen=True)
class ZoneSpec:
    code: str
    name: str
    zone_class: str  # 园区类别 as written
    jurisdiction: str
    parts: tuple[tuple[float, float, float], ...]  # (lon, lat, radius km) of each irregular part
    target: int  # parcels to place inside (whole blocks, so a few more)
    inside: str | None = None  # the larger zone it nests in


ZONES = (
    ZoneSpec("CZ-XB-01", "常州国家高新技术产业开发区", "省级以上开发区", "新北区", ((119.965, 31.895, 3.5),), 190),
    ZoneSpec("CZ-XB-02", "常州滨江经济开发区", "省级以上开发区", "新北区", ((119.975, 31.915, 1.0),), 12, "CZ-XB-01"),
    ZoneSpec("CZ-XB-03", "孟河工业集中区", "工业集中区", "新北区", ((119.850, 31.975, 1.4),), 60),
    ZoneSpec("CZ-TN-01", "常州天宁经济开发区", "省级以上开发区", "天宁区", ((120.010, 31.800, 1.6),), 100),
    ZoneSpec("CZ-TN-02", "郑陆工业集中区", "工业集中区", "天宁区", ((120.100, 31.855, 1.5),), 60),
    ZoneSpec("CZ-ZL-01", "常州钟楼经济开发区", "省级以上开发区", "钟楼区", ((119.910, 31.775, 1.8),), 100),
    ZoneSpec("CZ-ZL-02", "邹区工业集中区", "工业集中区", "钟楼区", ((119.835, 31.805, 1.4),), 55),
    ZoneSpec("CZ-JK-01", "常州经济开发区", "省级以上开发区", "常州经济开发区", ((120.110, 31.745, 3.0),), 160),
    ZoneSpec("CZ-JK-02", "遥观工业集中区", "工业集中区", "常州经济开发区", ((120.095, 31.730, 0.9),), 10, "CZ-JK-01"),
    ZoneSpec("CZ-WJ-01", "武进国家高新技术产业开发区", "省级以上开发区", "武进区", ((119.955, 31.670, 3.0),), 180),
    ZoneSpec("CZ-WJ-02", "南夏墅工业集中区", "工业集中区", "武进区", ((119.960, 31.650, 0.9),), 10, "CZ-WJ-01"),
    ZoneSpec("CZ-WJ-03", "江苏武进经济开发区", "省级以上开发区", "武进区", ((119.840, 31.705, 2.3),), 130),
    ZoneSpec("CZ-WJ-04", "雪堰工业集中区", "工业集中区", "武进区", ((120.100, 31.570, 1.5),), 60),
    ZoneSpec("CZ-JT-01", "江苏金坛经济开发区", "省级以上开发区", "金坛区",
             ((119.570, 31.755, 2.6), (119.625, 31.712, 0.9)), 120),
    ZoneSpec("CZ-JT-02", "直溪工业集中区", "工业集中区", "金坛区", ((119.490, 31.845, 1.3),), 50),
    ZoneSpec("CZ-LY-01", "江苏溧阳经济开发区", "省级以上开发区", "溧阳市", ((119.490, 31.425, 2.6),), 120),
    ZoneSpec("CZ-LY-02", "社渚工业集中区", "工业集中区", "溧阳市", ((119.320, 31.355, 1.4),), 50),
)

# Rough outlines drawn by hand (lon, lat); each is cut by those before it so that none overlap.
DISTRICTS: dict[str, list[Pt]] = {
    "天宁区": [(119.955, 31.765), (120.015, 31.760), (120.045, 31.790), (120.080, 31.815), (120.150, 31.830),
            (120.160, 31.880), (120.110, 31.900), (120.050, 31.870), (119.990, 31.835), (119.960, 31.810)],
    "钟楼区": [(119.800, 31.760), (119.860, 31.745), (119.955, 31.750), (119.965, 31.765), (119.960, 31.810),
            (119.930, 31.820), (119.870, 31.830), (119.805, 31.825)],
    "常州经济开发区": [(120.040, 31.700), (120.120, 31.690), (120.200, 31.700), (120.210, 31.760), (120.170, 31.800),
                (120.090, 31.800), (120.050, 31.770)],
    "新北区": [(119.780, 31.830), (119.870, 31.830), (119.960, 31.810), (119.990, 31.835), (120.050, 31.870),
            (120.110, 31.900), (120.060, 31.960), (120.010, 32.000), (119.920, 32.050), (119.840, 32.040),
            (119.790, 31.980)],
    "武进区": [(119.700, 31.560), (119.800, 31.500), (119.950, 31.480), (120.100, 31.500), (120.200, 31.540),
            (120.220, 31.620), (120.200, 31.700), (120.040, 31.700), (120.050, 31.770), (119.955, 31.750),
            (119.860, 31.745), (119.800, 31.760), (119.720, 31.740), (119.690, 31.650)],
    "金坛区": [(119.380, 31.620), (119.480, 31.560), (119.620, 31.580), (119.720, 31.640), (119.740, 31.760),
            (119.680, 31.880), (119.560, 31.930), (119.440, 31.900), (119.380, 31.800), (119.350, 31.700)],
    "溧阳市": [(119.080, 31.300), (119.150, 31.180), (119.300, 31.150), (119.450, 31.200), (119.560, 31.300),
            (119.600, 31.420), (119.560, 31.520), (119.460, 31.570), (119.350, 31.560), (119.220, 31.500),
            (119.120, 31.420)],
}

# 所属行业 → (enterprise name tails, products); the ten industrial chains of the 2018 policy, then services.
INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "新能源汽车和关键零部件": (("汽车部件", "电驱动科技", "动力系统"),
                     ("年产{n}万套新能源汽车电驱动系统", "年产{n}万台电机控制器", "年产{n}万套汽车轻量化铝合金部件")),
    "新一代信息电子": (("电子科技", "微电子", "光电科技"), ("年产{n}万平方米柔性电路板", "年产{n}亿只片式电感", "年产{n}万套智能传感器")),
    "新材料": (("新材料科技", "高分子材料", "碳材料科技"), ("年产{n}亿平方米锂电隔膜", "年产{n}千吨碳纤维复合材料", "年产{n}万吨石墨烯导热膜")),
    "智能制造装备": (("智能装备", "机器人科技", "数控科技"), ("年产{n}百台工业机器人", "年产{n}百台（套）智能数控机床", "年产{n}百套智能物流装备")),
    "生物医药": (("生物科技", "医药科技", "医疗器械"), ("年产{n}亿片口服固体制剂", "年产{n}百万支医用导管", "年产{n}万盒体外诊断试剂")),
    "新能源": (("光伏科技", "储能科技", "新能源科技"), ("年产{n}GW高效光伏组件", "年产{n}GWh动力锂电池", "年产{n}万套储能系统")),
    "高端装备": (("重工", "精密机械", "装备制造"), ("年产{n}百台（套）大型压力容器", "年产{n}百套风电齿轮箱", "年产{n}千套精密轴承")),
    "节能环保": (("环保科技", "环境工程", "节能科技"), ("年产{n}百台（套）工业废气处理设备", "年产{n}万吨再生资源综合利用", "年产{n}千套高效节能电机")),
    "轨道交通": (("轨道交通科技", "轨道装备"), ("年产{n}百套轨道交通牵引系统", "年产{n}百辆城轨车辆配套部件")),
    "绿色精品钢": (("特钢", "精密钢管"), ("年产{n}十万吨特种合金钢棒材", "年产{n}万吨精密钢管")),
}
INDUSTRY_WEIGHTS = (14, 12, 14, 14, 8, 12, 10, 7, 5, 4)
SERVICES = {"软件和信息服务": (("信息技术", "软件科技"), ("研发中心及总部大楼", "软件产业园")),
            "现代物流": (("供应链管理", "物流"), ("智慧物流园", "冷链物流中心")),
            "科技服务": (("科技服务", "检测技术"), ("科技企业孵化器", "检验检测服务平台"))}
WORKS = ("标准厂房配套道路工程", "污水处理厂扩建工程", "110千伏变电站工程", "综合管廊工程", "消防站工程")
TRADE_CHARS = "恒瑞华达新科博泰源辰宏远嘉德盛天中润鼎铭卓越锦安诚信凯隆裕丰"
TYPE_CN = {"industrial": "工业", "service": "服务业", "infrastructure": "基础设施"}
LAND_USE = {"industrial": "工业用地", "service": "商服用地", "infrastructure": "公共设施用地"}


def to_ll(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))


def to_gk(geometry: BaseGeometry) -> BaseGeometry:
    return rules.to_gauss_kruger(geometry, EPSG_GK)  # type: ignore[return-value]


def gk_point(lon: float, lat: float) -> Pt:
    p = to_gk(Point(lon, lat))
    return p.x, p.y  # type: ignore[attr-defined]


def blob(rng: random.Random, lon: float, lat: float, radius_km: float) -> Polygon:
    """An irregular star-shaped outline of about `radius_km`, in Gauss-Krüger metres."""
    cx, cy = gk_point(lon, lat)
    n = rng.randint(9, 13)
    angles = [2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / n for i in range(n)]
    radii = [radius_km * 1000 * rng.uniform(0.75, 1.15) for _ in angles]
    return Polygon([(cx + r * math.cos(a), cy + r * math.sin(a)) for a, r in zip(angles, radii, strict=True)])


def lerp(a: Pt, b: Pt, t: float) -> Pt:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def subdivide(rng: random.Random, quad: list[Pt], out: list[list[Pt]]) -> None:
    """Cut a block into parcels of 5–200 亩 across its longer side, with slightly slanted cuts."""
    area_mu = Polygon(quad).area / M2_PER_MU
    if area_mu <= 200 and (area_mu < 20 or rng.random() > min(0.85, area_mu / 80)):
        out.append(quad)
        return
    p0, p1, p2, p3 = quad
    if math.dist(p0, p1) < math.dist(p1, p2):
        p0, p1, p2, p3 = p1, p2, p3, p0
    t, slant = rng.uniform(0.35, 0.65), rng.uniform(-0.05, 0.05)
    a, b = lerp(p0, p1, t + slant), lerp(p3, p2, t - slant)
    subdivide(rng, [p0, a, b, p3], out)
    subdivide(rng, [a, p1, p2, b], out)


def node(quads: Sequence[list[Pt]]) -> list[Polygon]:
    """Put every neighbour's corner lying on an edge into that edge, so shared borders have the same
    vertices (no T-junction that would show as a sliver overlap once projected to lon/lat)."""
    corners = {p for q in quads for p in q}
    polygons = []
    for quad in quads:
        ring: list[Pt] = []
        for a, b in zip(quad, quad[1:] + quad[:1], strict=True):
            ring.append(a)
            length = math.dist(a, b)
            dx, dy = b[0] - a[0], b[1] - a[1]
            on_edge = [p for p in corners if 0 < (p[0] - a[0]) * dx + (p[1] - a[1]) * dy < length**2 - 1e-6
                       and p != a and abs(dx * (p[1] - a[1]) - dy * (p[0] - a[0])) < 1e-6 * length]
            ring.extend(sorted(on_edge, key=lambda p: math.dist(a, p)))
        polygons.append(Polygon(ring))
    return polygons


def rectangle(rng: random.Random, centre: Pt, width: float, depth: float, angle: float) -> Polygon:
    """A rotated rectangle with corners moved by up to 4 m: a slightly irregular quadrilateral."""
    c, s = math.cos(angle), math.sin(angle)
    corners = [(-width / 2, -depth / 2), (width / 2, -depth / 2), (width / 2, depth / 2), (-width / 2, depth / 2)]
    return Polygon([(centre[0] + u * c - v * s + rng.uniform(-4, 4), centre[1] + u * s + v * c + rng.uniform(-4, 4))
                    for u, v in corners])


def block_grid(rng: random.Random, zone: BaseGeometry, small: bool) -> list[list[Pt]]:
    """Blocks (bw × bh, 24 m roads between) on a street grid turned by a random angle over the zone."""
    bw, bh = (rng.uniform(200, 260), rng.uniform(150, 200)) if small else (rng.uniform(280, 420), rng.uniform(200, 300))
    angle = rng.uniform(-math.pi / 6, math.pi / 6)
    c, s = math.cos(angle), math.sin(angle)
    cx, cy = zone.centroid.x, zone.centroid.y
    reach = max(math.dist((cx, cy), corner) for corner in zip(zone.bounds[::2], zone.bounds[1::2], strict=True))
    blocks = []
    for i in range(-int(reach / (bw + 24)) - 1, int(reach / (bw + 24)) + 1):
        for j in range(-int(reach / (bh + 24)) - 1, int(reach / (bh + 24)) + 1):
            u, v = i * (bw + 24), j * (bh + 24)
            local = [(u, v), (u + bw, v), (u + bw, v + bh), (u, v + bh)]
            blocks.append([(cx + x * c - y * s, cy + x * s + y * c) for x, y in local])
    return blocks


@dataclass
class Parcel:
    gk: Polygon
    region: str
    kind: str  # interior, straddle, outside, boundary
    recorded: Decimal | None = None
    ll: MultiPolygon | None = None
    code: str = ""
    dates: tuple[dt.date, dt.date, dt.date] | None = None


@dataclass
class Project:
    parcels: list[int]
    project_type: str = "industrial"
    fixed_investment: int | None = None
    code: str = ""
    industry: str = ""
    name: str = ""
    enterprise: str = ""
    stage: str = ""
    investment: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def build_zones(rng: random.Random) -> dict[str, BaseGeometry]:
    """Zone outlines, lon/lat rounded to 1e-7° as written to GeoJSON; inner zones kept 150 m inside."""
    zones: dict[str, BaseGeometry] = {}
    for spec in ZONES:
        shape: BaseGeometry = shapely.union_all([blob(rng, *part) for part in spec.parts])
        if spec.inside:
            shape = shape.intersection(to_gk(zones[spec.inside]).buffer(-150))
        zones[spec.code] = shapely.set_precision(to_ll(shape), 1e-7)
    return zones


def build_districts(zones_gk: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    districts: dict[str, BaseGeometry] = {}
    for name, outline in DISTRICTS.items():
        shape = Polygon([gk_point(*p) for p in outline])
        districts[name] = shape.difference(shapely.union_all(list(districts.values()))) if districts else shape
    for spec in ZONES:  # a zone lies in its own district
        assert districts[spec.jurisdiction].contains(zones_gk[spec.code].buffer(-50)), spec.code
    return districts


def straddling(rng: random.Random, zones_gk: dict[str, BaseGeometry], count: int) -> list[tuple[str, Polygon]]:
    """Parcels on an outer zone's edge with 10–45% of their area inside it."""
    outers = [s for s in ZONES if s.inside is None]
    placed: list[tuple[str, Polygon]] = []
    while len(placed) < count:
        spec = rng.choice(outers)
        zone = zones_gk[spec.code]
        ring = max(getattr(zone, "geoms", [zone]), key=lambda g: g.area).exterior
        at = rng.uniform(0, ring.length - 10)
        p, q = ring.interpolate(at), ring.interpolate(at + 10)
        tx, ty = (q.x - p.x) / 10, (q.y - p.y) / 10
        nx, ny = (ty, -tx) if not zone.contains(Point(p.x + ty * 5, p.y - tx * 5)) else (-ty, tx)
        depth = rng.uniform(100, 200)
        shift = depth * (0.5 - rng.uniform(0.15, 0.40))  # centre this far outside the edge
        parcel = rectangle(rng, (p.x + nx * shift, p.y + ny * shift), rng.uniform(110, 240), depth, math.atan2(ty, tx))
        share = parcel.intersection(zone).area / parcel.area
        others = [zones_gk[s.code] for s in outers if s.code != spec.code]
        if 0.1 < share < 0.45 and not any(parcel.distance(g) < 100 for g in others) \
                and all(parcel.distance(g) > 50 for _, g in placed):
            placed.append((spec.code, parcel))
    return placed


def interior(rng: random.Random, zones_gk: dict[str, BaseGeometry], keep_out: list[Polygon]
             ) -> tuple[dict[str, list[list[Polygon]]], list[list[Pt]]]:
    """Whole blocks inside each zone until its target; returns the parcels per block and the spare
    blocks of CZ-ZL-01 (a 400 万元/亩 zone) for the boundary case."""
    blocks: dict[str, list[list[Polygon]]] = {}
    spare: list[list[Pt]] = []
    for spec in ZONES:
        inner = [zones_gk[s.code].buffer(40) for s in ZONES if s.inside == spec.code]
        allowed = zones_gk[spec.code].buffer(-15).difference(shapely.union_all([*inner, *keep_out]))
        shapely.prepare(allowed)
        candidates = [q for q in block_grid(rng, zones_gk[spec.code], spec.inside is not None)
                      if allowed.contains(Polygon(q))]
        rng.shuffle(candidates)
        blocks[spec.code], placed = [], 0
        while placed < spec.target:
            leaves: list[list[Pt]] = []
            subdivide(rng, candidates.pop(), leaves)
            blocks[spec.code].append(node(leaves))
            placed += len(leaves)
        if spec.code == "CZ-ZL-01":
            spare = candidates
    return blocks, spare


def outside(rng: random.Random, districts: dict[str, BaseGeometry], zones_gk: dict[str, BaseGeometry],
            count: int) -> list[tuple[str, Polygon]]:
    """Parcels at least 300 m from every zone, inside a district."""
    names = list(districts)
    weights = [districts[n].area for n in names]
    all_zones = shapely.union_all(list(zones_gk.values()))
    placed: list[tuple[str, Polygon]] = []
    while len(placed) < count:
        name = rng.choices(names, weights)[0]
        x0, y0, x1, y1 = districts[name].bounds
        centre = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        parcel = rectangle(rng, centre, rng.uniform(80, 220), rng.uniform(60, 160), rng.uniform(0, math.pi))
        if districts[name].buffer(-200).contains(parcel) and parcel.distance(all_zones) > 300 \
                and all(parcel.distance(g) > 100 for _, g in placed):
            placed.append((REGION[name], parcel))
    return placed


def enterprise_name(rng: random.Random, tails: tuple[str, ...], taken: set[str]) -> str:
    while True:
        name = (rng.choice(("江苏", "常州")) + "".join(rng.sample(TRADE_CHARS, 2)) + rng.choice(tails)
                + rng.choice(("有限公司", "有限公司", "股份有限公司")))
        if name not in taken:
            taken.add(name)
            return name


def describe(rng: random.Random, project: Project, district: str, taken: set[str]) -> None:
    """所属行业, 企业名称 and 项目名称 that fit the project type."""
    short = district.removesuffix("区").removesuffix("市").replace("常州经济开发", "经开区")
    if project.project_type == "infrastructure":
        project.industry = "基础设施"
        project.enterprise = f"常州市{short}城市建设投资有限公司"
        project.name = f"{short}{rng.choice(WORKS)}"
        return
    if project.project_type == "service":
        project.industry = rng.choice(list(SERVICES))
        tails, products = SERVICES[project.industry]
    else:
        project.industry = rng.choices(list(INDUSTRIES), INDUSTRY_WEIGHTS)[0]
        tails, products = INDUSTRIES[project.industry]
    project.enterprise = enterprise_name(rng, tails, taken)
    project.name = project.enterprise + rng.choice(products).format(n=rng.choice((1, 2, 3, 5, 6, 8, 10, 12, 20))) + "项目"


def stage_for(rng: random.Random, start: dt.date, completion: dt.date) -> str:
    """项目阶段 consistent with the agreed dates on DATA_DATE, some projects lagging behind them."""
    if start > DATA_DATE:
        return rng.choice(("签约", "预备", "预备"))
    if completion > DATA_DATE:
        return "预备" if rng.random() < 0.15 else "开工"
    if rng.random() < 0.2:
        return "开工"
    return "评估" if completion.replace(year=completion.year + 1) < DATA_DATE and rng.random() < 0.5 else "竣工"


def level_for(investment: int) -> str:
    return "省级重大项目" if investment >= 200000 else "市级重大项目" if investment >= 30000 else "区级重点项目"


def write_xlsx(path: Path, projects: list[Project]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "币种", "项目阶段", "项目级别"])
    for p in sorted(projects, key=lambda p: p.code):
        ws.append([p.code, p.name, p.enterprise, p.industry, TYPE_CN[p.project_type], p.investment, "CNY",
                   p.stage, level_for(p.investment)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (16, 60, 34, 24, 10, 14, 8, 10, 14), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 6, 30)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook: it stamps the current time
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed member dates: the same bytes on every run
            dst.writestr(zipfile.ZipInfo(info.filename, (2024, 6, 30, 0, 0, 0)), src.read(info), zipfile.ZIP_DEFLATED)


def write_geojson(path: Path, layer: str, geometries: list[BaseGeometry], columns: dict[str, list[str]]) -> None:
    path.unlink(missing_ok=True)
    wkb = np.array([shapely.to_wkb(MultiPolygon(getattr(g, "geoms", [g]))) for g in geometries], dtype=object)
    pyogrio.raw.write(str(path), wkb, [np.array(v, dtype=object) for v in columns.values()], list(columns),
                      layer=layer, driver="GeoJSON", geometry_type="MultiPolygon", crs="OGC:CRS84",
                      layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "7"})


def main() -> None:
    rng = random.Random(SEED)
    policy = load_policy("changzhou-2018")
    specs = {s.code: s for s in ZONES}
    zones_ll = build_zones(rng)
    zones_gk = {code: to_gk(g) for code, g in zones_ll.items()}
    districts = build_districts(zones_gk)
    straddles = straddling(rng, zones_gk, 25)
    blocks, spare = interior(rng, zones_gk, [g.buffer(20) for _, g in straddles])

    parcels: list[Parcel] = []
    projects: list[Project] = []

    def add_project(polygons: list[Polygon], region: str, kind: str, fixed: int | None = None) -> None:
        project_type = "industrial" if fixed or kind == "outside" else rng.choices(list(TYPE_CN), (85, 9, 6))[0]
        projects.append(Project(list(range(len(parcels), len(parcels) + len(polygons))), project_type, fixed))
        parcels.extend(Parcel(g, region, kind) for g in polygons)

    for code, zone_blocks in blocks.items():
        for leaves in zone_blocks:  # a few runs of 2–3 adjacent parcels become one project
            i = 0
            while i < len(leaves):
                group, size = [leaves[i]], rng.choice((2, 2, 3)) if rng.random() < 0.1 else 1
                while len(group) < size and i + len(group) < len(leaves) \
                        and group[-1].boundary.intersection(leaves[i + len(group)].boundary).length > 20:
                    group.append(leaves[i + len(group)])
                add_project(group, REGION[specs[code].jurisdiction], "interior")
                i += len(group)
    for code, polygon in straddles:
        add_project([polygon], REGION[specs[code].jurisdiction], "straddle")
    for region, polygon in outside(rng, districts, zones_gk, 40):
        add_project([polygon], region, "outside")
    p0, p1, _, p3 = spare.pop()  # 10 亩 exactly (100 m × 66.667 m) in a 400 万元/亩 zone: 4000 meets, 3999 not
    e1 = ((p1[0] - p0[0]) / math.dist(p0, p1), (p1[1] - p0[1]) / math.dist(p0, p1))
    e2 = ((p3[0] - p0[0]) / math.dist(p0, p3), (p3[1] - p0[1]) / math.dist(p0, p3))
    for offset, investment in ((10, 4000), (130, 3999)):
        corners = [(offset + u, 10 + v) for u, v in ((0, 0), (100, 0), (100, 200 / 3), (0, 200 / 3))]
        rect = Polygon([(p0[0] + u * e1[0] + v * e2[0], p0[1] + u * e1[1] + v * e2[1]) for u, v in corners])
        add_project([rect], REGION["钟楼区"], "boundary", investment)

    # Areas as the ETL will see them: from the lon/lat geometry written to the GeoPackage.
    for parcel in parcels:
        parcel.ll = MultiPolygon([to_ll(parcel.gk)])
    geometry_m2 = [rules.gk_area_m2(p.ll) for p in parcels]
    cent = Decimal("0.01")
    mismatched = set(rng.sample([i for i, p in enumerate(parcels) if p.kind == "interior"], 40))
    for i, parcel in enumerate(parcels):
        if parcel.kind == "boundary":
            parcel.recorded = Decimal("6666.67")
        elif i in mismatched:
            error = rng.choice((-1, 1)) * rng.uniform(0.025, 0.09)
            parcel.recorded = (geometry_m2[i] * Decimal(repr(1 + error))).quantize(cent)
        elif rng.random() >= 0.15:
            error = 0 if rng.random() < 0.3 else rng.uniform(-0.004, 0.004)
            parcel.recorded = (geometry_m2[i] * Decimal(repr(1 + error))).quantize(cent)

    # The zone of each parcel and of each project, by the portal's own rules.
    codes = list(zones_gk)
    tree = shapely.STRtree([zones_gk[c] for c in codes])
    zone_area = {c: float(zones_gk[c].area) for c in codes}
    threshold = {c: policy.threshold_for(specs[c].jurisdiction, ZONE_CLASS[specs[c].zone_class]) for c in codes}
    parcel_gk = [to_gk(p.ll) for p in parcels]
    choices = [rules.choose_zone(g.area, [rules.ZoneOverlap(codes[j], g.intersection(zones_gk[codes[j]]).area,
                                                            zone_area[codes[j]])
                                          for j in tree.query(g, predicate="intersects")]) for g in parcel_gk]

    # Dates, stages, names and investment per project.
    taken: set[str] = set()
    statuses: list[rules.Status] = []
    for project in projects:
        first = parcels[project.parcels[0]]
        supply = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 8 * 365 - 1))
        for i in project.parcels:
            day = supply + dt.timedelta(days=rng.randint(0, 120) if i != project.parcels[0] else 0)
            start = day + dt.timedelta(days=rng.randint(90, 365))
            parcels[i].dates = (day, start, start + dt.timedelta(days=rng.randint(365, 1095)))
        project.stage = stage_for(rng, first.dates[1], first.dates[2])  # type: ignore[index]
        district = next(name for name, code in REGION.items() if code == first.region)
        describe(rng, project, district, taken)
        official = [rules.official_area_m2(geometry_m2[i], parcels[i].recorded) for i in project.parcels]
        area_mu = rules.mu_from_m2(sum(official, Decimal(0)))
        zone = rules.project_zone([rules.ParcelLand(m2, choices[i].zone_code, zone_area.get(choices[i].zone_code or "", 0),
                                                    threshold.get(choices[i].zone_code or ""))
                                   for i, m2 in zip(project.parcels, official, strict=True)])
        project.extra = {"zone": zone.zone_code, "spans": zone.spans_zones}
        draw = rng.random()
        if project.fixed_investment is not None:
            project.investment = project.fixed_investment
        elif project.project_type == "industrial" and zone.threshold_wan_per_mu is not None:
            ratio = rng.uniform(0.82, 0.98) if draw < 0.09 else rng.uniform(0.35, 0.78) if draw < 0.175 \
                else rng.uniform(1.02, 2.5)
            project.investment = round(ratio * float(zone.threshold_wan_per_mu * area_mu))
        else:
            project.investment = round(rng.uniform(150, 900) * float(area_mu))
        result = rules.assess(project_type=project.project_type, total_investment_wan=Decimal(project.investment),
                              area_mu=area_mu, threshold_wan_per_mu=zone.threshold_wan_per_mu,
                              in_zone=zone.zone_code is not None)
        statuses.append(result.status)
        if project.fixed_investment is not None:
            assert zone.zone_code == "CZ-ZL-01" and result.intensity_wan_per_mu == Decimal(project.investment) / 10
            assert result.status == (rules.Status.MEETS if project.fixed_investment == 4000 else rules.Status.BELOW)
    for _ in range(20):  # 意向/签约 projects with no land yet
        project = Project([], "industrial" if rng.random() < 0.85 else "service", stage=rng.choice(("意向", "签约")))
        describe(rng, project, rng.choice(list(REGION)), taken)
        project.investment = round(10 ** rng.uniform(3.7, 5.7))
        projects.append(project)

    # Codes: 宗地编号 region-year-sequence, 项目编号 CZXM-year-sequence.
    sequence: dict[tuple[str, int], int] = {}
    for i in sorted(range(len(parcels)), key=lambda i: (parcels[i].region, parcels[i].dates, i)):
        key = (parcels[i].region, parcels[i].dates[0].year)  # type: ignore[index]
        sequence[key] = sequence.get(key, 0) + 1
        parcels[i].code = f"{key[0]}-{key[1]}-{sequence[key]:04d}"
    order = sorted(projects, key=lambda p: parcels[p.parcels[0]].dates[0] if p.parcels else DATA_DATE)  # type: ignore[index]
    for project in order:
        year = parcels[project.parcels[0]].dates[0].year if project.parcels else DATA_DATE.year  # type: ignore[index]
        sequence[("XM", year)] = sequence.get(("XM", year), 0) + 1
        project.code = f"CZXM-{year}-{sequence[('XM', year)]:04d}"

    # Write.
    write_geojson(OUT / "zones.geojson", "zones", list(zones_ll.values()),
                  {"园区编码": codes, "园区名称": [specs[c].name for c in codes],
                   "园区类别": [specs[c].zone_class for c in codes], "所属辖区": [specs[c].jurisdiction for c in codes]})
    write_geojson(OUT / "districts.geojson", "districts", [shapely.set_precision(to_ll(g), 1e-7)
                                                           for g in districts.values()], {"名称": list(districts)})
    owner = {i: p for p in projects for i in p.parcels}
    rows = sorted(range(len(parcels)), key=lambda i: parcels[i].code)
    (OUT / "parcels.gpkg").unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-06-30T00:00:00Z"})  # same bytes on every run
    pyogrio.raw.write(
        str(OUT / "parcels.gpkg"), np.array([shapely.to_wkb(parcels[i].ll) for i in rows], dtype=object),
        [np.array([parcels[i].code for i in rows], dtype=object),
         np.array([owner[i].code for i in rows], dtype=object),
         np.array([LAND_USE[owner[i].project_type] for i in rows], dtype=object),
         np.array([float(parcels[i].recorded) if parcels[i].recorded else np.nan for i in rows]),
         *(np.array([parcels[i].dates[k] for i in rows], dtype="datetime64[D]") for k in range(3))],  # type: ignore[index]
        ["parcel_code", "project_code", "land_use", "recorded_area_m2", "supply_date", "agreed_start_date",
         "agreed_completion_date"],
        layer="parcels", driver="GPKG", geometry_type="MultiPolygon", crs=f"EPSG:{rules.GEOGRAPHIC_SRID}")
    write_xlsx(OUT / "projects.xlsx", projects)

    # Summary, and the promises the sample keeps.
    inner = {s.code for s in ZONES if s.inside}
    counts = {
        "zones": len(zones_ll), "parcels": len(parcels), "projects": len(projects),
        "projects without parcels": sum(not p.parcels for p in projects),
        "outside every zone": sum(c.zone_code is None for c in choices),
        "straddling (<50% in zone)": sum(c.straddles for c in choices),
        "in a nested inner zone": sum(c.zone_code in inner for c in choices),
        "area mismatch (>1%)": sum(rules.area_mismatch(a, p.recorded) for a, p in zip(geometry_m2, parcels, strict=True)),
        "multi-parcel projects": sum(len(p.parcels) > 1 for p in projects),
    }
    assessed = [s for s in statuses if s in (rules.Status.MEETS, rules.Status.BELOW)]
    share_below = sum(s == rules.Status.BELOW for s in assessed) / len(assessed)
    for name, value in counts.items():
        print(f"{name:28} {value}")
    print(f"{'industrial projects in zones':28} {len(assessed)}, below threshold {share_below:.1%}")
    assert counts["zones"] >= 12 and {s.zone_class for s in ZONES} == set(ZONE_CLASS) and len(inner) >= 2
    assert {s.jurisdiction for s in ZONES} == set(REGION)
    assert all(zones_gk[s.inside].contains(zones_gk[s.code]) for s in ZONES if s.inside)
    outer = [zones_gk[s.code] for s in ZONES if not s.inside]
    assert not any(a.intersects(b) for k, a in enumerate(outer) for b in outer[k + 1:])
    assert counts["parcels"] >= 1500 and counts["projects"] - counts["projects without parcels"] >= 1200
    assert 35 <= counts["outside every zone"] <= 45 and 20 <= counts["straddling (<50% in zone)"] <= 30
    assert 25 <= counts["in a nested inner zone"] <= 40 and 35 <= counts["area mismatch (>1%)"] <= 45
    assert counts["multi-parcel projects"] >= 60 and 0.15 <= share_below <= 0.20
    assert all(not p.extra["spans"] for p in projects if p.parcels)
    assert all(5 <= float(a) / M2_PER_MU <= 200 for a in geometry_m2)
    assert all(p.recorded is None or i in mismatched or abs(p.recorded - a) <= Decimal("0.005") * a
               for i, (a, p) in enumerate(zip(geometry_m2, parcels, strict=True)))
    assert len({p.code for p in parcels}) == len(parcels) and len({p.code for p in projects}) == len(projects)
    stored = np.array([p.ll for p in parcels])
    pairs = shapely.STRtree(stored).query(stored, predicate="overlaps")
    assert pairs.shape[1] == 0, f"{pairs.shape[1]} overlapping parcel pairs"
    assert {p.stage for p in projects} == {"意向", "签约", "预备", "开工", "竣工", "评估"}
    assert 0.80 <= sum(p.project_type == "industrial" for p in projects) / len(projects) <= 0.90


if __name__ == "__main__":
    main()
