"""The corpus of tests/data/make_corpus.py: what each awkward file gives, and that a refused one changes nothing.

Files that load are checked against the world's answers worked out by hand (tests/world.py): nine parcels,
P1 100 m × 66.6667 m ≈ 6 666.67 m², P3 in the nested cluster WJ-CL, P8 recorded 10 500 m². Files that
are refused must name the problem, and the database must be exactly as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from etl.load import LoadRequest, load
from etl.mapping import load_mapping
from etl.read import ReadOptions
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.data.make_corpus import CASES, make_corpus
from tests.etl.test_load import record, snapshot
from tests.world import POLICY


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    make_corpus(out)
    return out


def options(folder: Path, **given: Any) -> ReadOptions:
    mapping = folder / "mapping.yaml"
    return ReadOptions(mapping=load_mapping(mapping) if mapping.exists() else None, **given)


def test_the_corpus_has_at_least_thirty_cases(corpus: Path) -> None:
    assert len(CASES) >= 30
    assert sorted(p.name for p in corpus.iterdir()) == sorted(CASES)


# name: (file, read options, words of the inference that must be recorded)
PARCEL_FILES: dict[str, tuple[str, dict[str, Any], str]] = {
    "shp_gbk_no_cpg": ("parcels.shp", {}, "no .cpg, code-page byte 0x00: GBK/GB18030 detected"),
    "shp_gbk_codepage_byte": ("parcels.shp", {}, "encoding GB18030 from the DBF code-page byte 0x4D"),
    "shp_utf8_with_cpg": ("parcels.shp", {}, "encoding UTF-8 from its .cpg"),
    "shp_no_prj_zone_prefix": ("parcels.shp", {}, "Gauss-Krüger 3° zone 40 (EPSG:4528"),
    "shp_measured_arcgis": ("parcels.shp", {}, "measures (M) dropped from 9 features; areas are planar"),
    # The seven parameters given: here those of CGCS2000 itself (GRS80, no shift), so the world's answers hold.
    "shp_xian80_prj": ("parcels.shp", {"source_crs": "+proj=tmerc +lon_0=120 +x_0=500000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m"},
                       "with its seven-parameter datum shift (+towgs84) to WGS 84, taken as CGCS2000"),
    "shp_zipped": ("parcels.zip", {}, "GBK/GB18030 detected"),
    "gpkg_two_layers": ("city.gpkg", {"layer": "宗地"}, ""),
    "geojson_lat_lon_swapped": ("parcels.geojson", {}, "lat/lon order: axes swapped"),
    "geojson_gauss_kruger_metres": ("parcels.geojson", {}, "Gauss-Krüger 3° zone 40 (EPSG:4528, zone number in front of the easting)"),
    "kml_parcels": ("parcels.kml", {}, ""),
    "kmz_parcels": ("parcels.kmz", {}, ""),
    "flatgeobuf_parcels": ("parcels.fgb", {}, ""),
    "filegdb_zipped": ("land.gdb.zip", {}, ""),
    "dxf_layers_give_codes": ("parcels.dxf", {}, "9 closed CAD polylines read as polygons"),
    "csv_wkt_parcels": ("parcels.csv", {}, "geometry from its WKT column WKT"),
    "xlsx_wkt_gk_no_prefix": ("parcels.xlsx", {"central_meridian": 120}, "central meridian 120°E (MUJUN_GK_CENTRAL_MERIDIAN) → EPSG:4549"),
    "gcj02_parcels": ("parcels.geojson", {"source_crs": "gcj02"}, "declared GCJ-02 (--from gcj02): converted to WGS84"),
}


@pytest.mark.parametrize("name", PARCEL_FILES)
def test_parcels_in_every_format_load_with_the_world_answers(name: str, corpus: Path, empty_db: str, engine: Engine,
                                                             world: LoadRequest) -> None:
    file, given, inference = PARCEL_FILES[name]
    folder = corpus / name
    request = LoadRequest(zones=world.zones, projects=world.projects, parcels=folder / file,
                          read_options={"parcels": options(folder, **given)})
    result = load(empty_db, request, POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["parcels"]["inserted"] == 9
    assert not inference or any(inference in note for note in result.inferences), result.inferences
    # Within 0.05 m²: FileGDB stores coordinates on a grid of 1e-9°, about 0.1 mm on a 700 m boundary.
    p1, p3 = record(engine, "P1"), record(engine, "P3")
    assert (p1["area_m2"], p3["zone_code"], p3["area_m2"]) == (pytest.approx(6666.67, abs=0.05), "WJ-CL", pytest.approx(30000, abs=0.05))
    if name != "dxf_layers_give_codes":  # a CAD drawing carries the codes only
        assert (p1["project_code"], p1["status"]) == ("A", "meets")
    if name.startswith("shp_gbk") or name == "shp_zipped":  # values came through GBK, not garbled
        assert record(engine, "P8")["recorded_area_m2"] == 10500.0
        with psycopg.connect(empty_db) as conn:
            assert conn.execute("SELECT land_use FROM parcels WHERE parcel_code = 'P2'").fetchone() == ("工业用地",)
    with psycopg.connect(empty_db) as conn:
        (inferences,) = conn.execute("SELECT inferences FROM loads").fetchone()  # type: ignore[misc]
    assert inferences == result.inferences


def test_projects_with_own_headers_units_and_gbk(corpus: Path, empty_db: str, engine: Engine, world: LoadRequest) -> None:
    # 投资额(亿元) 0.4 → 4 000 万元 on P1's 10 亩: 400, meets; B 0.3999 亿元 → 3 999: 399.9, below.
    folder = corpus / "mapping_own_headers"
    result = load(empty_db, LoadRequest(zones=world.zones, parcels=world.parcels, projects=folder / "projects.xlsx",
                                        read_options={"projects": options(folder)}), POLICY, RuleSettings(), actor=SHELL)
    assert (record(engine, "P1")["intensity_wan_per_mu"], record(engine, "P2")["intensity_wan_per_mu"]) == (400.0, 399.9)
    assert any("编号: mapped to project_code by the field-mapping file" in note for note in result.inferences)
    # "0.4亿元", "39990000元", "9000万元", "5,400" in the values: the same 4 000, 3 999, 9 000, 5 400 万元.
    load(empty_db, LoadRequest(projects=corpus / "units_in_values" / "projects.xlsx"), POLICY, RuleSettings(), actor=SHELL)
    assert [record(engine, code)["total_investment_wan"] for code in ("P1", "P2", "P3", "P4")] == [4000.0, 3999.0, 9000.0, 5400.0]
    result = load(empty_db, LoadRequest(projects=corpus / "csv_gbk_projects" / "projects.csv"), POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["projects"]["unchanged"] == 8  # the same projects, read from GBK text
    assert any("encoding GBK/GB18030 detected" in note for note in result.inferences)
    result = load(empty_db, LoadRequest(projects=corpus / "xlsx_two_sheets" / "projects.xlsx"), POLICY, RuleSettings(), actor=SHELL)
    assert any("sheet 项目 read, the first of 项目, 说明" in note for note in result.inferences)
    # An office's form: the same 8 projects under a title, a form line, a two-row header, with a 合计 row below.
    result = load(empty_db, LoadRequest(projects=corpus / "xlsx_official_form" / "projects.xlsx"), POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["projects"]["read"] == 8 and result.counts["projects"]["updated"] == 8  # 其中：设备投资 is kept too
    assert (record(engine, "P1")["intensity_wan_per_mu"], record(engine, "P2")["intensity_wan_per_mu"]) == (400.0, 399.9)
    assert [n.split(": ", 1)[1].split(" / ")[0] for n in result.inferences if "projects.xlsx: row" in n] == [
        "row 1 read as a title above the header: 常州市工业项目投资情况表",
        "row 2 read as a title above the header: 填报单位：武进区商务局；填报日期：2024年3月1日",
        "rows 3–4 read as one header (cells merged over two rows); a column is named by its lower cell where it has one",
        "row 13 is a totals row (合计), not data: not read"]


def test_area_units_and_chinese_dates(corpus: Path, empty_db: str, engine: Engine, world: LoadRequest) -> None:
    # 0.666667 公顷 = 6 666.67 m²; 10 亩 = 100 000 / 15 = 6 666.67 m²; 1.05 公顷 = 10 500 m².
    load(empty_db, LoadRequest(zones=world.zones, projects=world.projects, parcels=corpus / "area_units" / "parcels.xlsx"),
         POLICY, RuleSettings(), actor=SHELL)
    assert [record(engine, c)["recorded_area_m2"] for c in ("P1", "P2", "P8")] == [6666.67, 6666.67, 10500.0]
    load(empty_db, LoadRequest(parcels=corpus / "chinese_dates" / "parcels.xlsx"), POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        dates = conn.execute("SELECT supply_date FROM parcels WHERE parcel_code IN ('P1','P2','P3','P4')").fetchall()
    assert dates == [(dt.date(2023, 5, 1),)] * 4  # Excel serial 45047 is 2023-05-01 too


def test_a_repaired_geometry_is_a_warning_and_flagged(corpus: Path, empty_db: str, engine: Engine, world: LoadRequest) -> None:
    result = load(empty_db, LoadRequest(zones=world.zones, projects=world.projects,
                                        parcels=corpus / "bowtie_repaired" / "parcels.geojson"), POLICY, RuleSettings(), actor=SHELL)
    repaired = [w.message("en") for w in result.warnings if "make_valid" in w.message("en")]
    assert len(repaired) == 1 and repaired[0].startswith("parcels.geojson, 要素 feature 9, field geometry: value 'Self-intersection")
    assert "geometry_repaired" in record(engine, "P9")["flags"]


# name: (kind, file, read options, the words every refusal must carry)
REFUSED: dict[str, tuple[str, str, dict[str, Any], list[str]]] = {
    "gpkg_two_layers": ("parcels", "city.gpkg", {}, ["city.gpkg, 文件 file, field --layer: the file holds several layers; choose one "
                                                     "with --layer: 宗地, 园区"]),
    "gpkg_bad_layer_name": ("parcels", "city.gpkg", {"layer": "地块"}, ["field --layer: value '地块', no such layer; expected one of: 宗地, 园区"]),
    "gk_no_prefix_no_prj": ("parcels", "parcels.shp", {}, [
        "parcels.shp, 文件 file, field geometry: value 'x 495100.000 … 500100.000, y 3520000.000 … 3521250.000', no CRS is declared "
        "and the coordinates look like Gauss-Krüger without a zone number, but the central meridian is unknown: give --crs EPSG:… "
        "(EPSG:4549 for 120°E) or set MUJUN_GK_CENTRAL_MERIDIAN"]),
    "unknown_crs_local_units": ("zones", "zones.gpkg", {}, [
        "zones.gpkg, 文件 file, field geometry: value 'x 0.000 … 10.000, y 0.000 … 10.000', no CRS is declared and the coordinates "
        "are neither lon/lat inside China nor Gauss-Krüger: give --crs EPSG:…, or --from gcj02 for Gaode/Tencent coordinates"]),
    # 100-byte header + 9 records of 8 + 128 bytes (a 5-point ring) = 1 324 bytes promised by the .shx.
    "shp_xian80_prj": ("parcels", "parcels.shp", {}, [
        "parcels.shp, 文件 file: value 'Xian 1980 / 3-degree Gauss-Kruger CM 120E (Xian 1980)', the CRS is on the Xian 1980 datum, "
        "and no transformation from it to CGCS2000 is known: read as they are, the coordinates would be tens of metres off. "
        "Give --crs with its seven parameters (+towgs84=…"]),
    "truncated_shp": ("parcels", "parcels.shp", {}, ["parcels.shp, 文件 file: value '150 bytes', cannot be read: the .shp file is "
                                                     "shorter than its index (.shx) says (truncated; 1324 bytes expected)"]),
    "corrupt_gpkg": ("parcels", "parcels.gpkg", {}, ["parcels.gpkg, 文件 file: cannot be read"]),
    "truncated_geojson": ("parcels", "parcels.geojson", {}, ["parcels.geojson, 文件 file: cannot be read"]),
    "corrupt_xlsx": ("projects", "projects.xlsx", {}, ["projects.xlsx, 文件 file: cannot be read"]),
    "zip_path_traversal": ("parcels", "parcels.zip", {}, ["parcels.zip, 文件 file: value '../../parcels.shp', the archive holds an unsafe path"]),
    "zip_bomb": ("parcels", "parcels.zip", {}, ["parcels.zip, 文件 file: value 'parcels.dbf', the archive unzips too large or too "
                                               "compressed (cap 8192 MB, ratio 200): a zip bomb is refused"]),
    "empty_and_line_geometries": ("parcels", "parcels.geojson", {}, [
        "parcels.geojson, 要素 feature 1, field geometry: the geometry is empty",
        "parcels.geojson, 要素 feature 2, field geometry: value 'LineString', expected a polygon (Polygon/MultiPolygon)"]),
    "gpkg_ring_not_closed": ("parcels", "parcels.gpkg", {}, [
        "parcels.gpkg, 要素 feature 3, field geometry: the geometry cannot be read: its bytes are incomplete, or a ring is not "
        "closed (its last point must repeat its first) or has fewer than 4 points"]),
    "duplicate_codes": ("parcels", "parcels.geojson", {}, [
        "parcels.geojson, 要素 feature 4, field parcel_code: value 'P2', duplicate code (same as 要素 feature 2)"]),
    "bad_amounts_stage_currency": ("projects", "projects.xlsx", {}, [
        "projects.xlsx, 行 row 2, field 总投资(万元): value '-100', must not be negative (10,000 CNY)",
        "projects.xlsx, 行 row 3, field 总投资(万元): value '三千万', expected a number (10,000 CNY)",
        "projects.xlsx, 行 row 4, field 项目阶段: value '施工中', expected one of",
        "projects.xlsx, 行 row 5, field 币种: value 'USD', a USD investment needs a configured rate and its date"]),
    "unknown_zone_class": ("zones", "zones.geojson", {}, ["zones.geojson, 要素 feature 2, field 园区类别: value '市级园区', expected one of"]),
    "missing_required_field": ("parcels", "parcels.geojson", {}, [
        "parcels.geojson, 表头 header, field parcel_code: required field is missing (parcel_code / 宗地编号 / 宗地代码)"]),
    "value_unit_of_wrong_kind": ("projects", "projects.xlsx", {}, ["projects.xlsx, 行 row 2, field 总投资(万元): value '35亩', expected a number"]),
    "xlsx_code_rounded_by_excel": ("projects", "projects.xlsx", {}, [
        "projects.xlsx, 行 row 2, field 项目编号: value '3.204122023000012e+17', a code stored as a number of more than 15 digits"]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_file_names_the_problem_and_changes_nothing(name: str, corpus: Path, empty_db: str, world: LoadRequest) -> None:
    kind, file, given, expected = REFUSED[name]
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    before = snapshot(empty_db)
    request = LoadRequest(**{kind: corpus / name / file}, read_options={kind: ReadOptions(**given)})
    with pytest.raises(InputError) as caught:
        load(empty_db, request, POLICY, RuleSettings(), actor=SHELL)
    messages = [p.message("en") for p in caught.value.problems]
    for words in expected:
        assert any(words in message for message in messages), (words, messages)
    assert all(p.message("zh") != p.message("en") for p in caught.value.problems)  # both languages are said
    assert snapshot(empty_db) == before


def test_a_mapping_file_naming_unknown_kinds_or_fields_is_refused(corpus: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_mapping(corpus / "mapping_names_unknown_field" / "mapping.yaml")
    messages = [p.message("en") for p in caught.value.problems]
    assert messages[0].startswith("mapping.yaml, 类别 kind projects, field 投资额: value 'investment', the field must be one of: ")
    assert messages[1] == "mapping.yaml, 类别 kind buildings: value 'buildings', the kind must be one of: zones, parcels, projects, constraints, monthly, batches, evaluation"
