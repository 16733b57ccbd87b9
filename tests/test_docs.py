"""Datasette's habit: every CLI command, API route and setting is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices
from typer.main import get_command

from geo_api.app import create_app
from geo_api.cli import app as cli
from mujun.settings import BasemapSettings, DatabaseSettings, RuleSettings, WebSettings
from tests.conftest import settings_for

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert re.findall(r"^make \w+", quick_start, flags=re.M) == ["make demo", "make test"]


def test_every_cli_command_is_documented() -> None:
    group = get_command(cli)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names += [f"mujun {name} {child}" for child in sub] if sub else [f"mujun {name}"]
    for name in names:
        assert f"`{name}" in README, f"{name} is not in the README"


def test_every_api_route_is_documented() -> None:
    app = create_app(settings_for("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    routes = [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]
    assert ("GET", "/api/parcels/{parcel_code}") in routes and len(routes) >= 8
    for method, path in routes:
        assert f"`{method} {path}" in README, f"{method} {path} is not in the README"
        # At most one row of the routes table begins with it (some are told in their family's row, as /ogc/api).
        rows = re.findall(rf"^\| `{re.escape(method)} {re.escape(path)}(?:\?[^`]*)?`", README, flags=re.M)
        assert len(rows) <= 1, f"{method} {path}: {len(rows)} rows in the routes table"


def test_every_setting_is_documented() -> None:
    for model in (DatabaseSettings, RuleSettings, WebSettings, BasemapSettings):
        for name, field in model.model_fields.items():
            alias = field.validation_alias
            env = alias.choices[0] if isinstance(alias, AliasChoices) else f"MUJUN_{name.upper()}"
            assert env in README, f"{env} is not in the README"
