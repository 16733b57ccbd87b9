"""The violation report as CSV, XLSX, GeoJSON and printable HTML (with a folium map).

Every format shows the same report (`layers.violations.ViolationReport`): the parcels its filters select,
with Chinese headers carrying their units (万元, 亩, 万元/亩, m²). CSV holds the violation rows only, with
a BOM so that Excel reads it as UTF-8. The HTML loads Leaflet from the app's own `/vendor/leaflet/`:
the report must open on a government intranet with no internet, so no URL in it leaves the server.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import folium
import psycopg
import rustpy_xlsxwriter
from sqlalchemy import Connection, case, func

from layers.basemaps import Basemap
from layers.catalogue import StyleClass, load_catalogue
from layers.records import for_psycopg
from layers.violations import FILTER_NAMES, ViolationFilters, ViolationReport, check_known, violations_select
from mujun.access import Access

TITLE = "亩均投资强度未达标项目报告"
LEAFLET_JS = "/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/vendor/leaflet/leaflet.css"
NUMBER_FORMAT = "#,##0.00"
RATIO_FORMAT = "0.0000"
COUNT_FORMAT = "0"
PERCENT_FORMAT = "0.00%"
HEADER_FILL = "#DDE5F0"

STATUS_LABELS = {"meets": "达标", "below": "未达标", "not_assessed": "不考核", "outside_zone": "园区外"}
ZONE_CLASS_LABELS = {"development_zone": "省级以上开发区", "industrial_cluster": "工业集中区"}
FLAG_LABELS = {
    "area_mismatch": "面积不符", "straddles_zones": "跨园区", "geometry_repaired": "几何已修复",
    "spans_zones": "项目跨园区", "unknown_project": "项目未登记", "missing_investment": "缺投资额",
}
ISSUE_LABELS = {
    "outside_zone": "不在任何园区内（无门槛，不作违规）",
    "straddles_zones": "跨园区（所在园区不足宗地面积一半）",
    "area_mismatch": "出让面积与图形面积相差超过1%",
}
FILTER_LABELS = {
    "jurisdiction": "辖区", "zone": "园区编码", "zone_class": "园区类别", "stage": "项目阶段", "industry": "所属行业",
    "level": "项目级别", "status": "状态", "band": "色带",
}


def _classes_of(layer_id: str) -> dict[str, StyleClass]:
    """A map layer's classes (labels and colours), from the layer catalogue (never written twice)."""
    layer = load_catalogue().get(layer_id)
    return {style.value: style for style in layer.style.classes} if layer else {}


def _band_classes() -> dict[str, StyleClass]:
    return _classes_of("parcels")


def _labels(values: Iterable[str], table: dict[str, str]) -> str:
    return "、".join(table.get(value, value) for value in values)


@dataclass(frozen=True)
class Column:
    """One column of a table: the record field, the Chinese header with its unit, how it is shown."""

    key: str
    header: str
    kind: str = "text"  # text; code (never wrapped); number (2 decimals: money, areas, intensities); ratio; count; or a label table

    def value(self, record: dict[str, Any]) -> Any:
        value = record.get(self.key)
        table = _label_table(self.kind)
        if table is not None:
            return _labels(value if isinstance(value, list) else [value] if value else [], table) or None
        return value

    @property
    def css_class(self) -> str:
        return "num" if self.kind in NUMBER_FORMATS else "code" if self.kind == "code" else "text"

    def text(self, record: dict[str, Any]) -> str:
        value = self.value(record)
        if value is None:
            return ""
        if self.kind == "number":
            return f"{value:,.2f}"
        if self.kind == "ratio":
            return f"{value:.4f}"
        if self.kind == "percent":
            return f"{value * 100:.2f}%"
        return str(value)


def _label_table(kind: str) -> dict[str, str] | None:
    """The Chinese labels of a coded column (status, band, …), or None for a column shown as it is."""
    if kind == "band":
        return {value: style.label.zh for value, style in _band_classes().items()}
    return {"status": STATUS_LABELS, "zone_class": ZONE_CLASS_LABELS, "flags": FLAG_LABELS,
            "issues": ISSUE_LABELS}.get(kind)


