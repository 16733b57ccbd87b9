"""The bulletin's charts and map, drawn by matplotlib (Agg, no display) with the machine's CJK font.

Offline and self-contained: the font is the one fontconfig knows for Chinese (`fonts-wqy-microhei`, installed by
`make setup`), registered with matplotlib by its file; the map draws the zones and the lagging projects' land from
their GeoJSON (lon/lat, the east-west scale corrected by the cosine of the latitude), with no base map. PNG for Word,
SVG (glyphs as paths: no font needed to show it) for the PDF.
"""

from __future__ import annotations

import functools
import io
import math
import subprocess
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from layers.bulletins import BulletinData
from layers.catalogue import StyleClass, load_catalogue
from mujun.errors import MujunError
from mujun.progress import RATES, Rate

CM = 1 / 2.54
PRINCIPAL_RATES = ("investment_plan_completion", "new_start", "continuing_completion", "annual_investment_share")
"""The Changzhou rates with targets (`000_*`): the chart of rates by district shows these."""
LAGGING = (("not_started", "应开工未开工", "#c62828"), ("not_completed", "应竣工未竣工", "#ef6c00"),
           ("behind_schedule", "进度滞后", "#f9a825"))
"""The lists whose land the map draws, in the order a project in several is coloured by."""
BAR, CITY_BAR, PLAN, EXPECTED, DONE = "#3b6aa8", "#8a8f96", "#555555", "#c62828", "#1f4e9c"
LABELS = {info.name: info.zh for info in RATES}


class ChartsUnavailable(MujunError):
    status_code = 503
    code = "charts_unavailable"


