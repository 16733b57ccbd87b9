"""Read files with GDAL (through pyogrio) and tables with openpyxl or csv, into plain columns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from openpyxl import load_workbook

from mujun.errors import InputError, Problem


@dataclass
class FeatureSource:
    """Features of one layer of a vector file: geometries (shapely, as read), columns, declared CRS."""

    path: Path
    layer: str | None
    crs: str | None
    geometries: np.ndarray
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.geometries)


@dataclass
class TableSource:
    """Rows of a table (Excel or CSV); row numbers are the spreadsheet's (header = row 1)."""

    path: Path
    columns: dict[str, list[Any]]
    first_row: int = 2

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))


def _unreadable(path: Path, reason: str) -> InputError:
    return InputError([Problem(path.name, "文件 file", None, None,
                               f"无法读取：{reason}", f"cannot be read: {reason}")])


def read_features(path: Path) -> FeatureSource:
    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(path)
    except Exception as exc:  # GDAL raises many types; the official needs the reason, not the type
        raise _unreadable(path, str(exc)) from exc
    columns = {name: list(values) for name, values in zip(meta["fields"], field_data, strict=True)}
    geometries = shapely.from_wkb(wkb) if wkb is not None else np.array([None] * len(field_data[0]))
    return FeatureSource(path, meta.get("layer_name"), meta.get("crs"), geometries, columns)


def read_table(path: Path) -> TableSource:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(path)
        elif suffix == ".csv":
            rows = _csv_rows(path)
        else:
            raise _unreadable(path, f"unsupported table type {suffix} (expected .xlsx or .csv)")
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(path, str(exc)) from exc
    if not rows:
        raise _unreadable(path, "the table is empty / 表格为空")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = [row for row in rows[1:] if any(v not in (None, "") for v in row)]
    columns = {name: [row[i] if i < len(row) else None for row in body] for i, name in enumerate(header) if name}
    return TableSource(path, columns)


def _xlsx_rows(path: Path) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[tuple[Any, ...]]:
    raw = path.read_bytes()
    # UTF-8 (with or without BOM) first; GB18030 (a superset of GBK) is what Chinese Excel writes.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unreadable(path, "text is neither UTF-8 nor GB18030/GBK")
    return [tuple(v if v != "" else None for v in row) for row in csv.reader(text.splitlines())]
