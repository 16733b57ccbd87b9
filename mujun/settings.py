"""Settings, split by concern, all read from `MUJUN_*` variables (and `DATABASE_URL`).

Nothing here is created at import time: callers build a `Settings()` when they need one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseSettings(BaseSettings):
    """Where PostGIS is: `DATABASE_URL`, or the project's own cluster (`mujun.localdb`: under `.var/`, or where it can live)."""

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore", populate_by_name=True)

    url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "MUJUN_DATABASE_URL"))
    read_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_READ_URL", "MUJUN_DATABASE_READ_URL"))
    """A streaming replica for the read routes; loads, accounts, sessions and the audit stay on `url`."""
    local_dir: Path | None = None
    """The local cluster's folder; unset: `.var/postgres` in the checkout, or one named for it where the cluster's user
    can reach (`mujun.localdb.candidate_directories`)."""
    local_name: str = "mujun"


class RuleSettings(BaseSettings):
    """Which policy the portal holds projects against, and the dated USD rate for 美元 investments."""

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore")

    policy: str = "changzhou-2018"
    usd_cny_rate: Decimal | None = None
    usd_cny_rate_date: date | None = None
    gk_central_meridian: int | None = None
    """For Gauss-Krüger x/y typed without a zone number; unset: the meridian of the loaded data's zone."""


class WebSettings(BaseSettings):
    """The HTTP service: the page's files, PDFs and vector tiles."""

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore")

    web_dir: Path = PROJECT_ROOT / "web"
    chromium: str | None = None
    """The Chromium that prints PDFs; unset: `chromium` on the PATH (Debian's package)."""
    tile_cache_mb: int = 64
    """The in-process cache of hot vector tiles, per worker."""
    tile_max_age_s: int = 0
    """`Cache-Control: max-age` of a tile; 0: browsers and proxies revalidate (ETag) on every use."""
    anonymous_role: str | None = None
    """The role of requests without credentials (viewer or analyst; never editor or admin); unset: none, sign in."""
    upload_dir: Path = PROJECT_ROOT / ".var" / "uploads"
    """Where files uploaded for a load wait between their check and their load (removed after the load, or a day on)."""
    trust_proxy: bool = False
    """Behind a reverse proxy: take the client's address from X-Forwarded-For and TLS from X-Forwarded-Proto."""


SourceCrs = Literal["wgs84", "cgcs2000", "gcj02", "bd09"]
"""The datum of a base map's tiles: WGS84 and CGCS2000 (Tianditu) on the Web Mercator grid are drawn as they come,
centimetres apart; GCJ-02 (Gaode, Tencent, Web Mercator grid) and BD-09 (Baidu, on its own BD-09MC grid, tiles
numbered from BD-09MC (0, 0) northward, `{z}` Baidu's level) are redrawn in WGS84 by the portal."""


class BasemapSource(BaseModel):
    """A base map by URL template (XYZ, or RESTful/KVP WMTS on the Web Mercator grid), fetched by the portal."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    title: str
    url: str = Field(description="{z}, {x}, {y} (or {-y} for TMS rows), {s} for a subdomain; may hold a key")
    crs: SourceCrs = "wgs84"
    attribution: str = ""
    format: Literal["png", "jpg"] = "png"
    subdomains: str = ""
    max_zoom: int = Field(default=18, ge=0, le=22)
    labels_url: str | None = None
    """A label layer drawn over it (as Tianditu's), same template rules."""


class BasemapSettings(BaseSettings):
    """Base maps: an offline MBTiles or PMTiles file, Tianditu with its key, and sources by URL (Gaode/Tencent in GCJ-02,
    Baidu in BD-09).

    The portal serves every one of them from its own address (`/basemaps/...`): the browser never holds a key
    and never leaves the portal, and the printing browser can draw them too.
    """

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore")

    basemap_mbtiles: Path | None = None
    """An MBTiles or PMTiles file (raster PNG/JPEG/WebP or vector MVT tiles), served offline as the base map `local`."""
    basemap_mbtiles_title: str = "离线底图"
    tianditu_key: SecretStr | None = None
    """天地图 developer key (tk): kept on the server, which fetches the tiles."""
    tianditu_url: str = "https://t{s}.tianditu.gov.cn"
    """Where Tianditu's WMTS services live ({s}: 0–7); changed only to reach a mirror (or a test's fake)."""
    basemap_url: str | None = None
    basemap_title: str = "底图"
    basemap_attribution: str = ""
    basemap_crs: SourceCrs = "wgs84"
    basemaps: list[BasemapSource] = Field(default_factory=list)
    """More sources, as a JSON list of objects with the fields of `BasemapSource`."""
    basemap_default: str | None = None
    """The id of the base map the page opens with, or `none`; unset: the first configured."""
    basemap_max_age_s: int = 86400
    """`Cache-Control: max-age` of a base-map tile."""
    basemap_cache_mb: int = 64
    """The in-process cache of fetched base-map tiles, per worker."""
    basemap_timeout_s: float = 10.0
    """How long the portal waits for a remote base-map tile."""


class Settings:
    """All settings of one process, grouped by concern."""

    def __init__(
        self,
        database: DatabaseSettings | None = None,
        rules: RuleSettings | None = None,
        web: WebSettings | None = None,
        basemaps: BasemapSettings | None = None,
    ) -> None:
        self.database = database or DatabaseSettings()
        self.rules = rules or RuleSettings()
        self.web = web or WebSettings()
        self.basemaps = basemaps or BasemapSettings()
