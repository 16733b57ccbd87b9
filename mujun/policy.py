"""Threshold policies as data: YAML files shipped in `mujun/policies/`, one per city and year."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

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