NUMBER_FORMATS = {"number": NUMBER_FORMAT, "ratio": RATIO_FORMAT, "count": COUNT_FORMAT, "percent": PERCENT_FORMAT}
CSV_DECIMALS = {"number": 2, "ratio": 4}

PROJECT_COLUMNS = (
    Column("parcel_code", "宗地编号", "code"), Column("project_code", "项目编号", "code"), Column("project_name", "项目名称"),
    Column("enterprise", "企业名称"),
)
ZONE_COLUMNS = (
    Column("jurisdiction", "所属辖区"), Column("zone_code", "园区编码", "code"), Column("zone_name", "园区名称"),
    Column("zone_class", "园区类别", "zone_class"),
)
RESULT_COLUMNS = (
    Column("total_investment_wan", "项目总投资(万元)", "number"),
    Column("intensity_wan_per_mu", "亩均投资强度(万元/亩)", "number"),
    Column("threshold_wan_per_mu", "投资强度门槛(万元/亩)", "number"),
    Column("ratio", "强度÷门槛", "ratio"),
    Column("shortfall_wan", "项目投资缺口(万元)", "number"),
)
VIOLATION_COLUMNS = (
    *PROJECT_COLUMNS, Column("industry", "所属行业"), Column("stage", "项目阶段"), Column("level", "项目级别"),
    *ZONE_COLUMNS,
    Column("area_m2", "图形面积(平方米)", "number"), Column("recorded_area_m2", "出让面积(平方米)", "number"),
    Column("area_mu", "宗地面积(亩)", "number"), Column("project_area_mu", "项目用地面积(亩)", "number"),
    Column("parcel_count", "项目宗地数", "count"), *RESULT_COLUMNS,
    Column("status", "状态", "status"), Column("band", "色带", "band"), Column("flags", "标记", "flags"),
)
DATA_QUALITY_COLUMNS = (
    *PROJECT_COLUMNS, Column("issues", "问题", "issues"), *ZONE_COLUMNS,
    Column("area_m2", "图形面积(平方米)", "number"), Column("recorded_area_m2", "出让面积(平方米)", "number"),
    Column("area_mu", "宗地面积(亩)", "number"), *RESULT_COLUMNS, Column("status", "状态", "status"),
)
SUMMARY_COLUMNS = (
    Column("group", "汇总范围"), Column("jurisdiction", "辖区"), Column("zone_code", "园区编码"),
    Column("zone_name", "园区名称"), Column("zone_class", "园区类别", "zone_class"),
    Column("projects", "项目数", "count"), Column("parcels", "宗地数", "count"),
    Column("area_mu", "用地面积(亩)", "number"), Column("total_investment_wan", "总投资(万元)", "number"),
    Column("intensity_wan_per_mu", "平均亩均投资强度(万元/亩)", "number"),
    Column("threshold_wan_per_mu", "门槛(万元/亩，按面积加权)", "number"), Column("ratio", "强度÷门槛", "ratio"),
    Column("required_investment_wan", "达标所需投资(万元)", "number"),
    Column("shortfall_wan", "投资缺口合计(万元)", "number"),
)
SORT_HEADERS = {column.key: column.header for column in VIOLATION_COLUMNS}


def describe(report: ViolationReport) -> str:
    """The filters and the policy in one line, as the first line of every sheet and of the HTML."""
    chosen = report.filters.as_dict()
    # The coded filters (zone class, status, band) share their label tables with the columns of that name.
    parts = [f"{FILTER_LABELS[name]}：{_labels(chosen[name], _label_table(name) or {}) or '全部'}"
             for name in FILTER_NAMES]
    sort = report.filters.sort
    parts.append(f"排序：{SORT_HEADERS[sort.removeprefix('-')]}{'降序' if sort.startswith('-') else '升序'}")
    policy = report.summary.policy
    policy_text = f"{policy['name']}（{policy['city']}，{policy['year']}年）" if policy else "未记录"
    return (f"筛选条件 — {'；'.join(parts)}。政策：{policy_text}。投资缺口按项目计算，"
            "多宗地项目在其每宗地上显示，所有合计只计一次。")


