"""Which CRS a file's coordinates are in: as declared, as given on the command line, or as their numbers show.

Without a declaration the numbers tell lon/lat inside China (either order), a Gauss-Krüger easting with
the zone number in front (≈ 40 500 000 → zone 40, EPSG:4528) and, when the city's central meridian is
configured, one without. Anything else is refused with the ranges seen and the option that settles it.
Every decision that was not a plain declaration is returned as an inference, in English and Chinese.

A CRS on an older datum (Beijing 1954, Xi'an 1980, a city's own) is refused unless it carries its seven
parameters (`+towgs84`): PROJ knows no transformation from those datums to CGCS2000 and would only take
the coordinates as they are, tens of metres off (a "ballpark" shift).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from mujun import rules
from mujun.coords import CHINA_LAT, CHINA_LON, GK_EASTING, GK_NORTHING, GK_PREFIXED_EASTING
from mujun.errors import InputError, Problem

Bounds = tuple[float, float, float, float]
GCJ02 = "gcj02"
SAME_AS_CGCS2000 = ("china2000", "cgcs2000", "chinageodeticcoordinatesystem2000", "worldgeodeticsystem1984", "wgs84", "wgs1984",
                    "internationalterrestrialreferenceframe", "itrf")
"""Datums within centimetres of CGCS2000, by the start of their names as .prj files spell them (`D_China_2000`,
`CGCS2000`, `D_WGS_1984`, `ITRF2014`…, lower case, letters and digits only): their coordinates are taken as CGCS2000 ones."""
UNNAMED_DATUMS = ("unknown", "notspecified", "none")
GEOCENTRIC_FLATTENINGS = (298.257222101, 298.257223563)
"""Inverse flattenings of the CGCS2000/GRS 1980 and WGS 84 ellipsoids, whose semi-major axis is 6 378 137 m."""
PLAIN_LONLAT = ("China Geodetic Coordinate System 2000", "WGS 84", "WGS 84 (CRS84)")


class UnknownDatumShift(Exception):
    """No transformation from the CRS's datum to CGCS2000 is known; the message says what to give."""

    def __init__(self, crs: CRS, datum: str) -> None:
        self.value = f"{crs.name} ({datum})"
        self.zh = (f"坐标系的大地基准为 {datum}，与 CGCS2000 之间没有已知的转换，按原值读取会偏差数十米：请用 --crs 给出带七参数的"
                   "定义（+towgs84=…，向测绘部门索取），或先在 GIS 中转换为 CGCS2000；若坐标实为 CGCS2000，请给出 --crs EPSG:…（如 EPSG:4549）")
        self.en = (f"the CRS is on the {datum} datum, and no transformation from it to CGCS2000 is known: read as they are, the "
                   "coordinates would be tens of metres off. Give --crs with its seven parameters (+towgs84=…, from the surveying "
                   "office) or convert the file to CGCS2000 first; if the coordinates are in fact CGCS2000, give --crs EPSG:… "
                   "(such as EPSG:4549)")
        super().__init__(self.en)


def datum_name(crs: CRS) -> str:
    geodetic = crs.geodetic_crs
    return geodetic.datum.name if geodetic is not None and geodetic.datum is not None else "unknown"


def _plain(name: str) -> str:
    name = name.lower()
    return re.sub(r"[^a-z0-9]", "", name[2:] if name.startswith("d_") else name)


def _geocentric_ellipsoid(crs: CRS) -> str | None:
    """The name of the CRS's ellipsoid where it is that of CGCS2000 (GRS 1980) or WGS 84, else None."""
    ellipsoid = crs.ellipsoid
    if (ellipsoid is not None and ellipsoid.semi_major_metre == 6378137.0
            and any(abs(ellipsoid.inverse_flattening - f) < 1e-6 for f in GEOCENTRIC_FLATTENINGS)):
        return str(ellipsoid.name)
    return None


