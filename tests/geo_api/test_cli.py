"""The `mujun` command line against the test database (DATABASE_URL is honoured by every command)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etl.load import LoadRequest, libpq_conninfo
from geo_api.cli import app
from tests.conftest import SAMPLE
from tests.geodata import write_geojson
from tests.world import world_parcels

runner = CliRunner()
MUJUN = str(Path(sys.executable).parent / "mujun")
SAMPLE_FILES = ["--zones", str(SAMPLE / "zones.geojson"), "--parcels", str(SAMPLE / "parcels.gpkg"),
                "--projects", str(SAMPLE / "projects.xlsx"), "--constraints", str(SAMPLE / "constraints.geojson")]


@pytest.fixture
def env(empty_db: str, db_url: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "COLUMNS": "200"}


def test_load_prints_counts_and_loads_lists_it(env: dict[str, str], world: LoadRequest) -> None:
    args = ["load", "--zones", str(world.zones), "--parcels", str(world.parcels), "--projects", str(world.projects)]
    first = runner.invoke(app, [*args, "--lang", "en"], env=env)
    assert first.exit_code == 0, first.output
    assert "parcels" in first.output and "rule results changed on 9 parcels" in first.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0 and "规则结果有变的宗地：0 宗" in again.output
    history = runner.invoke(app, ["loads"], env=env)
    assert history.exit_code == 0 and "parcels.geojson" in history.output and "changzhou-2018" in history.output


def test_a_refused_load_names_the_problem_and_exits_non_zero(env: dict[str, str], tmp_path: Path) -> None:
    parcels = world_parcels()
    parcels[1][0]["recorded_area_m2"] = "很大"
    bad = write_geojson(tmp_path / "bad.geojson", parcels)
    result = runner.invoke(app, ["load", "--parcels", str(bad)], env=env)
    assert result.exit_code == 1
    assert "bad.geojson" in result.output and "recorded_area_m2" in result.output
    assert "nothing was loaded: the database is unchanged" in result.output


def test_load_without_files_says_what_to_give(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["load"], env=env)
    assert result.exit_code == 1 and "--zones" in result.output


def test_every_error_of_a_refused_load_is_printed_in_the_language_asked(env: dict[str, str], tmp_path: Path) -> None:
    parcels = world_parcels()
    for i in range(5):
        parcels[i][0]["recorded_area_m2"] = "很大"
    bad = write_geojson(tmp_path / "bad.geojson", parcels)
    for lang, expected in (("zh", "应为数值（平方米）"), ("en", "expected a number (m²)")):
        result = runner.invoke(app, ["load", "--parcels", str(bad), "--lang", lang], env=env)
        assert result.exit_code == 1
        assert [f"要素 feature {i}" in result.output for i in range(1, 6)] == [True] * 5
        assert result.output.count(expected) == 5, result.output


def _mujun(*args: str, db_url: str) -> list[str]:
    """The command as a user runs it, in a terminal 100 columns wide: the lines it printed."""
    env = {**os.environ, "DATABASE_URL": db_url, "COLUMNS": "100"}
    done = subprocess.run([MUJUN, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return (done.stdout + done.stderr).splitlines()


def test_loading_the_sample_speaks_in_a_summary_of_warnings_by_kind(empty_db: str, db_url: str) -> None:
    lines = _mujun("load", *SAMPLE_FILES, db_url=db_url)
    assert len(lines) <= 80, "\n".join(lines)
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        (load_id,), straddling = conn.execute("SELECT max(id) FROM loads").fetchone(), \
            conn.execute("SELECT count(*) FROM parcels WHERE 'straddles_zones' = ANY(flags)").fetchone()[0]
    # The sample's generator made 20 projects with no land yet, 40 parcels outside every zone and 40 whose recorded
    # area is 2.5-9% off; the straddling parcels are those the rules flagged.
    total = 20 + 40 + 40 + straddling
    text = "\n".join(lines)
    assert f"载入 #{load_id} · 常州市工业项目亩均投资强度标准（2018）" in text and "│ 宗地 │ 1,556 │ 1,556 │" in text
    assert f"警告 {total} 条，分 4 类" in lines
    assert [line for line in lines if line.startswith("! ")] == [
        "! 项目没有宗地：20 条", f"! 宗地跨园区（所在园区不足一半）：{straddling} 条", "! 宗地不在任何园区内（无门槛，单独列出）：40 条",
        "! 出让面积与图形面积相差超过 1%：40 条"]
    assert [line for line in lines if line.startswith("    … ")] == [
        "    … 另有 17 条", f"    … 另有 {straddling - 3} 条", "    … 另有 37 条", "    … 另有 37 条"]
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in lines) == 3 * 4
    assert "    projects.xlsx, 行 row 1441, 字段 project_code：值" in lines
    assert re.search(rf"完整列表：mujun loads --warnings {load_id}，或对同样的文件运行 mujun check --xlsx", text)

    english = _mujun("load", *SAMPLE_FILES, "--lang", "en", db_url=db_url)
    assert len(english) <= 80 and f"{total} warnings of 4 kinds" in english and "! projects with no parcel: 20" in english
    assert "    … and 17 more" in english and "rule results changed on 0 parcels" in english

    every = _mujun("load", *SAMPLE_FILES, "--verbose", db_url=db_url)
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in every) == total
    assert not [line for line in every if line.startswith("    … ")]


def test_loads_warnings_prints_every_stored_warning_even_of_a_load_stored_before_kinds(empty_db: str, db_url: str) -> None:
    _mujun("load", *SAMPLE_FILES, db_url=db_url)
    with psycopg.connect(libpq_conninfo(db_url)) as conn:
        load_id, total = conn.execute("SELECT id, (counts->'warnings'->>'total')::int FROM loads").fetchone()
    stored = _mujun("loads", "--warnings", str(load_id), "--lang", "en", db_url=db_url)
    assert stored[0] == f"the warnings of load #{load_id}" and stored[1] == f"{total} warnings of 4 kinds"
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in stored) == total
    assert "! projects with no parcel: 20" in stored and "! parcels in no zone (no threshold, listed apart): 40" in stored
    with psycopg.connect(libpq_conninfo(db_url)) as conn:  # as loads were recorded before warnings had a kind
        conn.execute("UPDATE loads SET warnings = (SELECT jsonb_agg(w - 'code') FROM jsonb_array_elements(warnings) w)")
    old = _mujun("loads", "--warnings", str(load_id), db_url=db_url)
    assert [line for line in old if line.startswith("! ")] == [f"! 其他警告：{total} 条"]
    assert sum(line.startswith(("    projects.xlsx, ", "    parcels.gpkg, ")) for line in old) == total
    missing = runner.invoke(app, ["loads", "--warnings", str(load_id + 1)], env={"DATABASE_URL": db_url})
    assert missing.exit_code == 1 and f"there is no load #{load_id + 1}" in missing.output
