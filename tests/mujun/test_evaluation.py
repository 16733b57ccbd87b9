"""The per-mu evaluation worked by hand: benchmarks over the graded firms, the cap, a term over a missing or zero
denominator, a tie, the class edges and a firm in production for part of the year (T)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from mujun.evaluation import SCALE, ClassCut, classes_of, competition_ranks, evaluate, firms_of
from mujun.policy import evaluation_policy_from_dict, load_evaluation_policy

POLICY = load_evaluation_policy("changzhou-2018")


def firm(name: str, district: str, *figures: float | None, production: dt.date | None = None) -> tuple[Any, ...]:
    """A row as the query gives it (`FIRM_COLUMNS`): figures in 1/10 000 of their units."""
    scaled = [None if v is None else int(Decimal(str(v)) * SCALE) for v in figures]
    return (name, None, district, production, False, *scaled)


# land 亩, tax 万元, sales 万元, value added 万元, energy tce, emissions t, employees, R&D 万元
FIRMS = [
    firm("A", "武进区", 10, 600, 10000, 2000, 1000, 10, 100, 500),
    firm("B", "武进区", 10, 300, 5000, 1000, 500, 5, 50, 250),
    firm("C", "武进区", 20, 300, 5000, 1000, None, 0, 50, 250),  # no energy figure, zero emissions
    firm("D", "武进区", 10, 100, 2000, 400, 200, 2, 20, 100),
    firm("E", "武进区", 10, 100, 2000, 400, 200, 2, 20, 100),  # as D: a tie
    firm("T", "武进区", 5, 5000, 50000, 9000, 100, 1, 100, 5000, production=dt.date(2023, 3, 1)),
    firm("G1", "溧阳市", 10, 200, 4000, 800, 400, 4, 40, 120),
    firm("G2", "溧阳市", 10, 200, 4000, 800, 400, 4, 40, 120),
]


@pytest.fixture(scope="module")
def result() -> Any:
    return evaluate(firms_of(FIRMS, 2023), POLICY)


def by_name(result: Any) -> dict[str, dict[str, Any]]:
    return {row["enterprise"]: row for row in result.firms}


def test_the_policy_says_its_weights_are_unverified() -> None:
    assert [int(POLICY.weights[name]) for name in ("tax_per_mu", "sales_per_mu", "tax_per_energy", "tax_per_emission",
                                                   "labour_productivity", "rnd_share")] == [40, 20, 10, 10, 10, 10]
    assert POLICY.cap == Fraction(3, 2) and POLICY.unverified == ("weights",)
    assert [(c.name, c.up_to) for c in POLICY.classes] == [("A", Fraction(1, 5)), ("B", Fraction(3, 5)), ("C", Fraction(19, 20)),
                                                          ("D", Fraction(1))]


def test_benchmarks_are_the_countys_aggregates_over_graded_firms(result: Any) -> None:
    wujin = result.benchmarks_json()["武进区"]
    # A–E (T left out): Σ tax 1 400 ÷ Σ land 60 = 23.333…; Σ sales 24 000 ÷ 60 = 400; the energy and emission benchmarks
    # leave C out (no energy, zero emissions): 1 100 ÷ 1 900 = 0.5789…, 1 100 ÷ 19 = 57.894…; Σ value added 4 800 ÷ 240
    # employees = 20; Σ R&D 1 200 ÷ Σ sales 24 000 = 5%.
    assert wujin == {"tax_per_mu": Decimal("23.33"), "sales_per_mu": Decimal("400.00"), "tax_per_energy": Decimal("0.58"),
                     "tax_per_emission": Decimal("57.89"), "labour_productivity": Decimal("20.00"), "rnd_share": Decimal("0.0500")}
    assert result.as_json()["graded"] == {"武进区": 5, "溧阳市": 2}


def test_terms_are_capped_and_scores_rounded_once(result: Any) -> None:
    firms = by_name(result)
    a = firms["A"]
    # 40 × 60 ÷ 23.33 = 102.87 → capped at 60; 20 × 1 000 ÷ 400 = 50 → 30; 10 × 0.60 ÷ 0.58 = 10.3448…;
    # 10 × 60 ÷ 57.89 = 10.3644…; 10; 10. Sum 130.7093… → 130.71.
    assert a["terms"] == {"tax_per_mu": 60.0, "sales_per_mu": 30.0, "tax_per_energy": 10.34, "tax_per_emission": 10.36,
                          "labour_productivity": 10.0, "rnd_share": 10.0}
    assert a["indicators"] == {"tax_per_mu": 60.0, "sales_per_mu": 1000.0, "tax_per_energy": 0.6, "tax_per_emission": 60.0,
                               "labour_productivity": 20.0, "rnd_share": 0.05}
    assert a["score"] == 130.71
    # 1 200 ÷ 23.33 = 51.4359… + 25 + 10.3448… + 10.3644… + 10 + 10 = 117.1452… → 117.15.
    assert firms["B"]["score"] == 117.15
    # 600 ÷ 23.33 = 25.7179… + 12.5 + 0 (no energy) + 0 (zero emissions) + 10 + 10 = 58.2179… → 58.22.
    assert firms["C"]["score"] == 58.22
    assert (firms["C"]["terms"]["tax_per_energy"], firms["C"]["terms"]["tax_per_emission"]) == (0.0, 0.0)
    # 400 ÷ 23.33 = 17.1453… + 10 + 10 × 0.50 ÷ 0.58 = 8.6206… + 500 ÷ 57.89 = 8.6370… + 10 + 10 = 64.4030… → 64.40.
    assert (firms["D"]["score"], firms["E"]["score"]) == (64.4, 64.4)


def test_a_missing_or_zero_denominator_is_said_in_the_notes(result: Any) -> None:
    notes = {(note["code"], note["indicator"]) for note in by_name(result)["C"]["notes"]}
    assert notes == {("missing_denominator", "tax_per_energy"), ("zero_denominator", "tax_per_emission")}
    assert by_name(result)["C"]["indicators"]["tax_per_emission"] is None


def test_ties_share_a_rank_and_classes_go_by_rank_over_graded(result: Any) -> None:
    firms = by_name(result)
    ranks = {name: (row["rank"], row["class"]) for name, row in firms.items()}
    # 5 graded: A 1/5 = 20% (A, on the edge); B 2/5; D and E tied at 3, 3/5 = 60% (B, on the edge); C 5/5 (D).
    assert ranks == {"A": (1, "A"), "B": (2, "B"), "D": (3, "B"), "E": (3, "B"), "C": (5, "D"), "T": (None, "T"),
                     "G1": (1, "B"), "G2": (1, "B")}
    assert [row["enterprise"] for row in result.firms] == ["A", "B", "D", "E", "C", "T", "G1", "G2"]


def test_a_firm_in_production_part_of_the_year_is_t_and_outside_everything(result: Any) -> None:
    t = by_name(result)["T"]
    assert (t["score"], t["rank"], t["terms"], t["class"]) == (None, None, None, "T")
    assert t["indicators"]["tax_per_mu"] == 1000.0
    assert t["notes"][0]["code"] == "in_production_part_year" and "2023-03-01" in t["notes"][0]["zh"]


def test_a_county_of_equal_firms_scores_each_term_at_its_weight(result: Any) -> None:
    liyang = result.benchmarks_json()["溧阳市"]
    assert liyang["tax_per_mu"] == Decimal("20.00") and liyang["rnd_share"] == Decimal("0.0300")
    assert by_name(result)["G1"]["score"] == 100.0


def test_class_edges_and_ranks() -> None:
    cuts = POLICY.classes
    ranks = np.array([1, 4, 5, 12, 13, 19, 20])
    # Of 20 graded: 4/20 = 20% A; 5/20 B; 12/20 = 60% B; 13/20 C; 19/20 = 95% C; 20/20 D.
    assert classes_of(ranks, 20, cuts).tolist() == ["A", "A", "B", "B", "C", "C", "D"]
    assert competition_ranks(np.array([50, 90, 50, 10])).tolist() == [2, 1, 2, 4]
    assert classes_of(np.array([1, 2]), 2, (ClassCut("X", Fraction(1, 2)), ClassCut("Y", Fraction(1)))).tolist() == ["X", "Y"]


def test_a_score_exactly_half_a_hundredth_rounds_up() -> None:
    # One indicator carries all the weight (100); the others weigh nothing.
    policy = evaluation_policy_from_dict({"code": "t", "evaluation": {
        "weights": {"tax_per_mu": 100, "sales_per_mu": 0, "tax_per_energy": 0, "tax_per_emission": 0, "labour_productivity": 0,
                    "rnd_share": 0}, "cap": 1.5, "classes": [{"class": "A", "up_to": 1}]}})
    rows = [firm("P", "武进区", 1, 123.45, None, None, None, None, None, None),
            firm("Q", "武进区", 1, 1876.55, None, None, None, None, None, None)]
    found = by_name(evaluate(firms_of(rows, 2023), policy))
    # Benchmark 2 000 ÷ 2 = 1 000.00; P: 100 × 123.45 ÷ 1 000 = 12.345 exactly → 12.35 (12.345 in binary is 12.3449…);
    # Q: 100 × 1 876.55 ÷ 1 000 = 187.655 → capped at 150.
    assert (found["P"]["score"], found["Q"]["score"]) == (12.35, 150.0)
    assert found["P"]["terms"]["tax_per_mu"] == 12.35


def test_bad_policies_are_refused() -> None:
    base = {"weights": dict.fromkeys(("tax_per_mu", "sales_per_mu", "tax_per_energy", "tax_per_emission", "labour_productivity",
                                      "rnd_share"), 10), "cap": 1.5, "classes": [{"class": "A", "up_to": "20%"}, {"class": "B", "up_to": 1}]}
    evaluation_policy_from_dict({"code": "ok", "evaluation": base})
    with pytest.raises(ValueError, match="must name exactly"):
        evaluation_policy_from_dict({"code": "x", "evaluation": {**base, "weights": {"tax_per_mu": 100}}})
    with pytest.raises(ValueError, match="rising cut-offs"):
        evaluation_policy_from_dict({"code": "x", "evaluation": {**base, "classes": [{"class": "A", "up_to": 1}, {"class": "B", "up_to": 1}]}})
    with pytest.raises(ValueError, match="kept for firms"):
        evaluation_policy_from_dict({"code": "x", "evaluation": {**base, "classes": [{"class": "T", "up_to": 1}]}})
