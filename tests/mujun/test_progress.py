"""The arithmetic of the progress rates and lists, worked by hand: rounding, ranks, the schedule, late reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from mujun.listed import Labels, ListedProjects, carried_forward, expected_cents, fraction, share_meets
from mujun.policy import load_progress_policy
from mujun.progress import competition_ranks
from mujun.progress_lists import late_reports
from mujun.stages import DATE_FIELDS

D = dt.date
POLICY = load_progress_policy("changzhou-2018")


def test_rates_are_rounded_half_up_to_a_hundredth_of_a_percent_and_null_over_nothing() -> None:
    assert fraction(1, 3) == Decimal("0.3333")
    assert fraction(2, 3) == Decimal("0.6667")
    assert fraction(49995, 100000) == Decimal("0.5000")  # exactly half a step: up
    assert fraction(0, 5) == Decimal("0.0000")
    assert fraction(1, 0) is None


def test_equal_rates_share_a_rank_and_null_is_unranked() -> None:
    values = [Decimal("0.5"), Decimal("0.9"), None, Decimal("0.5"), Decimal("0.1")]
    assert competition_ranks(values) == [2, 1, None, 2, 4]
    assert competition_ranks([Decimal(1), Decimal(1), Decimal("0.5")]) == [1, 1, 3]


def test_the_time_schedule_expects_m_twelfths_of_the_plan_to_the_cent() -> None:
    # 1 000.01 万元 × 5/12 = 416.670833… → 416.67; 100.00 × 5/12 = 41.6666… → 41.67; 0.06 × 5/12 = 0.025 → 0.03 (half up);
    # 100.00 × 1/12 = 8.3333… → 8.33.
    assert expected_cents(np.array([100001, 10000, 6]), 5).tolist() == [41667, 4167, 3]
    assert expected_cents(np.array([10000]), 1).tolist() == [833]


def test_the_years_share_is_compared_after_rounding() -> None:
    # 4 999 of 20 000 = 24.995% → 25.00%: meets; 4 998 of 20 000 = 24.99%: does not; no total: never.
    ytd, total = np.array([499900, 499800, 100]), np.array([2000000, 2000000, 0])
    assert share_meets(ytd, total, Decimal("0.25")).tolist() == [True, False, False]


def _one_project(**dates: dt.date) -> ListedProjects:
    """Project A, planned 100 万元 of its 400: 本年累计 10 reported for March (on 04-20), 30 for April (on 05-21)."""
    def day(value: dt.date | None) -> np.ndarray:
        return np.array([value or "NaT"], dtype="datetime64[D]")

    given = np.full((1, 12), -1, dtype=np.int64)
    given[0, 2], given[0, 3] = 1000, 3000
    first = np.full((1, 12), np.datetime64("NaT"), dtype="datetime64[D]")
    first[0, 2], first[0, 3] = np.datetime64("2018-04-20"), np.datetime64("2018-05-21")
    return ListedProjects(
        code=np.array(["A"], dtype=object), name=np.array(["项目A"], dtype=object), jurisdiction=Labels.of(["武进区"]),
        level=Labels.of(["市重点"]), category=Labels.of(["新建"]), plan_cents=np.array([10000]),
        has_plan=np.array([True]), total_cents=np.array([40000]), has_total=np.array([True]), ytd_by_month=carried_forward(given),
        dates={name: day(dates.get(name)) for name in DATE_FIELDS}, reported_stage=np.array([-1], dtype=np.int8),
        reported_on=day(None), first_reported=first)


def test_a_months_figure_is_the_latest_reported_up_to_it() -> None:
    assert _one_project().ytd_by_month[0].tolist() == [0, 0, 1000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000]


def test_late_reports_are_those_owed_whose_deadline_has_passed() -> None:
    # Started 2018-02-28, completed 2018-05-10: owes February to May (May began before it was completed).
    projects = _one_project(actual_start_date=D(2018, 2, 28), actual_completion_date=D(2018, 5, 10))
    # On 2018-06-20 May's report (due 06-20) is not overdue yet; February never came, March on the day, April a day late.
    found = late_reports(projects, 2018, 6, POLICY.report_due_day, D(2018, 6, 20))
    assert [(e["month"], e["reported_on"], e["days_late"]) for e in found[:]] == [("2018-02", None, None), ("2018-04", D(2018, 5, 21), 1)]
    found = late_reports(projects, 2018, 6, POLICY.report_due_day, D(2018, 6, 21))
    assert [(e["month"], e["days_late"]) for e in found] == [("2018-02", None), ("2018-05", None), ("2018-04", 1)]
