"""Loading files into PostGIS: rule results worked out by hand, idempotence, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyogrio
import pytest
import shapely
from sqlalchemy import Engine, text

from etl.load import LoadRequest, load
from layers.records import parcel_by_code
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL, UNSCOPED
from tests.geodata import X0, Y0, gk_rect, write_geojson, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_parcels, world_projects, world_zones


def run(conninfo: str, request: LoadRequest) -> Any:
    return load(conninfo, request, POLICY, RuleSettings(), actor=SHELL)


def snapshot(conninfo: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(conninfo) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("zones", "projects", "parcels", "loads", "policies")
        }


def record(engine: Engine, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = parcel_by_code(conn, UNSCOPED, code)
    assert found is not None
    return found


def test_rules_applied_to_loaded_parcels(empty_db: str, engine: Engine, world: LoadRequest) -> None:
    result = run(empty_db, world)
    assert result.counts["parcels"] == {"read": 9, "inserted": 9, "updated": 0, "unchanged": 0}

    p1, p2 = record(engine, "P1"), record(engine, "P2")
    assert (p1["zone_code"], p1["threshold_wan_per_mu"], p1["intensity_wan_per_mu"], p1["status"]) == (
        "WJ-DZ", 400.0, 400.0, "meets")
    assert p1["area_m2"] == pytest.approx(6666.67, abs=0.01) and p1["area_mu"] == pytest.approx(10.000005)
    assert (p2["intensity_wan_per_mu"], p2["status"], p2["shortfall_wan"]) == (399.9, "below", 1.0)

    # Nested: the cluster (350) wins over the zone around it; 9000 / 45 = 200; 350 × 45 − 9000 = 6750.
    p3 = record(engine, "P3")
    assert (p3["zone_code"], p3["zone_name"], p3["threshold_wan_per_mu"]) == ("WJ-CL", "雪堰工业集中区", 350.0)
    assert (p3["area_mu"], p3["intensity_wan_per_mu"], p3["ratio"], p3["band"]) == (45.0, 200.0, 0.5714, "far_below")
    assert p3["shortfall_wan"] == 6750.0

    # Two parcels, one project: 9 + 6 = 15 亩, 5400 / 15 = 360, shortfall 400 × 15 − 5400 = 600 on each.
    for code, area_mu in (("P4", 9.0), ("P5", 6.0)):
        parcel = record(engine, code)
        assert parcel["area_mu"] == area_mu and parcel["project_area_mu"] == 15.0 and parcel["parcel_count"] == 2
        assert (parcel["intensity_wan_per_mu"], parcel["shortfall_wan"], parcel["status"]) == (360.0, 600.0, "below")

    p6 = record(engine, "P6")  # 0.4 of it in the zone: straddles; 12000 / 30 亩 = 400 meets
    assert (p6["zone_code"], p6["status"], p6["intensity_wan_per_mu"]) == ("WJ-DZ", "meets", 400.0)
    assert "straddles_zones" in p6["flags"]

    p7 = record(engine, "P7")
    assert (p7["zone_code"], p7["status"], p7["threshold_wan_per_mu"], p7["band"]) == (None, "outside_zone", None, "none")

    # Recorded 10 500 m² = 15.75 亩 is the official area: 5000 / 15.75 = 317.46 against Liyang's 350;
    # ratio 0.9070, shortfall 350 × 15.75 − 5000 = 512.50; 5% off the drawn 10 000 m² → area_mismatch.
    p8 = record(engine, "P8")
    assert (p8["threshold_wan_per_mu"], p8["area_mu"], p8["intensity_wan_per_mu"]) == (350.0, 15.75, 317.46)
    assert (p8["ratio"], p8["band"], p8["shortfall_wan"], p8["flags"]) == (0.907, "below", 512.5, ["area_mismatch"])

    p9 = record(engine, "P9")
    assert (p9["project_type"], p9["status"], p9["threshold_wan_per_mu"]) == ("service", "not_assessed", None)


def test_a_first_load_writes_rows_frozen_into_tables_of_its_own(empty_db: str, world: LoadRequest) -> None:
    with psycopg.connect(empty_db) as conn:
        files_before = dict(conn.execute("SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(%s)",
                                         [["zones", "projects", "parcels"]]).fetchall())
    run(empty_db, world)
    with psycopg.connect(empty_db) as conn:
        for table in ("zones", "projects", "parcels"):
            row = conn.execute("SELECT relfilenode, relpages, relallvisible FROM pg_class WHERE oid = %s::regclass", [table]).fetchone()
            assert row is not None
            file_node, pages, all_visible = row
            # Truncated in the load's transaction (a new file, which a server at wal_level=minimal writes
            # without WAL), and COPY FREEZE: every page visible to all, with no later pass to mark them.
            assert file_node != files_before[table]
            assert pages > 0 and all_visible == pages, table


def test_loading_the_same_files_again_changes_nothing(empty_db: str, world: LoadRequest) -> None:
    run(empty_db, world)
    before = snapshot(empty_db)
    again = run(empty_db, world)
    after = snapshot(empty_db)
    for table in ("zones", "projects", "parcels"):
        assert again.counts[table]["unchanged"] == again.counts[table]["read"]
        assert after[table] == before[table]
    assert again.counts["assessed"] == {"changed": 0}
    assert len(after["loads"]) == 2  # the load itself is recorded


def test_changed_investment_recomputes_that_project(empty_db: str, engine: Engine, world: LoadRequest,
                                                    tmp_path: Path) -> None:
    run(empty_db, world)
    projects = write_xlsx(tmp_path / "projects2.xlsx", PROJECT_HEADER, world_projects(B=4000, D=6000))
    result = run(empty_db, LoadRequest(projects=projects))
    assert result.counts["projects"]["updated"] == 2
    assert record(engine, "P2")["status"] == "meets"
    assert (record(engine, "P4")["status"], record(engine, "P5")["shortfall_wan"]) == ("meets", 0.0)
    assert record(engine, "P3")["status"] == "below"


def test_investment_in_yi_yuan_is_converted(empty_db: str, engine: Engine, world: LoadRequest, tmp_path: Path) -> None:
    header = [*PROJECT_HEADER[:5], "总投资（亿元）", "项目阶段"]
    rows = [[*row[:5], D(row[5]) / 10000, row[6]] for row in world_projects()]
    run(empty_db, LoadRequest(zones=world.zones, parcels=world.parcels,
                              projects=write_xlsx(tmp_path / "yi.xlsx", header, rows)))
    assert record(engine, "P1")["total_investment_wan"] == 4000.0  # 0.4 亿元


def test_a_file_with_errors_loads_nothing_and_names_each_problem(empty_db: str, world: LoadRequest,
                                                                 tmp_path: Path) -> None:
    run(empty_db, world)
    before = snapshot(empty_db)
    parcels = world_parcels()
    parcels[2][0]["recorded_area_m2"] = -5
    parcels[4] = ({**parcels[4][0], "parcel_code": "P1"}, parcels[4][1])
    parcels[6] = (parcels[6][0], shapely.LineString([(119.9, 31.8), (119.91, 31.81)]))
    bad = write_geojson(tmp_path / "bad_parcels.geojson", parcels)
    projects = write_xlsx(tmp_path / "bad_projects.xlsx", PROJECT_HEADER,
                          [*world_projects(), ["X", "x", "x", "x", "工业", "很多", "施工中"]])
    with pytest.raises(InputError) as caught:
        run(empty_db, LoadRequest(zones=world.zones, parcels=bad, projects=projects))
    messages = [p.message("en") for p in caught.value.problems]
    assert "bad_parcels.geojson, 要素 feature 3, field recorded_area_m2: value '-5.0', must not be negative (m²)" in messages
    assert any(m.startswith("bad_parcels.geojson, 要素 feature 5, field parcel_code: value 'P1', duplicate code") for m in messages)
    assert "bad_parcels.geojson, 要素 feature 7, field geometry: value 'LineString', expected a polygon (Polygon/MultiPolygon)" in messages
    assert any(m.startswith("bad_projects.xlsx, 行 row 10, field 总投资(万元): value '很多', expected a number") for m in messages)
    assert any(m.startswith("bad_projects.xlsx, 行 row 10, field 项目阶段: value '施工中', expected one of") for m in messages)
    assert snapshot(empty_db) == before


def test_a_failure_inside_the_database_rolls_the_whole_load_back(empty_db: str, world: LoadRequest,
                                                                 tmp_path: Path) -> None:
    run(empty_db, world)
    before = snapshot(empty_db)
    # A real failure after zones and projects were written: a trigger refuses one parcel row.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION refuse_p9() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "IF NEW.parcel_code = 'P9' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER refuse_p9 BEFORE INSERT OR UPDATE ON parcels FOR EACH ROW EXECUTE FUNCTION refuse_p9()")
    try:
        zones = world_zones()
        zones[0][0]["园区名称"] = "改名的开发区"
        parcels = world_parcels()
        parcels[8] = (parcels[8][0], gk_rect(700, 100, 120, 100))
        request = LoadRequest(zones=write_geojson(tmp_path / "z2.geojson", zones),
                              parcels=write_geojson(tmp_path / "p2.geojson", parcels),
                              projects=write_xlsx(tmp_path / "x2.xlsx", PROJECT_HEADER, world_projects(A=1)))
        with pytest.raises(psycopg.errors.RaiseException):
            run(empty_db, request)
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("DROP TRIGGER refuse_p9 ON parcels")
            conn.execute("DROP FUNCTION refuse_p9()")
    assert snapshot(empty_db) == before


def test_a_zone_file_in_gauss_kruger_is_reprojected(empty_db: str, engine: Engine, world: LoadRequest,
                                                    tmp_path: Path) -> None:
    # The same zones, written in EPSG:4549 metres into a GeoPackage that declares its CRS.
    path = tmp_path / "zones_gk.gpkg"
    rects = [shapely.box(X0, Y0, X0 + 2000, Y0 + 2000), shapely.box(X0 + 1000, Y0 + 1000, X0 + 1500, Y0 + 1500),
             shapely.box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000)]
    props = [p for p, _ in world_zones()]
    fields = list(props[0])
    pyogrio.raw.write(path, shapely.to_wkb(np.array(rects)), [np.array([p[f] for p in props]) for f in fields],
                      fields=fields, crs="EPSG:4549", driver="GPKG", geometry_type="Polygon")
    result = run(empty_db, LoadRequest(zones=path, parcels=world.parcels, projects=world.projects))
    assert any("EPSG:4490" in note for note in result.inferences)
    assert record(engine, "P3")["zone_code"] == "WJ-CL"
    with engine.connect() as conn:
        area = conn.execute(text("SELECT area_m2 FROM zones WHERE zone_code = 'WJ-DZ'")).scalar_one()
    assert area == D("4000000.00")  # 2 km × 2 km


def test_a_file_without_crs_is_refused(empty_db: str, tmp_path: Path) -> None:
    # Local drawing units (0–10): neither lon/lat in China nor Gauss-Krüger, so the CRS cannot be known.
    path = tmp_path / "no_crs.gpkg"
    pyogrio.raw.write(path, shapely.to_wkb(np.array([shapely.box(0, 0, 10, 10)])), [np.array(["Z"])],
                      fields=["zone_code"], crs=None, driver="GPKG", geometry_type="Polygon")
    with pytest.raises(InputError) as caught:
        run(empty_db, LoadRequest(zones=path))
    assert any("no CRS is declared" in p.message("en") and "--crs EPSG:" in p.message("en") for p in caught.value.problems)
    assert snapshot(empty_db)["zones"] == []


def test_shapefile_parcels_and_csv_projects(empty_db: str, engine: Engine, world: LoadRequest, tmp_path: Path) -> None:
    # The world's parcels as a Shapefile with Chinese field names in GBK (declared in .cpg: a UTF-8 name of
    # four characters would not fit the 10 bytes of a DBF field name) and projects as CSV.
    parcels = world_parcels()
    shp = tmp_path / "parcels.shp"
    pyogrio.raw.write(
        shp, shapely.to_wkb(np.array([g for _, g in parcels])),
        [np.array([p["parcel_code"] for p, _ in parcels]), np.array([p["project_code"] for p, _ in parcels]),
         np.array([p["recorded_area_m2"] if p["recorded_area_m2"] else np.nan for p, _ in parcels])],
        fields=["宗地编号", "项目编号", "出让面积"], crs="EPSG:4490", driver="ESRI Shapefile", geometry_type="Polygon",
        encoding="GBK",
    )
    csv = tmp_path / "projects.csv"
    csv.write_text("\n".join(",".join(map(str, row)) for row in [PROJECT_HEADER, *world_projects()]), encoding="utf-8-sig")
    result = run(empty_db, LoadRequest(zones=world.zones, parcels=shp, projects=csv))
    assert result.counts["parcels"]["inserted"] == 9 and result.counts["projects"]["inserted"] == 8
    p2 = record(engine, "P2")
    assert (p2["recorded_area_m2"], p2["intensity_wan_per_mu"], p2["status"]) == (6666.67, 399.9, "below")
    assert any("出让面积 has no unit" in note for note in result.inferences)


@pytest.mark.parametrize("code", ["B2024", "B\\2024", "武进B2024"])
def test_missing_investment_and_a_code_with_a_backslash(empty_db: str, engine: Engine, world: LoadRequest, tmp_path: Path,
                                                        code: str) -> None:
    # Stored projects are read back packed in bytes with their byte lengths: NULL investments, escaped characters and
    # Chinese (three bytes a character) must come back as they are.
    rows = world_projects()
    rows[0][5] = None
    rows[1][0] = code
    parcels = world_parcels()
    parcels[1][0]["project_code"] = code
    run(empty_db, LoadRequest(zones=world.zones, parcels=write_geojson(tmp_path / "p.geojson", parcels),
                              projects=write_xlsx(tmp_path / "x.xlsx", PROJECT_HEADER, rows)))
    p1, p2 = record(engine, "P1"), record(engine, "P2")
    assert (p1["status"], p1["flags"], p1["intensity_wan_per_mu"]) == ("not_assessed", ["missing_investment"], None)
    assert (p2["project_code"], p2["intensity_wan_per_mu"], p2["status"]) == (code, 399.9, "below")