def to_cgcs2000(crs: CRS) -> tuple[Transformer | None, str | None]:
    """How coordinates in `crs` become CGCS2000 lon/lat, and what to record of it (None: nothing to say).

    No transformer: they are lon/lat on CGCS2000 or WGS 84 already (centimetres apart, DOMAIN.md). A CRS with
    its seven parameters (`+towgs84`) is shifted by them to WGS 84, taken as CGCS2000. A datum left unnamed on the
    CGCS2000 or WGS 84 ellipsoid (no older Chinese datum uses them) is taken as CGCS2000, and said so. Raises
    UnknownDatumShift for any other datum."""
    if crs.is_bound:
        return (Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
                f"reprojected from {crs.name} ({datum_name(crs)}) with its seven-parameter datum shift (+towgs84) to WGS 84, "
                "taken as CGCS2000 (EPSG:4490) / 按给出的七参数转换到 WGS 84，视同 CGCS2000")
    datum = datum_name(crs)
    plain, ellipsoid = _plain(datum), _geocentric_ellipsoid(crs)
    assumed = None
    if plain.startswith(UNNAMED_DATUMS) and ellipsoid is not None:
        assumed = (f"the datum is not named and the ellipsoid is {ellipsoid} (a = 6 378 137 m): "
                   "taken as CGCS2000 / 未注明大地基准，椭球为 CGCS2000/WGS 84 椭球：按 CGCS2000 读取")
    elif not plain.startswith(SAME_AS_CGCS2000):
        raise UnknownDatumShift(crs, datum)
    if crs.is_geographic and crs.to_epsg() in (4490, 4326, None) and crs.name in PLAIN_LONLAT:
        return None, assumed
    how = f"reprojected from {crs.name} to CGCS2000 (EPSG:4490)"
    return (Transformer.from_crs(crs, rules.GEOGRAPHIC_SRID, always_xy=True),
            how if assumed is None else f"{how}; {assumed}")


@dataclass
class CrsDecision:
    crs: str | None
    swap_axes: bool = False
    from_gcj02: bool = False
    inferences: list[str] = field(default_factory=list)


def _within(low: float, high: float, span: tuple[float, float]) -> bool:
    return span[0] <= low and high <= span[1]


def _ranges(bounds: Bounds) -> str:
    minx, miny, maxx, maxy = bounds
    return f"x {minx:.3f} … {maxx:.3f}, y {miny:.3f} … {maxy:.3f}"


def _refuse(name: str, bounds: Bounds, zh: str, en: str) -> InputError:
    return InputError([Problem(name, "文件 file", "geometry", _ranges(bounds), zh, en)])


def _lonlat_order(bounds: Bounds) -> bool | None:
    """True: lon/lat; False: lat/lon (swapped); None: not degrees inside China."""
    minx, miny, maxx, maxy = bounds
    if _within(minx, maxx, CHINA_LON) and _within(miny, maxy, CHINA_LAT):
        return True
    if _within(miny, maxy, CHINA_LON) and _within(minx, maxx, CHINA_LAT):
        return False
    return None


