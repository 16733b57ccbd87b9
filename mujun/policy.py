"""Threshold policies as data: YAML files shipped in `mujun/policies/`, one per city and year."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from mujun.evaluation import INDICATOR_NAMES, T_CLASS, ClassCut, EvaluationPolicy
from mujun.idle_land import IdleLandPolicy
from mujun.progress import RATE_NAMES, ProgressPolicy, Target
from mujun.rules import Policy

ZONE_CLASSES = ("development_zone", "industrial_cluster")


class PolicyNotFound(LookupError):
    pass


def available_policies() -> list[str]:
    folder = resources.files("mujun") / "policies"
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def policy_from_dict(data: dict[str, Any]) -> Policy:
    thresholds: dict[tuple[str, str], Decimal] = {}
    for group in data["groups"]:
        for zone_class, value in group["thresholds"].items():
            if zone_class not in ZONE_CLASSES:
                raise ValueError(f"policy {data['code']}: unknown zone class {zone_class!r}")
            for jurisdiction in group["jurisdictions"]:
                thresholds[(jurisdiction, zone_class)] = Decimal(str(value))
    return Policy(
        code=data["code"],
        name=data["name"],
        city=data["city"],
        year=int(data["year"]),
        thresholds=thresholds,
        project_types=frozenset(data.get("project_types", ["industrial"])),
        source=data.get("source", ""),
    )


def _policy_data(code: str) -> dict[str, Any]:
    path = resources.files("mujun") / "policies" / f"{code}.yaml"
    if not path.is_file():
        raise PolicyNotFound(f"no policy {code!r}; available: {', '.join(available_policies())}")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_policy(code: str) -> Policy:
    """The policy named `code` (e.g. `changzhou-2018`), from the package's policy files."""
    return policy_from_dict(_policy_data(code))


def _target(code: str, data: dict[str, Any], levels: dict[str, frozenset[str]]) -> Target:
    rate, level, by = data["rate"], data.get("level"), str(data["by"])
    if rate not in RATE_NAMES:
        raise ValueError(f"policy {code}: unknown rate {rate!r} in a target; rates: {', '.join(RATE_NAMES)}")
    if level is not None and level not in levels:
        raise ValueError(f"policy {code}: target level {level!r} is not among its levels ({', '.join(levels)})")
    month, _, day = by.partition("-")
    return Target(rate=rate, level=level, by=(int(month), int(day)), target=Decimal(str(data["target"])))


def progress_policy_from_dict(data: dict[str, Any]) -> ProgressPolicy:
    section = data.get("progress")
    if section is None:
        raise ValueError(f"policy {data['code']} has no `progress` section (targets and the report due day)")
    levels = {level: frozenset(str(s) for s in spellings) for level, spellings in section["levels"].items()}
    return ProgressPolicy(
        report_due_day=int(section["report_due_day"]), annual_share=Decimal(str(section["annual_share"])), levels=levels,
        targets=tuple(_target(data["code"], target, levels) for target in section.get("targets", [])),
        source=section.get("source", ""),
    )


def load_progress_policy(code: str) -> ProgressPolicy:
    """The targets, levels and report deadline of policy `code`, for the year lists it is applied to."""
    return progress_policy_from_dict(_policy_data(code))


def _fraction(code: str, name: str, value: Any) -> Fraction:
    """A share as the policy writes it: 0.25, 20%, or 1/3."""
    text = str(value).strip()
    try:
        found = Fraction(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"policy {code}: {name} should be a number, a percentage or a fraction such as 1/3 (got {value!r})") from None
    if found < 0:
        raise ValueError(f"policy {code}: {name} must not be negative (got {value!r})")
    return found


def _section(data: dict[str, Any], name: str, what: str) -> dict[str, Any]:
    section = data.get(name)
    if section is None:
        raise ValueError(f"policy {data['code']} has no `{name}` section ({what})")
    return dict(section)


def idle_land_policy_from_dict(data: dict[str, Any]) -> IdleLandPolicy:
    code = data["code"]
    section = _section(data, "idle_land", "the idle-land periods, fee and the stalled-land switch")
    stalled = dict(section["stalled"])
    return IdleLandPolicy(
        idle_after_years=int(section["idle_after_years"]), reclaimable_after_years=int(section["reclaimable_after_years"]),
        idle_fee_share=_fraction(code, "idle_fee_share", section["idle_fee_share"]),
        stalled_counts_as_idle=bool(stalled["counts_as_idle"]),
        developed_share_below=_fraction(code, "stalled.developed_share_below", stalled["developed_share_below"]),
        investment_share_below=_fraction(code, "stalled.investment_share_below", stalled["investment_share_below"]),
        stopped_years=int(stalled["stopped_years"]), source=str(section.get("source", "")),
    )


@lru_cache(maxsize=8)
def load_idle_land_policy(code: str) -> IdleLandPolicy:
    """The idle-land parameters (令第53号 Art. 2 and 14) of policy `code`."""
    return idle_land_policy_from_dict(_policy_data(code))


def evaluation_policy_from_dict(data: dict[str, Any]) -> EvaluationPolicy:
    code = data["code"]
    section = _section(data, "evaluation", "the indicators' weights, the cap and the class cut-offs")
    weights = {name: _fraction(code, f"weights.{name}", value) for name, value in dict(section["weights"]).items()}
    if set(weights) != set(INDICATOR_NAMES):
        raise ValueError(f"policy {code}: evaluation weights must name exactly {', '.join(INDICATOR_NAMES)} (got {', '.join(weights)})")
    cuts = tuple(ClassCut(str(entry["class"]), _fraction(code, f"classes.{entry['class']}", entry["up_to"])) for entry in section["classes"])
    if not cuts or cuts[-1].up_to != 1 or any(a.up_to >= b.up_to for a, b in pairwise(cuts)):
        raise ValueError(f"policy {code}: evaluation classes need rising cut-offs, the last one 1 (the rest)")
    if any(cut.name == T_CLASS for cut in cuts):
        raise ValueError(f"policy {code}: class {T_CLASS} is kept for firms in production less than the year")
    return EvaluationPolicy(weights=weights, cap=_fraction(code, "cap", section["cap"]), classes=cuts, source=str(section.get("source", "")),
                            unverified=tuple(str(name) for name in section.get("unverified", [])))


@lru_cache(maxsize=8)
def load_evaluation_policy(code: str) -> EvaluationPolicy:
    """The per-mu evaluation's weights, cap and class cut-offs of policy `code`."""
    return evaluation_policy_from_dict(_policy_data(code))
