"""Stages on a date, months, and the figures monthly reports derive, against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from mujun.stages import (
    COMPLETED,
    FILED,
    INTENTION,
    SIGNED,
    STARTED,
    check_stage,
    derive_figures,
    month_end,
    parse_month,
    reached_on,
    report_due,
    stage_on,
    stages_on,
)

D = dt.date
DATES = {"signed_date": D(2018, 1, 10), "filed_date": D(2018, 2, 1), "actual_start_date": D(2018, 3, 15), "actual_completion_date": None}


@pytest.mark.parametrize(("day", "stage"), [(D(2018, 1, 9), INTENTION), (D(2018, 1, 10), SIGNED), (D(2018, 3, 14), FILED),
                                            (D(2018, 3, 15), STARTED), (D(2030, 1, 1), STARTED)])
def test_the_stage_on_a_day_is_the_furthest_whose_date_has_come(day: dt.date, stage: int) -> None:
    assert stage_on(DATES, day) == stage


def test_a_stage_reported_without_its_date_counts_from_the_day_it_was_reported() -> None:
    reported = (COMPLETED, D(2018, 7, 20))
    assert stage_on(DATES, D(2018, 7, 19), reported) == STARTED
    assert stage_on(DATES, D(2018, 7, 20), reported) == COMPLETED


def test_many_stages_at_once_agree_with_one_at_a_time() -> None:
    columns = {name: np.array([value or "NaT", "NaT"], dtype="datetime64[D]") for name, value in DATES.items()}
    columns["evaluation_date"] = np.array(["NaT", "NaT"], dtype="datetime64[D]")
    found = stages_on(columns, np.array([-1, FILED], dtype=np.int8), np.array(["NaT", "2018-02-01"], dtype="datetime64[D]"), D(2018, 3, 1))
    assert found.tolist() == [FILED, FILED]


def test_the_first_day_at_a_stage_or_beyond() -> None:
    # Started 10 March, completed 5 September; reported started on 1 May with no date; nothing; evaluated on 1 February
    # with no earlier date (evaluation is beyond starting and completing).
    def days(*values: str | None) -> np.ndarray:
        return np.array([v or "NaT" for v in values], dtype="datetime64[D]")

    none = days(None, None, None, None)
    dates = {"signed_date": none, "filed_date": none, "actual_start_date": days("2018-03-10", None, None, None),
             "actual_completion_date": days("2018-09-05", None, None, None), "evaluation_date": days(None, None, None, "2018-02-01")}
    reported, reported_on = np.array([-1, STARTED, -1, -1], dtype=np.int8), days(None, "2018-05-01", None, None)
    started = reached_on(dates, reported, reported_on, STARTED)
    assert started.astype(str).tolist() == ["2018-03-10", "2018-05-01", "NaT", "2018-02-01"]
    assert reached_on(dates, reported, reported_on, COMPLETED).astype(str).tolist() == ["2018-09-05", "NaT", "NaT", "2018-02-01"]
    for day in (D(2018, 2, 1), D(2018, 3, 9), D(2018, 3, 10), D(2018, 4, 30), D(2018, 5, 1), D(2018, 12, 31)):
        assert ((started <= np.datetime64(day)) == (stages_on(dates, reported, reported_on, day) >= STARTED)).all(), day


def test_a_given_stage_is_checked_against_the_dates() -> None:
    day = D(2018, 7, 20)
    assert check_stage(STARTED, DATES, day).contradiction is None
    assert check_stage(SIGNED, DATES, day).contradiction == "actual_start_date"  # behind its dates
    ahead = check_stage(COMPLETED, DATES, day)  # 实际竣工日期 blank: kept as reported
    assert (ahead.stage, ahead.reported, ahead.contradiction) == (COMPLETED, COMPLETED, None)
    future = {**DATES, "actual_completion_date": D(2018, 9, 1)}  # its date still to come
    assert check_stage(COMPLETED, future, day).contradiction == "actual_completion_date"


@pytest.mark.parametrize("text", ["2018-06", "2018/6", "2018.06", "2018年6月", "201806", "2018-06-01", D(2018, 6, 1)])
def test_months_in_the_forms_offices_write_them(text: object) -> None:
    assert parse_month(text) == (2018, 6)


@pytest.mark.parametrize("text", ["2018-13", "June", "2018-06-15", "18-06", D(2018, 6, 2)])
def test_what_is_not_a_month(text: object) -> None:
    with pytest.raises(ValueError):
        parse_month(text)


def test_month_ends_and_report_deadlines() -> None:
    assert (month_end(2018, 2), month_end(2020, 2), month_end(2018, 12)) == (D(2018, 2, 28), D(2020, 2, 29), D(2018, 12, 31))
    assert (report_due(2018, 6, 20), report_due(2018, 12, 20)) == (D(2018, 7, 20), D(2019, 1, 20))


def test_figures_not_given_are_derived_over_the_project_year() -> None:
    # Two project-years. First: base 0; Jan 本月 100; Feb 本年累计 250 (本月 150); Mar 本月 50 (300); Apr both 20/320.
    # Second: base 1 000 (a stored month before); 本月 10 → 1 010; both 5 and 2 000 → disagree (1 010 + 5 ≠ 2 000).
    group = np.array([0, 0, 0, 0, 1, 1])
    month = np.array([100, 0, 50, 20, 10, 5])
    has_month = np.array([True, False, True, True, True, True])
    ytd = np.array([0, 250, 0, 320, 0, 2000])
    has_ytd = np.array([False, True, False, True, False, True])
    base = np.array([0, 0, 0, 0, 1000, 0])
    derived = derive_figures(group, month, has_month, ytd, has_ytd, base)
    assert derived.ytd_cents.tolist() == [100, 250, 300, 320, 1010, 2000]
    assert derived.month_cents.tolist() == [100, 150, 50, 20, 10, 5]
    assert derived.previous_cents.tolist() == [0, 100, 250, 300, 1000, 1010]
    assert derived.conflict.tolist() == [False, False, False, False, False, True]
