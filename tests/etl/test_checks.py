"""The checks across files and against the database: every warning found where it was planted, by hand.

The world (tests/world.py) already holds a straddling parcel (P6: 8,000 of its 20,000 m² in WJ-DZ), one
in no zone (P7) and one whose recorded area is 5% off its drawing (P8).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
import pytest

import etl.codes
from etl.check import Checked
from etl.load import LoadRequest, check_files, load
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_parcels, world_projects


def checked(request: LoadRequest, conninfo: str | None = None) -> dict[str, Checked]:
    return {c.kind: c for c in check_files(request, POLICY, RuleSettings(), conninfo=conninfo)}


def warnings_of(item: Checked) -> list[str]:
    return [w.message("en") for w in item.warnings]


def kind_of(item: Checked, text: str) -> set[str | None]:
    """The kinds of the warnings whose English message holds `text`: what a load's summary groups them by."""
    return {w.code for w in item.warnings if text in w.message("en")}


def parcel(code: str, project: str | float | None, geometry: object, recorded: float | None = None) -> tuple[dict[str, object], object]:
    return {"parcel_code": code, "project_code": project, "land_use": "工业用地", "recorded_area_m2": recorded}, geometry


def test_the_worlds_own_warnings(world: LoadRequest) -> None:
    # where parcels lie (no zone, straddling), feature by feature; then their recorded areas
    parcels = checked(world)["parcels"]
    assert parcels.errors == []
    assert warnings_of(parcels) == [
        "parcels.geojson, 要素 feature 6, field geometry: value '40.00%', straddles zones: its zone WJ-DZ holds only 40.00% of it (under half)",
        "parcels.geojson, 要素 feature 7, field geometry: lies in no zone: it has no threshold and is listed apart",
        "parcels.geojson, 要素 feature 8, field recorded_area_m2: value '10500.00', differs by more than 1% from the geometry's "
        "Gauss-Krüger area (10000.00 m²)",
    ]
    assert [w.code for w in parcels.warnings] == ["straddles_zones", "outside_zone", "area_mismatch"]


def test_overlaps_unknown_projects_and_projects_with_no_parcel(world: LoadRequest, tmp_path: Path) -> None:
    extra = [
        parcel("P10", "A", gk_rect(190, 100, 40, 50)),  # overlaps P1 (100–200 × 100–166.67) by 10 × 50 = 500 m²
        parcel("P11", "A", gk_rect(300, 166.5667, 100, 20)),  # 0.1 m × 100 m over P2 (100–166.6667): 10 m², reported
        parcel("P12", "Z", gk_rect(1100, 1500, 50, 50)),  # project Z exists nowhere
    ]
    request = LoadRequest(zones=world.zones, projects=write_xlsx(tmp_path / "p.xlsx", PROJECT_HEADER,
                                                                  [*world_projects(), ["Y", "项目Y", "企业Y", "新材料", "工业", 100, "开工"]]),
                          parcels=write_geojson(tmp_path / "parcels.geojson", world_parcels() + extra))
    found = checked(request)
    messages = warnings_of(found["parcels"])
    assert "parcels.geojson, 要素 feature 1, field geometry: value '500.00 m²', overlaps 要素 feature 10 (parcel P10) by 500.00 m² " \
           "(slivers under 1 m² are ignored)" in messages
    overlaps = [m for m in messages if "overlaps" in m]
    assert len(overlaps) == 2 and "(parcel P11) by 10.00 m²" in overlaps[1]
    assert messages.count(
        "parcels.geojson, 要素 feature 12, field project_code: value 'Z', no such project in the projects file or the database: "
        "the parcel is judged alone, as land of no project") == 1
    assert warnings_of(found["projects"]) == [
        "p.xlsx, 行 row 10, field project_code: value 'Y', the project has no parcel (none in the parcels file or the database)"]
    assert kind_of(found["parcels"], "overlaps") == {"overlap"} and kind_of(found["parcels"], "no such project") == {"unknown_project"}
    assert kind_of(found["projects"], "no parcel") == {"no_parcel"}


