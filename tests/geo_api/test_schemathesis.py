"""Schemathesis over the OpenAPI document: every operation with generated valid and invalid input, asked of a real
server by an admin of every district; no answer may be a server error.

The printers are left out (each example would start a browser): the PDFs, whose inputs are the report's and the
siting review's, fuzzed here through those routes, and the printed map (tests/web/test_pdf.py prints it, and the
access matrix asks it a request it refuses).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from geo_api.app import create_app
from tests.access import bearer
from tests.conftest import serving, settings_for
from tests.geo_api.test_access_matrix import matrix_settings, world_url  # noqa: F401  (the module fixture)

SCHEMA = schemathesis.openapi.from_dict(create_app(settings_for("postgresql+psycopg://nobody@127.0.0.1:1/none")).openapi())
STATUSES: list[int] = []
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module")
def live(world_url: str) -> Iterator[tuple[str, dict[str, str]]]:  # noqa: F811
    with serving(create_app(matrix_settings(world_url))) as base:
        yield base, bearer(world_url)


@SCHEMA.exclude(path_regex=r"\.pdf$|^/api/print$").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case, live: tuple[str, dict[str, str]]) -> None:
    base, headers = live
    response = case.call(base_url=base, headers=headers, timeout=60)
    STATUSES.append(response.status_code)
    case.validate_response(response, checks=[not_a_server_error])
    assert "Traceback" not in response.text


def test_the_schema_names_both_ways_of_signing_in() -> None:
    schemes = SCHEMA.raw_schema["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_the_fuzzing_reached_both_answers_and_refusals() -> None:
    """Run after the fuzzing above: generated input was both accepted and refused, none of it a server error."""
    assert any(200 <= status < 300 for status in STATUSES) and any(400 <= status < 500 for status in STATUSES)
    assert max(STATUSES) < 500
