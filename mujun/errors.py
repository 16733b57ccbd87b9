"""One base error with a status code and a public message in Chinese and English.

Routers turn these into JSON; anything else is logged in full and answered with a generic message, so a
stack trace never reaches a user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class MujunError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, zh: str, en: str, *, code: str | None = None, status_code: int | None = None,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.details = details or []

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": {"zh": self.zh, "en": self.en}}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(MujunError):
    status_code = 404
    code = "not_found"


class WarningKind(StrEnum):
    """What a warning is about: stable from one version to the next, since a load's summary groups its warnings by
    it and the load history stores it (`Problem.code`)."""

    GEOMETRY_REPAIRED = "geometry_repaired"
    OUTSIDE_ZONE = "outside_zone"
    STRADDLES_ZONES = "straddles_zones"
    AREA_MISMATCH = "area_mismatch"
    UNKNOWN_PROJECT = "unknown_project"
    PARCEL_MOVED = "parcel_moved"
    GEOMETRY_REPLACED = "geometry_replaced"
    OVERLAP = "overlap"
    NO_PARCEL = "no_parcel"
    HEADLESS_COLUMN = "headless_column"
    OTHER_DISTRICT = "other_district"
    NEGATIVE_MONTH = "negative_month"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, feature or row, field), what was seen, what was expected."""

    file: str
    location: str
    field: str | None
    value: str | None
    expected_zh: str
    expected_en: str
    severity: str = "error"
    code: str | None = None
    """A warning's kind (a `WarningKind`); None for an error, and for a warning stored before warnings had kinds."""

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Problem:
        """A problem as `as_dict` gave it (the load history keeps warnings so), whichever version stored it."""
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})

    def message(self, lang: str) -> str:
        where = f"{self.file}, {self.location}"
        if self.field:
            where += f", {'字段' if lang == 'zh' else 'field'} {self.field}"
        seen = ""
        if self.value is not None:
            seen = f"：值 {self.value!r}，" if lang == "zh" else f": value {self.value!r}, "
        else:
            seen = "：" if lang == "zh" else ": "
        return where + seen + (self.expected_zh if lang == "zh" else self.expected_en)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": {"zh": self.message("zh"), "en": self.message("en")}}


class InputError(MujunError):
    """Input that cannot be loaded; `problems` says exactly where and why."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more_zh = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first.message("zh") + more_zh, first.message("en") + more_en,
                         details=[p.as_dict() for p in problems])
