"""The committed Changzhou sample, as the real loader stores it, has what the walking skeleton asks for."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from etl.load import libpq_conninfo


@pytest.fixture(scope="module")
def ask(sample_url: str) -> Any:
    conn = psycopg.connect(libpq_conninfo(sample_url))

    def one(query: str) -> Any:
        row = conn.execute(query).fetchone()
        assert row is not None
        return row[0] if len(row) == 1 else row

    yield one
    conn.close()


def test_zones_cover_both_groups_and_both_classes_and_some_nest(ask: Any) -> None:
    assert ask("SELECT count(*) FROM zones") >= 10
    assert ask("SELECT count(DISTINCT jurisdiction) FROM zones") == 7
    assert ask("SELECT count(DISTINCT (z.zone_class, t.threshold_wan_per_mu)) FROM zones z JOIN policy_thresholds t "
               "USING (jurisdiction, zone_class)") == 4  # 400, 350, 350 (金坛/溧阳 开发区), 310
    assert ask("SELECT count(*) FROM zones a JOIN zones b ON a.zone_code <> b.zone_code "
               "AND ST_Within(a.geom, b.geom)") >= 2


def test_parcels_projects_stages_and_industries(ask: Any) -> None:
    assert ask("SELECT count(*) FROM parcels") >= 1500
    assert ask("SELECT count(*) FROM projects") >= 1200
    assert ask("SELECT array_agg(DISTINCT stage ORDER BY stage) FROM projects") == sorted(["意向", "签约", "预备", "开工", "竣工", "评估"])
    industries = set(ask("SELECT array_agg(DISTINCT industry) FROM projects"))
    assert {"新能源汽车和关键零部件", "新一代信息电子", "新材料", "智能制造装备"} <= industries


def test_the_cases_officials_meet_are_all_there(ask: Any) -> None:
    below, assessed = ask("SELECT count(DISTINCT project_code) FILTER (WHERE status = 'below'), "
                          "count(DISTINCT project_code) FILTER (WHERE status IN ('meets', 'below')) FROM parcels")
    assert 0.15 <= below / assessed <= 0.20
    assert ask("SELECT count(*) FROM parcels WHERE status = 'outside_zone'") > 0
    assert ask("SELECT count(*) FROM parcels WHERE 'straddles_zones' = ANY(flags)") > 0
    assert ask("SELECT count(*) FROM parcels WHERE 'area_mismatch' = ANY(flags)") > 0
    assert ask("SELECT count(*) FROM parcels WHERE parcel_count > 1") > 0
    assert ask("SELECT count(*) FROM parcels WHERE status = 'not_assessed'") > 0


def test_the_ten_mu_boundary_pair(ask: Any) -> None:
    # 10 亩 recorded (6 666.67 m²) in a 400 zone: 4 000 万元 meets at 400.00, 3 999 is 399.90 with 1.00 short.
    rows = ask("SELECT array_agg(ARRAY[j.total_investment_wan, p.intensity_wan_per_mu, p.shortfall_wan]::text "
               "ORDER BY j.total_investment_wan) FROM parcels p JOIN projects j USING (project_code) "
               "WHERE p.recorded_area_m2 = 6666.67 AND p.threshold_wan_per_mu = 400 AND j.total_investment_wan IN (3999, 4000)")
    assert rows == ["{3999.00,399.90,1.00}", "{4000.00,400.00,0.00}"]


def test_a_years_list_and_its_monthly_reports(ask: Any) -> None:
    assert ask("SELECT count(*) FROM project_plans WHERE year = 2024") >= 200
    assert ask("SELECT array_agg(DISTINCT category ORDER BY category) FROM project_plans") == sorted(["新建", "续建", "预备"])
    assert ask("SELECT count(DISTINCT month) FROM monthly_reports") == 6
    # Some reports came after the 20th of the next month; every listed project's stage agrees with its dates (none reported).
    assert ask("SELECT count(*) FROM monthly_reports WHERE first_reported_on > (month + interval '1 month' + interval '19 days')") > 0
    assert ask("SELECT count(*) FROM projects WHERE reported_stage IS NOT NULL") == 0
    assert ask("SELECT count(*) FROM projects WHERE jurisdiction IS NULL") == 0


def test_land_prices_stops_batches_and_a_year_of_firms(ask: Any) -> None:
    assert ask("SELECT count(*) FROM parcels WHERE land_price_wan IS NOT NULL") > 1000
    assert ask("SELECT count(*) FROM parcels WHERE stopped_date IS NOT NULL AND developed_area_m2 IS NOT NULL") >= 10
    assert ask("SELECT count(*) FROM parcels WHERE government_delay") == 3
    # Every parcel's project is known; a third of the started land has a start date of its own.
    assert ask("SELECT count(*) FROM parcels WHERE start_date IS NOT NULL") > 300
    assert ask("SELECT count(*) FROM approval_batches") >= 10
    # Some batches are partly supplied, and some are not supplied at all (nothing covers them).
    assert ask("SELECT count(DISTINCT batch_code) FROM batch_cover") < ask("SELECT count(*) FROM approval_batches")
    assert ask("SELECT count(*) FROM firm_figures WHERE year = 2023") >= 300
    assert ask("SELECT count(*) FROM firm_figures WHERE production_date > '2023-01-01'") > 0  # class T
    assert ask("SELECT count(*) FROM firm_figures WHERE land_mu IS NULL") > 0  # land from the firm's parcels