def test_a_sliver_under_one_square_metre_is_not_an_overlap(world: LoadRequest, tmp_path: Path) -> None:
    sliver = parcel("P10", "A", gk_rect(199.99, 100, 20, 50))  # 0.01 m × 50 m = 0.5 m² over P1
    request = LoadRequest(zones=world.zones, projects=world.projects,
                          parcels=write_geojson(tmp_path / "parcels.geojson", [*world_parcels(), sliver]))
    assert not [m for m in warnings_of(checked(request)["parcels"]) if "overlaps" in m]


def test_check_files_reports_errors_without_raising(tmp_path: Path, world: LoadRequest) -> None:
    rows = world_parcels()
    rows[0][0]["recorded_area_m2"] = -1
    found = checked(LoadRequest(zones=world.zones, parcels=write_geojson(tmp_path / "bad.geojson", rows)))
    assert [p.message("en") for p in found["parcels"].errors] == [
        "bad.geojson, 要素 feature 1, field recorded_area_m2: value '-1.0', must not be negative (m²)"]
    with pytest.raises(InputError):
        load("postgresql://unused", LoadRequest(parcels=tmp_path / "bad.geojson"), POLICY, RuleSettings(), actor=SHELL)  # refused before connecting


def test_against_the_database_zones_projects_and_stored_codes(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    # No zones or projects file: the stored ones are used. P7 is still in no zone; project Z exists nowhere.
    rows = world_parcels()
    rows[0] = parcel("P1", "B", rows[0][1], 6666.67)  # P1 moves from project A to B
    rows[1] = parcel("P2", "B", gk_rect(300, 100, 100, 70), 6666.67)  # P2 redrawn: 7,000 m² instead of 6,666.67
    rows.append(parcel("P13", "Z", gk_rect(1100, 1500, 50, 50)))
    found = checked(LoadRequest(parcels=write_geojson(tmp_path / "changed.geojson", rows)), conninfo=empty_db)["parcels"]
    messages = warnings_of(found)
    assert "changed.geojson, 要素 feature 7, field geometry: lies in no zone: it has no threshold and is listed apart" in messages
    assert "changed.geojson, 要素 feature 1, field project_code: value 'B', this parcel code is stored under project A: " \
           "the load moves it to B" in messages
    assert "changed.geojson, 要素 feature 2, field geometry: value '7000.00 m²', this parcel code is stored with another " \
           "geometry (6666.67 m² there): the load replaces it" in messages
    assert kind_of(found, "stored under project") == {"parcel_moved"} and kind_of(found, "stored with another geometry") == {"geometry_replaced"}
    assert [m for m in messages if "no such project" in m] == [
        "changed.geojson, 要素 feature 10, field project_code: value 'Z', no such project in the projects file or the database: "
        "the parcel is judged alone, as land of no project"]
    # The same files again: nothing is stored differently, so nothing clashes.
    again = warnings_of(checked(world, conninfo=empty_db)["parcels"])
    assert not [m for m in again if "stored" in m]
    # Without a database and without zones, zones are not checked, and it is said.
    alone = checked(LoadRequest(parcels=world.parcels))["parcels"]
    assert not [m for m in warnings_of(alone) if "zone" in m]
    assert any("zones of parcels not checked" in note for note in alone.inferences)


def test_replace_deletes_what_the_file_does_not_hold_and_only_when_asked(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    fewer = write_geojson(tmp_path / "fewer.geojson", world_parcels()[:8])  # without P9
    kept = load(empty_db, LoadRequest(parcels=fewer), POLICY, RuleSettings(), actor=SHELL)
    assert kept.counts["parcels"] == {"read": 8, "inserted": 0, "updated": 0, "unchanged": 8}
    replaced = load(empty_db, LoadRequest(parcels=fewer, replace=frozenset({"parcels"})), POLICY, RuleSettings(), actor=SHELL)
    assert replaced.counts["parcels"]["deleted"] == 1
    with psycopg.connect(empty_db) as conn:
        codes = [code for (code,) in conn.execute("SELECT parcel_code FROM parcels ORDER BY parcel_code")]
    assert codes == ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]


@pytest.mark.parametrize("reload", ["all files", "projects only"])
def test_a_first_load_and_a_reload_give_the_same_results(empty_db: str, world: LoadRequest, reload: str) -> None:
    # The first load computes results before its COPY. A reload of every parcel computes them from its file;
    # a load without parcels reassesses what is stored. All three agree.
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    columns = "parcel_code, zone_code, zone_share, area_mu, project_area_mu, intensity_wan_per_mu, ratio, status, band, shortfall_wan, flags"
    with psycopg.connect(empty_db) as conn:
        first = conn.execute(f"SELECT {columns} FROM parcels ORDER BY 1").fetchall()
        conn.execute("UPDATE parcels SET status = NULL, flags = '{}'")
    again = load(empty_db, world if reload == "all files" else LoadRequest(projects=world.projects), POLICY, RuleSettings(), actor=SHELL)
    assert again.counts["assessed"] == {"changed": 9}
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(f"SELECT {columns} FROM parcels ORDER BY 1").fetchall() == first


def test_codes_stored_as_numbers_read_as_typed_and_rounded_ones_refused(world: LoadRequest, tmp_path: Path) -> None:
    # 320412202300001234 typed as a number: the nearest double (spaced 64 apart there) is 320412202300001216,
    # shown in its shortest form 3.204122023000012e+17; the code's last digits are gone.
    projects = write_xlsx(tmp_path / "projects.xlsx", PROJECT_HEADER, [
        [320412001, "整数编号", "企业甲", "新材料", "工业", 4000, "开工"],
        [320412002.0, "实数编号", "企业乙", "新材料", "工业", 4000, "开工"],
        [320412202300001234.0, "十八位编号", "企业丙", "新材料", "工业", 4000, "开工"],
    ])
    # Every project_code a JSON number with a fraction part: GDAL makes the field a real one.
    parcels = write_geojson(tmp_path / "parcels.geojson", [
        parcel("P1", 320412001.0, gk_rect(100, 100, 100, 100)),
        parcel("P2", 320412002.0, gk_rect(300, 100, 100, 100)),
    ])
    found = checked(LoadRequest(zones=world.zones, projects=projects, parcels=parcels))
    assert [p.message("en") for p in found["projects"].errors] == [
        "projects.xlsx, 行 row 4, field 项目编号: value '3.204122023000012e+17', a code stored as a number of more than 15 "
        "digits, whose last digits may have changed: format the column as text and enter the codes again"]
    assert list(found["projects"].columns["project_code"][:2]) == ["320412001", "320412002"]
    assert found["parcels"].texts["project_code"].to_pylist() == ["320412001", "320412002"]
    assert not [m for m in warnings_of(found["parcels"]) if "no such project" in m]


def test_codes_sharing_a_hash_are_told_apart_by_their_text(monkeypatch: pytest.MonkeyPatch, world: LoadRequest,
                                                           tmp_path: Path) -> None:
    # every code given the same hash: only the comparison of their text can tell P2 from P1
    monkeypatch.setattr(etl.codes, "text_hashes", lambda offsets, data: np.zeros(len(offsets) - 1, dtype=np.uint64))
    rows = world_parcels()
    rows[3] = ({**rows[3][0], "parcel_code": "P1"}, rows[3][1])
    rows[5] = ({**rows[5][0], "parcel_code": "P2"}, rows[5][1])
    found = checked(LoadRequest(zones=world.zones, parcels=write_geojson(tmp_path / "bad.geojson", rows)))
    assert [p.message("en") for p in found["parcels"].errors] == [
        "bad.geojson, 要素 feature 4, field parcel_code: value 'P1', duplicate code (same as 要素 feature 1)",
        "bad.geojson, 要素 feature 6, field parcel_code: value 'P2', duplicate code (same as 要素 feature 2)"]
