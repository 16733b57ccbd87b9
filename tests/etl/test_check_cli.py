"""`mujun check FILES…` and the read options of `mujun load`, run as a user runs them (in a C locale too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.load import LoadRequest
from geo_api.cli import app
from tests.conftest import SAMPLE
from tests.data.make_corpus import make_corpus
from tests.etl.test_load import snapshot

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    make_corpus(out)
    return out


@pytest.fixture
def env(empty_db: str, db_url: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "COLUMNS": "220"}


def test_check_tells_each_kind_and_reports_as_json(env: dict[str, str], world: LoadRequest, corpus: Path) -> None:
    files = [str(world.zones), str(corpus / "shp_gbk_no_cpg" / "parcels.shp"), str(corpus / "bad_amounts_stage_currency" / "projects.xlsx")]
    result = runner.invoke(app, ["check", *files, "--json"], env=env)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(f["kind"], f["file"], f["features"]) for f in report["files"]] == [
        ("zones", "zones.geojson", 3), ("projects", "projects.xlsx", 8), ("parcels", "parcels.shp", 9)]
    assert report["ok"] is False and len(report["errors"]) == 4
    assert report["errors"][0]["message"]["en"] == "projects.xlsx, 行 row 2, field 总投资(万元): value '-100', must not be negative (10,000 CNY)"
    assert report["errors"][0]["message"]["zh"] == "projects.xlsx, 行 row 2, 字段 总投资(万元)：值 '-100'，不能为负数（万元）"
    assert "zones.geojson: read as zones (it has 园区编码) / 按园区读取（含字段 园区编码）" in report["inferences"]
    assert any(i.startswith("parcels.shp: no .cpg, code-page byte 0x00: GBK/GB18030 detected") for i in report["inferences"])


def test_check_of_good_files_exits_zero_and_writes_the_xlsx(env: dict[str, str], world: LoadRequest, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    args = ["check", "--zones", str(world.zones), "--projects", str(world.projects), str(corpus / "geojson_lat_lon_swapped" / "parcels.geojson"),
            "--xlsx", str(out)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "✓ 可以载入" in result.output
    english = runner.invoke(app, [*args[:-2], "--lang", "en"], env=env)
    assert english.exit_code == 0 and "✓ no errors: the files can be loaded" in english.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["概况", "错误", "警告", "推断"]
    assert [c.value for c in workbook["错误"][1]] == ["文件", "位置", "字段", "值", "问题", "problem (English)"]
    assert workbook["错误"].freeze_panes == "A2" and workbook["错误"].max_row == 1
    assert [c.value for c in workbook["警告"][1]] == ["类别", "文件", "位置", "字段", "值", "问题", "problem (English)"]
    kinds = [row[0] for row in workbook["警告"].iter_rows(min_row=2, values_only=True)]
    assert kinds.count("宗地跨园区（所在园区不足一半）") == 1 and kinds.count("宗地不在任何园区内（无门槛，单独列出）") == 1
    inferences = [row[1] for row in workbook["推断"].iter_rows(min_row=2, values_only=True)]
    assert "parcels.geojson: coordinates in lat/lon order: axes swapped / 坐标为纬度在前：已交换坐标轴" in inferences
    summary = [row[:4] for row in workbook["概况"].iter_rows(min_row=2, max_row=4, values_only=True)]
    assert summary == [("zones", "zones.geojson", 3, 0), ("projects", "projects.xlsx", 8, 0), ("parcels", "parcels.geojson", 9, 0)]


def test_check_refuses_a_file_it_cannot_tell(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("备注,日期\n好,2023-05-01\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--json"], env=env)
    assert result.exit_code == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error["message"]["en"].startswith("notes.csv, 文件 file: value '备注, 日期', cannot tell what the file holds: expected zone_code")


def test_load_with_layer_crs_and_mapping_options(env: dict[str, str], db_url: str, world: LoadRequest, corpus: Path) -> None:
    gpkg = corpus / "gpkg_two_layers" / "city.gpkg"
    result = runner.invoke(app, ["load", "--zones", str(gpkg), "--parcels", str(gpkg), "--projects", str(world.projects),
                                 "--layer", "zones=园区", "--layer", "parcels=宗地", "--lang", "en"], env=env)
    assert result.exit_code == 0, result.output
    assert "rule results changed on 9 parcels" in result.output
    dxf = corpus / "dxf_layers_give_codes"
    result = runner.invoke(app, ["load", "--parcels", str(dxf / "parcels.dxf"), "--mapping", str(dxf / "mapping.yaml")], env=env)
    assert result.exit_code == 0, result.output
    assert "Layer: mapped to parcel_code by the field-mapping file" in result.output
    before = snapshot(env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://"))
    result = runner.invoke(app, ["load", "--parcels", str(dxf / "parcels.dxf"), "--crs", "EPSG:4549", "--from", "gcj02"], env=env)
    assert result.exit_code == 1 and "give either --crs or --from, not both" in result.output
    result = runner.invoke(app, ["load", "--parcels", str(corpus / "gcj02_parcels" / "parcels.geojson"), "--from", "bd09"], env=env)
    assert result.exit_code == 1 and "--from takes gcj02 only (got bd09)" in result.output
    result = runner.invoke(app, ["load", "--parcels", str(dxf / "parcels.dxf"), "--replace", "buildings"], env=env)
    assert result.exit_code == 1 and "--replace takes zones, parcels, projects, constraints, batches (got buildings)" in result.output
    assert snapshot(env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")) == before


def test_check_in_the_c_locale_reads_gbk_the_same(env: dict[str, str], corpus: Path) -> None:
    """No test may depend on the machine's locale: the same check in LANG=C / LC_ALL=C."""
    environ = {**os.environ, **env, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "utf-8"}
    environ.pop("PYTHONUTF8", None)
    done = subprocess.run([str(Path(sys.executable).parent / "mujun"), "check", str(corpus / "shp_gbk_no_cpg" / "parcels.shp"), "--json"],
                          cwd=ROOT, env=environ, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    report = json.loads(done.stdout.decode("utf-8"))
    assert [(f["kind"], f["file"], f["features"], f["errors"]) for f in report["files"]] == [("parcels", "parcels.shp", 9, 0)]
    assert "parcels.shp: read as parcels (it has 宗地编号) / 按宗地读取（含字段 宗地编号）" in report["inferences"]


def test_check_prints_its_warnings_by_kind_with_the_first_few_of_each() -> None:
    """The sample checked alone (--offline), as a user runs it in a terminal 100 columns wide."""
    files = [str(SAMPLE / name) for name in ("zones.geojson", "parcels.gpkg", "projects.xlsx", "constraints.geojson")]

    def check(*options: str) -> list[str]:
        environ = {**os.environ, "COLUMNS": "100"}
        done = subprocess.run([str(Path(sys.executable).parent / "mujun"), "check", *files, "--offline", *options],
                              env=environ, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.splitlines()

    lines = check()
    assert len(lines) <= 80, "\n".join(lines)
    kinds = [line for line in lines if line.startswith("! ")]
    assert kinds[0] == "! 项目没有宗地：20 条" and "! 宗地不在任何园区内（无门槛，单独列出）：40 条" in kinds and len(kinds) == 4
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in lines) == 3 * 4
    assert "完整列表：--xlsx 文件.xlsx（警告表）或 --json；加 --verbose 全部打印" in lines and lines[-1] == "✓ 可以载入"
    english = check("--lang", "en")
    assert english[-1] == "✓ no errors: the files can be loaded" and "! projects with no parcel: 20" in english
    total = int(next(line for line in english if line.endswith("warnings of 4 kinds")).split()[0])
    every = check("--verbose")
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in every) == total
    assert not any(line.startswith("完整列表") for line in every)
