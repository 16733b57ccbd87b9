"""Problems as the load history stores them: read back whichever version stored them."""

from __future__ import annotations

from mujun.errors import Problem, WarningKind


def test_a_warning_reads_back_with_its_kind_and_one_stored_before_kinds_without() -> None:
    warning = Problem("projects.xlsx", "行 row 5", "project_code", "X1", "该项目没有宗地", "the project has no parcel",
                      severity="warning", code=WarningKind.NO_PARCEL)
    stored = warning.as_dict()
    assert stored["code"] == "no_parcel" and stored["message"]["en"] == "projects.xlsx, 行 row 5, field project_code: value 'X1', the project has no parcel"
    assert Problem.from_dict(stored) == warning
    before_kinds = {key: value for key, value in stored.items() if key != "code"}  # as loads stored them until now
    assert Problem.from_dict(before_kinds) == Problem("projects.xlsx", "行 row 5", "project_code", "X1", "该项目没有宗地",
                                                      "the project has no parcel", severity="warning")
    assert Problem.from_dict(before_kinds).code is None