def summary_rows(report: ViolationReport) -> list[dict[str, Any]]:
    summary = report.summary.as_json()
    return [{"group": "合计", **summary["total"]},
            *({"group": "辖区", **line} for line in summary["by_jurisdiction"]),
            *({"group": "园区", **line} for line in summary["by_zone"])]


def _csv_value(column: Column, value: Any) -> Any:
    """The column as the CSV shows it, in SQL: labels for codes, numbers rounded as on the sheets."""
    if column.kind == "flags":
        for code, label in FLAG_LABELS.items():
            value = func.array_replace(value, code, label)
        return func.nullif(func.array_to_string(value, "、"), "")
    table = _label_table(column.kind)
    if table is not None:
        return case(table, value=value, else_=value)
    if column.kind in CSV_DECIMALS:
        return func.round(value, CSV_DECIMALS[column.kind])
    return value


def to_csv(conn: Connection, access: Access, filters: ViolationFilters) -> tuple[bytes, int]:
    """The violation rows only, UTF-8 with a BOM: Excel otherwise reads the Chinese as the local code page; and
    how many rows it holds.

    PostgreSQL writes the rows (COPY … TO STDOUT, CSV) from the report's own query and order, with the
    columns formatted as above: 100,000 rows take a fraction of a second, where formatting them in
    Python took several. No summary or data-quality section is built: the CSV holds neither.
    """
    check_known(conn, filters)
    selected = violations_select(filters, access)
    fields = selected.selected_columns
    query = selected.with_only_columns(*(_csv_value(column, fields[column.key]) for column in VIOLATION_COLUMNS))
    statement, parameters = for_psycopg(query)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(column.header for column in VIOLATION_COLUMNS)
    chunks = [header.getvalue().encode("utf-8-sig")]
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", parameters) as copy:
            chunks.extend(bytes(block) for block in copy)
        rows = cursor.rowcount
    return b"".join(chunks), rows


def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _sheet(columns: Sequence[Column], records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{column.header: _cell(column.value(record)) for column in columns} for record in records]


def to_xlsx(report: ViolationReport) -> bytes:
    """Three sheets: 未达标宗地 (one row per parcel), 汇总 (summary) and 数据质量 (data quality)."""
    return xlsx_workbook([("未达标宗地", VIOLATION_COLUMNS, report.violations), ("汇总", SUMMARY_COLUMNS, summary_rows(report)),
                          ("数据质量", DATA_QUALITY_COLUMNS, report.data_quality)], describe(report))


Sheet = tuple[str, Sequence[Column], Iterable[dict[str, Any]]]


def xlsx_workbook(sheets: Sequence[Sheet], caption: str | Mapping[str, str], caption_height: float | Mapping[str, float] = 48) -> bytes:
    """A workbook for officials: on each sheet the caption (filters, policy; or each sheet's own, by name) on row 1, the
    Chinese headers with their units on row 2 (bold, frozen, with filter buttons), a row per record with its number
    format. Written by rust_xlsxwriter: 100,000 rows in about a second and a half, where the pure-Python writers take
    eight to twelve."""
    captions = caption if isinstance(caption, Mapping) else {name: caption for name, _, _ in sheets}
    heights = caption_height if isinstance(caption_height, Mapping) else {name: caption_height for name, _, _ in sheets}
    caption_format = rustpy_xlsxwriter.Format().set_text_wrap().set_align("top")
    header_format = (rustpy_xlsxwriter.Format().set_bold().set_text_wrap().set_align("vcenter")
                     .set_background_color(HEADER_FILL))
    formats = {kind: rustpy_xlsxwriter.Format().set_num_format(number_format) for kind, number_format in NUMBER_FORMATS.items()}
    names = [name for name, _, _ in sheets]
    buffer = io.BytesIO()
    rustpy_xlsxwriter.write_worksheets(
        [(name, _sheet(columns, records) or [dict.fromkeys(c.header for c in columns)]) for name, columns, records in sheets],
        buffer,
        freeze_panes={"general": {"row": 2, "col": 0}},
        header_row=dict.fromkeys(names, 1),
        header_format=dict.fromkeys(names, header_format),
        merge_ranges={name: [(0, 0, 0, len(columns) - 1, captions[name], caption_format)] for name, columns, _ in sheets},
        row_heights={name: {0: heights[name]} for name in names},
        column_widths={name: [max(10, min(30, 2 * len(c.header))) for c in columns] for name, columns, _ in sheets},
        column_formats={name: {c.header: formats[c.kind] for c in columns if c.kind in formats} for name, columns, _ in sheets},
        autofilter=dict.fromkeys(names, True),
    )
    return buffer.getvalue()