@functools.cache
def cjk_font() -> str:
    """The family name of the machine's CJK font, registered with matplotlib (WenQuanYi Micro Hei when there)."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file", "family"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    fonts = [line.split(":", 1)[0].strip() for line in listed.splitlines() if ":" in line]
    fonts.sort(key=lambda path: "wqy-microhei" not in path)
    if not fonts:
        raise ChartsUnavailable("无法绘制通报图表：本机没有中文字体（apt install fonts-wqy-microhei）",
                             "cannot draw the bulletin's charts: no Chinese font is installed (apt install fonts-wqy-microhei)")
    font_manager.fontManager.addfont(fonts[0])
    name = font_manager.FontProperties(fname=fonts[0]).get_name()
    matplotlib.rcParams.update({"font.family": [name], "axes.unicode_minus": False, "svg.fonttype": "path", "svg.hashsalt": "mujun"})
    return name


def _figure(width_cm: float, height_cm: float) -> Figure:
    cjk_font()
    return Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")


def _image(figure: Figure, kind: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Software": None} if kind == "png" else {"Date": None, "Creator": None}
    figure.savefig(buffer, format=kind, dpi=200, metadata=metadata)
    return buffer.getvalue()


def _percent(rate: Decimal | None) -> float | None:
    return None if rate is None else float(rate) * 100


# ---- cumulative investment by month against the plan --------------------------------------------

def series_chart(data: BulletinData) -> Figure:
    series = data.progress.series
    months = [int(entry["month"][5:]) for entry in series]
    figure = _figure(16, 8)
    axes = figure.add_subplot()
    done = [float(entry["completed_wan"]) / 10_000 for entry in series]
    expected = [float(entry["expected_wan"]) / 10_000 for entry in series]
    planned = float(series[0]["planned_wan"]) / 10_000 if series else 0.0
    axes.plot(months, expected, color=EXPECTED, linestyle="--", marker="o", markersize=3, label="时序进度（年度计划×月数/12）")
    axes.plot(months, done, color=DONE, marker="o", markersize=4, linewidth=2, label="累计完成投资")
    axes.axhline(planned, color=PLAN, linestyle=":", label=f"年度计划 {planned:,.2f}")
    if done:
        axes.annotate(f"{done[-1]:,.2f}", (months[-1], done[-1]), textcoords="offset points", xytext=(4, -10), color=DONE, fontsize=8)
    axes.set_xticks(months, [f"{m}月" for m in months])
    axes.set_ylabel("亿元")
    axes.set_ylim(bottom=0, top=max([planned, *done, *expected, 0.01]) * 1.12)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


# ---- rates by district against the targets -------------------------------------------------------

def _groups(data: BulletinData) -> list[tuple[str, dict[str, Rate], bool]]:
    """(name, rates, is the city) for each bar: the districts (or the bulletin's one), then the whole city."""
    city = data.city_progress
    lines = [line for line in city.by_jurisdiction if data.scope.jurisdiction in (None, line["jurisdiction"])]
    return [*((line["jurisdiction"], line["rates"], False) for line in lines), ("全市", city.rates, True)]


def _rate_panel(axes: Axes, name: str, groups: Sequence[tuple[str, dict[str, Rate], bool]], data: BulletinData) -> None:
    values = [_percent(rates[name].rate) for _, rates, _ in groups]
    places = range(len(groups))
    bars = axes.bar(places, [v or 0 for v in values], color=[CITY_BAR if city else BAR for _, _, city in groups], width=0.6)
    for bar, value in zip(bars, values, strict=True):
        axes.annotate("无" if value is None else f"{value:.2f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=6, xytext=(0, 1), textcoords="offset points")
    levels: dict[tuple[Decimal, tuple[int, int]], list[str]] = {}
    for target in data.progress_policy.targets:
        if target.rate == name:
            levels.setdefault((target.target, target.by), []).append(target.level or "全部项目")
    # Labels sit at the axes' right edge (x in axes fraction, y in data): a point outside the data range is not drawn.
    edge = axes.get_yaxis_transform()
    for (goal, (month, day)), who in levels.items():
        axes.axhline(float(goal) * 100, color="#c62828", linestyle="--", linewidth=0.8)
        axes.text(0.99, float(goal) * 100, f"{'、'.join(who)}目标{float(goal) * 100:.0f}%（{month}月{day}日前）", transform=edge,
                  ha="right", va="bottom", fontsize=6, color="#c62828")
    if name == "investment_plan_completion":
        expected = _percent(data.progress.rates["time_schedule"].parts["expected_share"]) or 0
        axes.axhline(expected, color=PLAN, linestyle=":", linewidth=0.8)
        axes.text(0.01, expected, f"时序进度{expected:.2f}%", transform=edge, ha="left", va="bottom", fontsize=6, color=PLAN)
    axes.set_title(LABELS[name], fontsize=9)
    axes.set_xticks(list(places), [group for group, _, _ in groups], fontsize=6.5)
    if len(groups) > 4:  # a city's seven districts: their names slanted, each ending under its bar
        axes.tick_params(axis="x", labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    axes.set_ylim(0, 118)
    axes.set_yticks([0, 25, 50, 75, 100], ["0", "25%", "50%", "75%", "100%"], fontsize=6.5)
    axes.spines[["top", "right"]].set_visible(False)


def rates_chart(data: BulletinData) -> Figure:
    groups = _groups(data)
    figure = _figure(16, 11)
    for place, name in enumerate(PRINCIPAL_RATES):
        _rate_panel(figure.add_subplot(2, 2, place + 1), name, groups, data)
    return figure


# ---- the lagging projects' land with the city's zones ---------------------------------------------

def _outline(geometry: dict[str, Any]) -> tuple[Path, np.ndarray]:
    """A (Multi)Polygon as one path of closed rings (holes included), and its vertices (lon, lat)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = [np.asarray(ring, dtype=float)[:, :2] for polygon in polygons for ring in polygon]
    codes = [code for ring in rings for code in (Path.MOVETO, *[Path.LINETO] * (len(ring) - 2), Path.CLOSEPOLY)]
    vertices = np.concatenate(rings)
    return Path(vertices, codes), vertices


def _class_of(data: BulletinData) -> dict[str, tuple[str, str]]:
    """Each lagging project's list label and colour (the first list it is on)."""
    found: dict[str, tuple[str, str]] = {}
    for name, label, colour in LAGGING:
        for entry in data.progress.lists[name]:
            found.setdefault(entry["project_code"], (label, colour))
    return found


def _scale_bar(axes: Axes, west: float, south: float, east: float, north: float) -> None:
    km_per_degree = 111.32 * math.cos(math.radians((south + north) / 2))
    width_km = (east - west) * km_per_degree
    length = next(step for step in (0.5, 1, 2, 5, 10, 20, 50, 100) if step >= width_km / 6)
    x0, y0 = west + (east - west) * 0.04, north - (north - south) * 0.06  # top left: the legend holds the bottom right
    axes.plot([x0, x0 + length / km_per_degree], [y0, y0], color="#222222", linewidth=2)
    axes.annotate(f"{length:g} 公里", (x0, y0), xytext=(0, 3), textcoords="offset points", fontsize=6.5)
    axes.annotate("北 ↑", (east - (east - west) * 0.04, north - (north - south) * 0.04), ha="right", va="top", fontsize=8)


def _zone_styles() -> dict[str, StyleClass]:
    """The zones' classes as the portal's map draws them (the layer catalogue)."""
    layer = load_catalogue().get("zones")
    return {style.value: style for style in layer.style.classes} if layer else {}


def land_map(data: BulletinData) -> Figure:
    figure = _figure(16, 12)
    axes = figure.add_subplot()
    styles = _zone_styles()
    drawn: list[np.ndarray] = []
    for zone in data.zones:
        style = styles.get(zone["properties"]["zone_class"])
        colour = style.color if style else "#1f4e9c"
        path, vertices = _outline(zone["geometry"])
        axes.add_patch(PathPatch(path, facecolor=colour, alpha=0.08, edgecolor="none"))
        axes.add_patch(PathPatch(path, facecolor="none", edgecolor=colour, linewidth=0.7,
                                 linestyle="--" if style and style.dash_array else "-"))
        # The name under the zone, clear of the land drawn in it.
        axes.annotate(zone["properties"]["name"], (float(vertices[:, 0].mean()), float(vertices[:, 1].min())), xytext=(0, -2),
                      textcoords="offset points", ha="center", va="top", fontsize=5.5, color="#444444")
        drawn.append(vertices)
    classes = _class_of(data)
    for feature in data.land:
        _, colour = classes[feature["properties"]["project_code"]]
        path, vertices = _outline(feature["geometry"])
        axes.add_patch(PathPatch(path, facecolor=colour, edgecolor="#333333", linewidth=0.4))
        # A parcel is a few hundred metres across, a speck on a city's map: a dot on it shows where it is.
        centre = vertices.mean(axis=0)
        axes.plot(float(centre[0]), float(centre[1]), marker="o", markersize=3.5, color=colour, markeredgecolor="#333333",
                  markeredgewidth=0.4)
        drawn.append(vertices)
    every = np.concatenate(drawn)
    west, south = (float(v) for v in every.min(axis=0))
    east, north = (float(v) for v in every.max(axis=0))
    pad = max(east - west, north - south) * 0.05
    west, east, south, north = west - pad, east + pad, south - pad, north + pad
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    axes.set_axis_off()
    _scale_bar(axes, west, south, east, north)
    shown = {classes[feature["properties"]["project_code"]][0] for feature in data.land}
    handles = [Patch(facecolor=colour, edgecolor="#333333", label=label) for _, label, colour in LAGGING if label in shown]
    handles += [Patch(facecolor="none", edgecolor=s.color, linestyle="--" if s.dash_array else "-", label=s.label.zh) for s in styles.values()]
    axes.legend(handles=handles, loc="lower right", fontsize=6.5, frameon=True)
    if not data.land:
        axes.set_title("（滞后项目均无已载入的用地）", fontsize=8)
    return figure


DRAWN = {"series": series_chart, "rates": rates_chart, "land": land_map}


def images(data: BulletinData, wanted: Iterable[str], kind: str) -> dict[str, bytes]:
    """The charts named (`geo_api.bulletin.document.CHARTS`) as PNG or SVG bytes."""
    return {name: _image(DRAWN[name](data), kind) for name in wanted}
