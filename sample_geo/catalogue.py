"""The hand-written part of the sample: Changzhou's zones and districts, industries, and how names are made.

Zone names, classes and jurisdictions are real; outlines and positions are rough (about where each zone
lies), drawn here by hand with no external data. Enterprise and project names are fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DZ, IC = "省级以上开发区", "工业集中区"  # 园区类别 as written; the loader's etl.fields.ZONE_CLASSES reads them
# 统计用区划代码 of each jurisdiction (320471: 常州经济开发区), the first part of a 宗地编号.
REGION = {"天宁区": "320402", "钟楼区": "320404", "新北区": "320411", "武进区": "320412",
          "常州经济开发区": "320471", "金坛区": "320413", "溧阳市": "320481"}


@dataclass(frozen=True)
class ZoneSpec:
    code: str
    name: str
    zone_class: str  # 园区类别 as written
    jurisdiction: str
    parts: tuple[tuple[float, float, float], ...]  # (lon, lat, radius km) of each irregular part
    target: int  # parcels to place (whole blocks, so a few more)
    inside: str | None = None  # the larger zone it nests in


ZONES = [ZoneSpec(*row) for row in (
    ("CZ-XB-01", "常州国家高新技术产业开发区", DZ, "新北区", ((119.965, 31.895, 3.5),), 190),
    ("CZ-XB-02", "常州滨江经济开发区", DZ, "新北区", ((119.975, 31.915, 1.0),), 12, "CZ-XB-01"),
    ("CZ-XB-03", "孟河工业集中区", IC, "新北区", ((119.850, 31.975, 1.4),), 60),
    ("CZ-TN-01", "常州天宁经济开发区", DZ, "天宁区", ((120.010, 31.800, 1.6),), 100),
    ("CZ-TN-02", "郑陆工业集中区", IC, "天宁区", ((120.100, 31.855, 1.5),), 60),
    ("CZ-ZL-01", "常州钟楼经济开发区", DZ, "钟楼区", ((119.910, 31.775, 1.8),), 100),
    ("CZ-ZL-02", "邹区工业集中区", IC, "钟楼区", ((119.835, 31.805, 1.4),), 55),
    ("CZ-JK-01", "常州经济开发区", DZ, "常州经济开发区", ((120.110, 31.745, 3.0),), 160),
    ("CZ-JK-02", "遥观工业集中区", IC, "常州经济开发区", ((120.095, 31.730, 0.9),), 10, "CZ-JK-01"),
    ("CZ-WJ-01", "武进国家高新技术产业开发区", DZ, "武进区", ((119.955, 31.670, 3.0),), 180),
    ("CZ-WJ-02", "南夏墅工业集中区", IC, "武进区", ((119.960, 31.650, 0.9),), 10, "CZ-WJ-01"),
    ("CZ-WJ-03", "江苏武进经济开发区", DZ, "武进区", ((119.840, 31.705, 2.3),), 130),
    ("CZ-WJ-04", "雪堰工业集中区", IC, "武进区", ((120.100, 31.570, 1.5),), 60),
    ("CZ-JT-01", "江苏金坛经济开发区", DZ, "金坛区", ((119.570, 31.755, 2.6), (119.625, 31.712, 0.9)), 120),
    ("CZ-JT-02", "直溪工业集中区", IC, "金坛区", ((119.490, 31.845, 1.3),), 50),
    ("CZ-LY-01", "江苏溧阳经济开发区", DZ, "溧阳市", ((119.490, 31.425, 2.6),), 120),
    ("CZ-LY-02", "社渚工业集中区", IC, "溧阳市", ((119.320, 31.355, 1.4),), 50),
)]

# Rough outlines drawn by hand ("lon lat" corners); each is cut by those before it, so none overlap.
DISTRICTS = {
    "天宁区": "119.955 31.765, 120.015 31.76, 120.045 31.79, 120.08 31.815, 120.15 31.83, 120.16 31.88, "
           "120.11 31.9, 120.05 31.87, 119.99 31.835, 119.96 31.81",
    "钟楼区": "119.8 31.76, 119.86 31.745, 119.955 31.75, 119.965 31.765, 119.96 31.81, 119.93 31.82, "
           "119.87 31.83, 119.805 31.825",
    "常州经济开发区": "120.04 31.7, 120.12 31.69, 120.2 31.7, 120.21 31.76, 120.17 31.8, 120.09 31.8, 120.05 31.77",
    "新北区": "119.78 31.83, 119.87 31.83, 119.96 31.81, 119.99 31.835, 120.05 31.87, 120.11 31.9, 120.06 31.96, "
           "120.01 32.0, 119.92 32.05, 119.84 32.04, 119.79 31.98",
    "武进区": "119.7 31.56, 119.8 31.5, 119.95 31.48, 120.1 31.5, 120.2 31.54, 120.22 31.62, 120.2 31.7, "
           "120.04 31.7, 120.05 31.77, 119.955 31.75, 119.86 31.745, 119.8 31.76, 119.72 31.74, 119.69 31.65",
    "金坛区": "119.38 31.62, 119.48 31.56, 119.62 31.58, 119.72 31.64, 119.74 31.76, 119.68 31.88, "
           "119.56 31.93, 119.44 31.9, 119.38 31.8, 119.35 31.7",
    "溧阳市": "119.08 31.3, 119.15 31.18, 119.3 31.15, 119.45 31.2, 119.56 31.3, 119.6 31.42, 119.56 31.52, "
           "119.46 31.57, 119.35 31.56, 119.22 31.5, 119.12 31.42",
}

# 所属行业 → (enterprise name tail, product) pairs: the ten industrial chains of the 2018 policy, then services.
INDUSTRIES = {
    "新能源汽车和关键零部件": (("电驱动科技", "年产{n}万套新能源汽车电驱动系统"),
                     ("汽车部件", "年产{n}万套汽车轻量化铝合金部件")),
    "新一代信息电子": (("电子科技", "年产{n}0万平方米柔性电路板"), ("微电子", "年产{n}亿只片式电感")),
    "新材料": (("新材料科技", "年产{n}亿平方米锂电隔膜"), ("高分子材料", "年产{n}000吨碳纤维复合材料")),
    "智能制造装备": (("机器人科技", "年产{n}00台工业机器人"), ("智能装备", "年产{n}00台（套）智能数控机床")),
    "生物医药": (("医药科技", "年产{n}亿片口服固体制剂"), ("生物科技", "年产{n}0万盒体外诊断试剂"),
             ("医疗器械", "年产{n}00万支医用导管")),
    "新能源": (("光伏科技", "年产{n}GW高效光伏组件"), ("动力电池", "年产{n}GWh动力锂电池"),
            ("储能科技", "年产{n}万套储能系统")),
    "高端装备": (("重工", "年产{n}00台（套）大型压力容器"), ("传动科技", "年产{n}00套风电齿轮箱")),
    "节能环保": (("环保科技", "年产{n}00台（套）工业废气处理设备"), ("节能科技", "年产{n}万台高效节能电机")),
    "轨道交通": (("轨道交通科技", "年产{n}00套轨道交通牵引系统"), ("轨道装备", "年产{n}00辆城轨车辆配套部件")),
    "绿色精品钢": (("特钢", "年产{n}0万吨特种合金钢棒材"), ("精密钢管", "年产{n}万吨精密钢管")),
}
INDUSTRY_WEIGHTS = (14, 12, 14, 14, 8, 12, 10, 7, 5, 4)
SERVICES = {"软件和信息服务": (("软件科技", "研发中心及总部大楼"), ("信息技术", "软件产业园")),
            "现代物流": (("供应链管理", "智慧物流园"), ("物流", "冷链物流中心")),
            "科技服务": (("科技服务", "科技企业孵化器"), ("检测技术", "检验检测服务平台"))}
WORKS = ("标准厂房配套道路工程", "污水处理厂扩建工程", "110千伏变电站工程", "综合管廊工程", "消防站工程")
TRADE_NAME_CHARS = "恒瑞华达新科博泰源辰宏远嘉德盛天中润鼎铭卓越锦安诚信凯隆裕丰"
TYPE_CN = {"industrial": "工业", "service": "服务业", "infrastructure": "基础设施"}
LAND_USE = {"industrial": "工业用地", "service": "商服用地", "infrastructure": "公共设施用地"}


def names(rng: random.Random, project_type: str, district: str, place: str, taken: set[str]
          ) -> tuple[str, str, str]:
    """(所属行业, 企业名称, 项目名称) fitting the project type, the project name unique; `place` names public
    works (a zone, or the district)."""
    if project_type == "infrastructure":
        enterprise = f"常州市{'经开区' if district == '常州经济开发区' else district[:2]}城市建设投资有限公司"
        work = f"{place}{rng.choice(WORKS)}"
        name = next(n for n in (work, *(f"{work}（{p}期）" for p in "二三四五六七八九")) if n not in taken)
        taken.add(name)
        return "基础设施", enterprise, name
    table = INDUSTRIES if project_type == "industrial" else SERVICES
    industry = rng.choices(list(table), INDUSTRY_WEIGHTS if table is INDUSTRIES else None)[0]
    tail, product = rng.choice(table[industry])
    enterprise = ""
    while enterprise in taken | {""}:
        enterprise = (rng.choice(("江苏", "常州")) + "".join(rng.sample(TRADE_NAME_CHARS, 2)) + tail
                      + rng.choice(("有限公司", "有限公司", "股份有限公司")))
    taken.add(enterprise)
    return industry, enterprise, f"{enterprise}{product.format(n=rng.choice((1, 2, 3, 5, 8)))}项目"
