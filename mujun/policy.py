"""Threshold policies as data: YAML files shipped in `mujun/policies/`, one per city and year."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

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


def load_policy(code: str) -> Policy:
    """The policy named `code` (e.g. `changzhou-2018`), from the package's policy files."""
    path = resources.files("mujun") / "policies" / f"{code}.yaml"
    if not path.is_file():
        raise PolicyNotFound(f"no policy {code!r}; available: {', '.join(available_policies())}")
    return policy_from_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