def _gauss_kruger(name: str, bounds: Bounds, central_meridian: int | None) -> CrsDecision | None:
    """A Gauss-Krüger zone from eastings and northings in metres (either order), or None."""
    minx, miny, maxx, maxy = bounds
    for swap, (e0, e1, n0, n1) in ((False, (minx, maxx, miny, maxy)), (True, (miny, maxy, minx, maxx))):
        if not _within(n0, n1, GK_NORTHING):
            continue
        order = " (northing first: axes swapped / 北坐标在前：已交换坐标轴)" if swap else ""
        if _within(e0, e1, GK_PREFIXED_EASTING):
            zone = int(e0 // 1_000_000)
            if zone != int(e1 // 1_000_000):
                raise _refuse(name, bounds, "横坐标的带号不止一个：请按带分开文件或给出 --crs EPSG:…",
                              "the eastings carry more than one zone number: split the file by zone or give --crs EPSG:…")
            epsg = 4513 + zone - 25  # zone 25 (CM 75°E) is EPSG:4513 … zone 40 (CM 120°E) is EPSG:4528
            return CrsDecision(f"EPSG:{epsg}", swap, inferences=[
                f"{name}: CRS not declared: coordinates read as Gauss-Krüger 3° zone {zone} (EPSG:{epsg}, "
                f"zone number in front of the easting){order} / 未声明坐标系：按高斯-克吕格 3 度带第 {zone} 带（带号在横坐标前）读取"])
        if _within(e0, e1, GK_EASTING):
            if central_meridian is None:
                raise _refuse(
                    name, bounds,
                    "未声明坐标系，坐标像无带号的高斯-克吕格坐标，但中央经线未知：请给出 --crs EPSG:…（如 120°E 为 EPSG:4549）"
                    "或配置 MUJUN_GK_CENTRAL_MERIDIAN",
                    "no CRS is declared and the coordinates look like Gauss-Krüger without a zone number, but the central "
                    "meridian is unknown: give --crs EPSG:… (EPSG:4549 for 120°E) or set MUJUN_GK_CENTRAL_MERIDIAN")
            epsg = 4534 + (central_meridian - 75) // 3
            return CrsDecision(f"EPSG:{epsg}", swap, inferences=[
                f"{name}: CRS not declared: coordinates read as Gauss-Krüger without zone number, central meridian "
                f"{central_meridian}°E (MUJUN_GK_CENTRAL_MERIDIAN) → EPSG:{epsg}{order} / "
                f"未声明坐标系：按中央经线 {central_meridian}°E 的高斯-克吕格坐标读取"])
    return None


def _from_numbers(name: str, bounds: Bounds, central_meridian: int | None, why: str) -> CrsDecision:
    order = _lonlat_order(bounds)
    if order is not None:
        swapped = "" if order else " in lat/lon order: axes swapped / 纬度在前：已交换坐标轴"
        return CrsDecision(f"EPSG:{rules.GEOGRAPHIC_SRID}", not order, inferences=[
            f"{name}: {why}: coordinates read as lon/lat CGCS2000 (EPSG:4490){swapped} / 按经纬度（CGCS2000）读取"])
    found = _gauss_kruger(name, bounds, central_meridian)
    if found is None:
        raise _refuse(name, bounds,
                      "未声明坐标系，且坐标既不是中国范围内的经纬度，也不是高斯-克吕格坐标：请给出 --crs EPSG:…，"
                      "若为高德/腾讯地图坐标请给出 --from gcj02",
                      "no CRS is declared and the coordinates are neither lon/lat inside China nor Gauss-Krüger: give "
                      "--crs EPSG:…, or --from gcj02 for Gaode/Tencent coordinates")
    return found


def decide_crs(name: str, bounds: Bounds | None, declared: str | None, given: str | None,
               central_meridian: int | None) -> CrsDecision:
    """How to read a file's coordinates. `given` is `--crs EPSG:…` or `--from gcj02`; `declared` the file's own."""
    if given is not None and given.strip().lower().replace("-", "") == GCJ02:
        if bounds is None:
            return CrsDecision("EPSG:4326", from_gcj02=True)
        order = _lonlat_order(bounds)
        if order is None:
            raise _refuse(name, bounds, "声明为 GCJ-02，但坐标不是中国范围内的经纬度", "declared GCJ-02 but the coordinates are not lon/lat inside China")
        swapped = "" if order else " (lat/lon order: axes swapped / 纬度在前：已交换坐标轴)"
        return CrsDecision("EPSG:4326", not order, True, [
            f"{name}: coordinates declared GCJ-02 (--from gcj02): converted to WGS84{swapped} / 按 GCJ-02（火星坐标）读取并转换为 WGS84"])
    if given is not None:
        try:
            crs = CRS.from_user_input(given)
        except CRSError as exc:
            raise InputError([Problem(name, "文件 file", "--crs", given, "无法识别的坐标系，应为如 EPSG:4549",
                                      "the CRS given is not recognised; expected e.g. EPSG:4549")]) from exc
        overriding = f", overriding the declared {declared}" if declared else ""
        return CrsDecision(given, inferences=[f"{name}: CRS {crs.name} as given (--crs {given}){overriding} / 坐标系按指定的 {given} 读取"])
    if bounds is None:
        return CrsDecision(declared)
    if declared is None:
        return _from_numbers(name, bounds, central_meridian, "CRS not declared / 未声明坐标系")
    try:
        geographic = CRS.from_user_input(declared).is_geographic
    except CRSError:
        return CrsDecision(declared)  # check.py names the unrecognised declaration
    minx, miny, maxx, maxy = bounds
    if geographic and _lonlat_order(bounds) is False:
        return CrsDecision(declared, True, inferences=[
            f"{name}: coordinates in lat/lon order: axes swapped / 坐标为纬度在前：已交换坐标轴"])
    if geographic and (max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90):
        return _from_numbers(name, bounds, central_meridian,
                             f"declared {declared} but the numbers are metres, not degrees / 声明为经纬度但坐标是米")
    return CrsDecision(declared)
