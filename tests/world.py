"""A small world of zones, parcels and projects drawn in the Gauss-Krüger plane, with known answers."""

from __future__ import annotations

from typing import Any

from mujun.policy import load_policy
from tests.geodata import gk_rect

POLICY = load_policy("changzhou-2018")
PROJECT_HEADER = ["项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "项目阶段"]


def world_zones() -> list[tuple[dict[str, Any], Any]]:
    """A 2 km × 2 km development zone (400) holding a 500 m cluster (350), and a Liyang zone (350)."""
    return [
        ({"园区编码": "WJ-DZ", "园区名称": "武进国家高新技术产业开发区", "园区类别": "省级以上开发区", "所属辖区": "武进区"},
         gk_rect(0, 0, 2000, 2000)),
        ({"园区编码": "WJ-CL", "园区名称": "雪堰工业集中区", "园区类别": "工业集中区", "所属辖区": "武进区"},
         gk_rect(1000, 1000, 500, 500)),
        ({"园区编码": "LY-DZ", "园区名称": "江苏溧阳经济开发区", "园区类别": "省级以上开发区", "所属辖区": "溧阳市"},
         gk_rect(3000, 0, 1000, 1000)),
    ]


def world_parcels() -> list[tuple[dict[str, Any], Any]]:
    def parcel(code: str, project: str, geom: Any, recorded: float | None = None) -> tuple[dict[str, Any], Any]:
        return {"parcel_code": code, "project_code": project, "land_use": "工业用地", "recorded_area_m2": recorded}, geom

    return [
        parcel("P1", "A", gk_rect(100, 100, 100, 66.6667), 6666.67),  # 10 亩
        parcel("P2", "B", gk_rect(300, 100, 100, 66.6667), 6666.67),  # 10 亩
        parcel("P3", "C", gk_rect(1100, 1100, 200, 150)),  # 30 000 m² = 45 亩, inside the nested cluster
        parcel("P4", "D", gk_rect(500, 500, 60, 100)),  # 6 000 m² = 9 亩
        parcel("P5", "D", gk_rect(560, 500, 40, 100)),  # 4 000 m² = 6 亩
        parcel("P6", "E", gk_rect(1920, 0, 200, 100)),  # 20 000 m², 8 000 of them in the zone: 0.4
        parcel("P7", "F", gk_rect(5000, 0, 100, 100)),  # in no zone
        parcel("P8", "G", gk_rect(3100, 100, 100, 100), 10500.0),  # 10 000 m² drawn, 10 500 recorded
        parcel("P9", "H", gk_rect(700, 100, 100, 100)),  # a service project
    ]


def world_projects(**investment: int) -> list[list[Any]]:
    amounts = {"A": 4000, "B": 3999, "C": 9000, "D": 5400, "E": 12000, "F": 100, "G": 5000, "H": 100} | investment
    types = {"H": "服务业"}
    return [[code, f"项目{code}", f"企业{code}", "新材料", types.get(code, "工业"), amount, "开工"]
            for code, amount in amounts.items()]