def _csv_cell(column: Column, value: Any) -> Any:
    """A value in a sheets' CSV as the sheet shows it: percentages to 0.01%, money to 0.01, ratios to 0.0001."""
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{Decimal(value) * 100:.2f}%"
    if column.kind in CSV_DECIMALS:
        return f"{Decimal(value):.{CSV_DECIMALS[column.kind]}f}"
    return value


def sheets_csv(sheets: Sequence[Sheet], caption: str) -> bytes:
    """Sheets as one CSV: the caption, then every sheet under its name with its headers, in UTF-8 with a BOM (Excel
    reads it as such)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([caption])
    for name, columns, records in sheets:
        writer.writerow([])
        writer.writerow([name])
        writer.writerow([column.header for column in columns])
        for record in records:
            writer.writerow([_csv_cell(column, column.value(record)) for column in columns])
    return out.getvalue().encode("utf-8-sig")


def to_geojson(report: ViolationReport) -> dict[str, Any]:
    """The violation parcels as an RFC 7946 FeatureCollection (CRS84), the filters as a foreign member."""
    return {
        "type": "FeatureCollection",
        "filters": report.filters.as_dict(),
        "features": [{"type": "Feature", "id": record["parcel_code"], "geometry": report.geometries[record["parcel_code"]],
                      "properties": record} for record in report.violations],
    }


def _html_table(columns: Sequence[Column], records: Iterable[dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(column.header)}</th>" for column in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td class=\"{column.css_class}\">"
                         f"{html.escape(column.text(record))}</td>" for column in columns) + "</tr>"
        for record in records
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _style_of(classes: dict[str, StyleClass], prop: str, default: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        chosen = classes.get(feature["properties"][prop]) or classes[default]
        return {"color": chosen.color, "fillColor": chosen.fill_color, "fillOpacity": chosen.fill_opacity,
                "weight": chosen.weight, "dashArray": chosen.dash_array}

    return style


def _map_parts(report: ViolationReport, basemap: Basemap | None) -> tuple[str, str, str]:
    """folium's head, body and script for a map of the listed parcels, Leaflet from the app itself, on the offline
    base map when one is configured (its tiles come from this server, as the page's do)."""
    features = to_geojson(report)
    del features["filters"]
    west = min(record["bbox"][0] for record in report.violations)
    south = min(record["bbox"][1] for record in report.violations)
    east = max(record["bbox"][2] for record in report.violations)
    north = max(record["bbox"][3] for record in report.violations)
    # Only an offline base map (a remote one may be out of reach when the report is opened); folium's defaults would
    # also pull jQuery, Bootstrap and Leaflet from CDNs, so only the locally served Leaflet is kept.
    parcel_map = folium.Map(tiles=None, height="460px", control_scale=True, zoom_control=False)
    parcel_map.default_js = [("leaflet", LEAFLET_JS)]
    parcel_map.default_css = [("leaflet_css", LEAFLET_CSS)]
    if basemap is not None:
        # Its bounds keep Leaflet from asking for the world's tiles before the map is fitted to the parcels.
        extent: dict[str, Any] = {"bounds": [[basemap.bounds[1], basemap.bounds[0]], [basemap.bounds[3], basemap.bounds[2]]]} if basemap.bounds else {}
        folium.TileLayer(tiles=basemap.url, attr=basemap.attribution or basemap.title["zh"], name=basemap.title["zh"],
                         min_native_zoom=basemap.min_zoom, max_native_zoom=basemap.max_zoom, max_zoom=22,
                         control=False, **extent).add_to(parcel_map)
    tooltip = [column for column in VIOLATION_COLUMNS if column.key in
               ("parcel_code", "project_name", "intensity_wan_per_mu", "threshold_wan_per_mu", "shortfall_wan")]
    if report.zones:  # the zones the parcels lie in or are held against, drawn under them as on the portal's map
        folium.GeoJson({"type": "FeatureCollection", "features": report.zones}, name="zones",
                       style_function=_style_of(_classes_of("zones"), "zone_class", "development_zone"),
                       tooltip=folium.GeoJsonTooltip(["zone_code", "name"], ["园区编码", "园区名称"])).add_to(parcel_map)
    folium.GeoJson(features, style_function=_style_of(_band_classes(), "band", "none"),
                   tooltip=folium.GeoJsonTooltip([c.key for c in tooltip], [c.header for c in tooltip])).add_to(parcel_map)
    parcel_map.fit_bounds([[south, west], [north, east]])
    figure = parcel_map.get_root()
    assert isinstance(figure, folium.Figure)
    figure.render()
    return figure.header.render(), figure.html.render(), figure.script.render()


PRINT_CSS = """
html, body { width: auto; height: auto; }
body { font-family: "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
       margin: 16px 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 20px 0 6px; }
.caption { font-size: 13px; color: #444; } .legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; border: 1px solid #555; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border: 1px solid #bbb; padding: 3px 5px; } th { background: #dde5f0; }
td.num, td.code { white-space: nowrap; } td.num { text-align: right; }
.leaflet-control-scale-line + .leaflet-control-scale-line { display: none; }  /* metric only */
@page { size: A4 landscape; margin: 10mm; }
@media print { body { margin: 0; } table { font-size: 8px; } th, td { padding: 1px 2px; }
               section { break-inside: avoid-page; } thead { display: table-header-group; } }
"""


def to_html(report: ViolationReport, *, today: date | None = None, basemap: Basemap | None = None) -> str:
    """A printable report: filters and policy, a map of the listed parcels (on `basemap`), summary, violations, data
    quality."""
    head, body, script = _map_parts(report, basemap) if report.violations else ("", "<p>没有符合筛选条件的宗地。</p>", "")
    zone_keys = "".join(f"<span><i style=\"background:#fff;border:2px {'dashed' if style.dash_array else 'solid'} {style.color}\">"
                        f"</i>{html.escape(style.label.zh)}</span>" for style in _classes_of("zones").values()) if report.zones else ""
    legend = zone_keys + "".join(f"<span><i style=\"background:{style.fill_color}\"></i>{html.escape(style.label.zh)}</span>"
                                 for style in _band_classes().values())
    day = (today or date.today()).isoformat()
    sections = [
        f"<h1>{TITLE}</h1><p class=\"caption\">生成日期：{day}</p>",
        f"<p class=\"caption\">{html.escape(describe(report))}</p>",
        f"<section><h2>分布图</h2><div class=\"legend\">{legend}</div>{body}</section>",
        f"<section><h2>汇总</h2>{_html_table(SUMMARY_COLUMNS, summary_rows(report))}</section>",
        f"<section><h2>未达标宗地（{len(report.violations)}）</h2>{_html_table(VIOLATION_COLUMNS, report.violations)}</section>",
        f"<section><h2>数据质量（{len(report.data_quality)}）</h2>"
        f"{_html_table(DATA_QUALITY_COLUMNS, report.data_quality)}</section>",
    ]
    return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{TITLE}</title>\n"
            f"{head}\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n{''.join(sections)}\n"
            f"<script>{script}</script>\n</body>\n</html>\n")


def geojson_bytes(report: ViolationReport) -> bytes:
    return json.dumps(to_geojson(report), ensure_ascii=False).encode("utf-8")
