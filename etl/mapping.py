"""The field-mapping file (YAML) for headers that are neither the English names nor the Chinese aliases.

```yaml
parcels:            # zones, parcels, projects or constraints
  地块号: parcel_code
  面积(公顷): recorded_area_m2   # a unit in brackets converts the column into the field's unit
projects:
  投资额(亿元): total_investment
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from etl.columns import ArrowColumns
from etl.fields import FIELDS_BY_KIND, MappedHeader, normalise_header
from mujun.errors import InputError, Problem


@dataclass(frozen=True)
class FieldMapping:
    name: str
    by_kind: dict[str, dict[str, str]]
    """kind → normalised header → field name."""

    def fields_for(self, kind: str) -> dict[str, str]:
        return self.by_kind.get(kind, {})

    def apply(self, columns: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
        """The same columns, with the headers this file maps for `kind` marked with their field."""
        mapped = self.fields_for(kind)
        names = {column: MappedHeader(column, mapped[normalise_header(column)]) if normalise_header(column) in mapped else column
                 for column in columns}
        if isinstance(columns, ArrowColumns):
            return columns.renamed(names)
        return {names[column]: values for column, values in columns.items()}


def _problem(name: str, where: str, header: str | None, value: Any, zh: str, en: str) -> Problem:
    return Problem(name, where, header, None if value is None else str(value), zh, en)


def load_mapping(path: Path) -> FieldMapping:
    """Read and validate a mapping file; every wrong kind or field name is reported at once."""
    name = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError([_problem(name, "文件 file", None, None, f"无法读取字段映射文件：{exc}",
                                   f"the field-mapping file cannot be read: {exc}")]) from exc
    kinds, kinds_en = "、".join(FIELDS_BY_KIND), ", ".join(FIELDS_BY_KIND)
    if not isinstance(document, dict):
        raise InputError([_problem(name, "文件 file", None, None, f"应为按类别（{kinds}）分组的“表头: 字段”映射",
                                   f"expected 'header: field' mappings grouped by kind ({kinds_en})")])
    problems: list[Problem] = []
    by_kind: dict[str, dict[str, str]] = {}
    for kind, entries in document.items():
        if kind not in FIELDS_BY_KIND:
            problems.append(_problem(name, f"类别 kind {kind}", None, kind, f"类别应为以下之一：{kinds}", f"the kind must be one of: {kinds_en}"))
            continue
        if not isinstance(entries, dict):
            problems.append(_problem(name, f"类别 kind {kind}", None, entries, "应为“表头: 字段”映射", "expected 'header: field' mappings"))
            continue
        names = sorted({spec.name for spec in FIELDS_BY_KIND[kind]})
        for header, field_name in entries.items():
            if field_name not in names:
                problems.append(_problem(name, f"类别 kind {kind}", str(header), field_name, f"字段应为以下之一：{'、'.join(names)}",
                                         f"the field must be one of: {', '.join(names)}"))
            by_kind.setdefault(kind, {})[normalise_header(str(header))] = str(field_name)
    if problems:
        raise InputError(problems)
    return FieldMapping(name, by_kind)
