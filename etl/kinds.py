"""What a file holds (zones, parcels, constraints or projects), told from its fields for `mujun check FILES…`."""

from __future__ import annotations

from pathlib import Path

from etl.fields import FIELDS_BY_KIND, match_columns
from etl.read import TABLE_KINDS, TABLE_SUFFIXES, FeatureSource, ReadOptions, TableSource, read_features, read_table
from mujun.errors import InputError, Problem

# The field that names each kind, in the order they are tried: parcels also carry a project code.
KIND_FIELDS = (("zones", "zone_code"), ("constraints", "constraint_type"), ("batches", "batch_code"), ("parcels", "parcel_code"),
               ("monthly", "month"), ("evaluation", "tax"), ("projects", "project_code"))


def _has_geometry(path: Path, options: ReadOptions) -> FeatureSource | TableSource:
    if path.suffix.lower() in TABLE_SUFFIXES:
        table = read_table(path, layer=options.layer, limits=options.limits)
        try:
            return read_features(path, layer=options.layer, source_crs=options.source_crs,
                                 central_meridian=options.central_meridian, limits=options.limits)
        except InputError as exc:
            if any(p.field is None and "no geometry" in p.expected_en for p in exc.problems):
                return table
            raise
    return read_features(path, layer=options.layer, encoding=options.encoding, source_crs=options.source_crs,
                         central_meridian=options.central_meridian, limits=options.limits)


def kind_of(path: Path, options: ReadOptions) -> tuple[str, str]:
    """(kind, why) from the file's fields; refuses a file whose fields name no kind."""
    source = _has_geometry(path, options)
    for kind, code_field in KIND_FIELDS:
        if kind in TABLE_KINDS and isinstance(source, FeatureSource):
            continue
        columns = options.mapping.apply(source.columns, kind) if options.mapping else source.columns
        match = match_columns(list(columns), FIELDS_BY_KIND[kind])
        if code_field in match.fields:
            header = match.fields[code_field][0]
            return kind, f"{path.name}: read as {kind} (it has {header}) / 按{_ZH[kind]}读取（含字段 {header}）"
    raise InputError([Problem(
        path.name, "文件 file", None, ", ".join(map(str, source.columns))[:200],
        "看不出文件内容：应有 园区编码（园区）、宗地编号（宗地）、约束类型（三区三线）、批次编号（批次）、无几何的 月份（月报）、"
        "税收（企业亩均效益）或 项目编号（项目）；或用 --zones/--parcels/--projects/--constraints/--monthly/--batches/--evaluation 指明",
        "cannot tell what the file holds: expected zone_code 园区编码 (zones), parcel_code 宗地编号 (parcels), constraint_type 约束类型 "
        "(constraints), batch_code 批次编号 (approval batches), month 月份 without geometry (monthly reports), tax_wan 税收 without "
        "geometry (firms' figures) or project_code 项目编号 without geometry (projects); "
        "or name it with --zones/--parcels/--projects/--constraints/--monthly/--batches/--evaluation")])


_ZH = {"zones": "园区", "parcels": "宗地", "constraints": "三区三线约束", "projects": "项目", "monthly": "月报", "batches": "批次",
       "evaluation": "企业亩均效益数据"}
