"""Loading constraint layers (三区三线): fields in English or Chinese, areas by hand, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import psycopg
import pytest
import shapely

from etl.check import check_constraints
from etl.fields import CONSTRAINT_TYPES
from etl.load import LoadRequest, load
from etl.read import read_features
from mujun.errors import InputError
from mujun.settings import RuleSettings
from mujun.siting import ConstraintType
from tests.access import SHELL
from tests.conftest import SAMPLE
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects

TABLES = ("zones", "projects", "parcels", "constraints", "loads")


def constraint_features() -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"约束编码": "NT-1", "约束类型": "永久基本农田", "名称": "前黄片"}, gk_rect(250, 200, 300, 400)),  # 120 000 m²
        ({"约束编码": "HX-1", "约束类型": "生态保护红线"}, gk_rect(280, 430, 100, 100)),  # 10 000 m²
        ({"约束编码": "KF-1", "约束类型": "城镇开发边界"}, gk_rect(-500, -500, 700, 3000)),  # 2 100 000 m²
    ]


def run(conninfo: str, request: LoadRequest) -> Any:
    return load(conninfo, request, POLICY, RuleSettings(), actor=SHELL)


def snapshot(conninfo: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(conninfo) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}


def stored(conninfo: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT code, constraint_type, area_m2, attributes, ST_GeometryType(geom), ST_SRID(geom) "
                            "FROM constraints ORDER BY code").fetchall()


def test_constraints_load_with_chinese_fields_and_values(empty_db: str, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "constraints.geojson", constraint_features())
    result = run(empty_db, LoadRequest(constraints=path))
    assert result.counts["constraints"] == {"read": 3, "inserted": 3, "updated": 0, "unchanged": 0}
    # Areas in the Gauss-Krüger plane: 300 × 400, 100 × 100, 700 × 3 000 m².
    assert stored(empty_db) == [
        ("HX-1", "ecological_redline", D("10000.00"), {}, "ST_MultiPolygon", 4490),
        ("KF-1", "urban_development_boundary", D("2100000.00"), {}, "ST_MultiPolygon", 4490),
        ("NT-1", "permanent_farmland", D("120000.00"), {"名称": "前黄片"}, "ST_MultiPolygon", 4490),
    ]


def test_english_fields_and_values_and_reloading_changes_nothing(empty_db: str, tmp_path: Path) -> None:
    features = [({"code": "NT-1", "constraint_type": "permanent_farmland"}, gk_rect(0, 0, 100, 100)),
                ({"code": "KF-1", "constraint_type": "Urban_Development_Boundary"}, gk_rect(0, 0, 500, 500))]
    path = write_geojson(tmp_path / "en.geojson", features)
    run(empty_db, LoadRequest(constraints=path))
    before = snapshot(empty_db)["constraints"]
    again = run(empty_db, LoadRequest(constraints=path))
    assert again.counts["constraints"] == {"read": 2, "inserted": 0, "updated": 0, "unchanged": 2}
    assert snapshot(empty_db)["constraints"] == before
    assert [row[:3] for row in stored(empty_db)] == [("KF-1", "urban_development_boundary", D("250000.00")),
                                                      ("NT-1", "permanent_farmland", D("10000.00"))]


def test_a_constraint_file_with_errors_loads_nothing_and_names_each_problem(empty_db: str, world: LoadRequest,
                                                                           tmp_path: Path) -> None:
    run(empty_db, LoadRequest(zones=world.zones, constraints=write_geojson(tmp_path / "c.geojson", constraint_features())))
    before = snapshot(empty_db)
    features = constraint_features()
    features[0][0]["约束类型"] = "基本农田保护区"
    features[1][0]["约束编码"] = "NT-1"
    bad = write_geojson(tmp_path / "bad_constraints.geojson", features)
    with pytest.raises(InputError) as caught:
        run(empty_db, LoadRequest(projects=world.projects, constraints=bad))
    messages = [p.message("en") for p in caught.value.problems]
    assert any(m.startswith("bad_constraints.geojson, 要素 feature 1, field 约束类型: value '基本农田保护区', expected one of")
               for m in messages)
    assert any(m.startswith("bad_constraints.geojson, 要素 feature 2, field code: value 'NT-1', duplicate code")
               for m in messages)
    point = constraint_features()
    point[2] = (point[2][0], shapely.Point(gk_rect(0, 0, 1, 1).centroid))
    with pytest.raises(InputError) as caught:
        run(empty_db, LoadRequest(constraints=write_geojson(tmp_path / "point.geojson", point)))
    assert [p.message("en") for p in caught.value.problems] == [
        "point.geojson, 要素 feature 3, field geometry: value 'Point', expected a polygon (Polygon/MultiPolygon)"]
    assert snapshot(empty_db) == before


def test_a_constraint_file_without_its_type_field_is_refused(empty_db: str, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "no_type.geojson", [({"约束编码": "NT-1"}, gk_rect(0, 0, 10, 10))])
    with pytest.raises(InputError) as caught:
        run(empty_db, LoadRequest(constraints=path))
    assert any("required field is missing (constraint_type / 约束类型)" in p.message("en") for p in caught.value.problems)
    assert snapshot(empty_db)["constraints"] == []


def test_a_failure_writing_constraints_rolls_the_whole_load_back(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    first = write_geojson(tmp_path / "c1.geojson", constraint_features())
    run(empty_db, LoadRequest(zones=world.zones, parcels=world.parcels, projects=world.projects, constraints=first))
    before = snapshot(empty_db)
    # A changed investment is written first, then a trigger refuses one new constraint row.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION refuse_hx() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "IF NEW.code = 'HX-2' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER refuse_hx BEFORE INSERT OR UPDATE ON constraints FOR EACH ROW "
                     "EXECUTE FUNCTION refuse_hx()")
    try:
        features = constraint_features()
        features[0] = (features[0][0], gk_rect(250, 200, 300, 500))
        features.append(({"约束编码": "HX-2", "约束类型": "生态保护红线"}, gk_rect(5000, 5000, 100, 100)))
        request = LoadRequest(zones=world.zones, parcels=world.parcels,
                              projects=write_xlsx(tmp_path / "x2.xlsx", PROJECT_HEADER, world_projects(A=1)),
                              constraints=write_geojson(tmp_path / "c2.geojson", features))
        with pytest.raises(psycopg.errors.RaiseException):
            run(empty_db, request)
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("DROP TRIGGER refuse_hx ON constraints")
            conn.execute("DROP FUNCTION refuse_hx()")
    assert snapshot(empty_db) == before


def test_the_sample_constraints_check_clean() -> None:
    checked = check_constraints(read_features(SAMPLE / "constraints.geojson"))
    assert (checked.errors, checked.warnings) == ([], [])
    kinds = [record["constraint_type"] for record in checked.records]
    assert kinds.count("ecological_redline") == 3
    assert kinds.count("permanent_farmland") >= 20 and kinds.count("urban_development_boundary") >= 5


def test_every_type_read_is_a_type_the_siting_review_knows() -> None:
    assert set(CONSTRAINT_TYPES.values()) == {t.value for t in ConstraintType}
