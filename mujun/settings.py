"""Settings, split by concern, all read from `MUJUN_*` variables (and `DATABASE_URL`).

Nothing here is created at import time: callers build a `Settings()` when they need one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseSettings(BaseSettings):
    """Where PostGIS is: `DATABASE_URL`, or the project's own cluster under `.var/`."""

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore", populate_by_name=True)

    url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "MUJUN_DATABASE_URL"))
    read_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_READ_URL", "MUJUN_DATABASE_READ_URL"))
    """A streaming replica for the read routes; loads, accounts, sessions and the audit stay on `url`."""
    local_dir: Path = PROJECT_ROOT / ".var" / "postgres"
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
    """The HTTP service: the page's files and an optional base map."""

    model_config = SettingsConfigDict(env_prefix="MUJUN_", env_file=".env", extra="ignore")

    basemap_url: str | None = None
    basemap_attribution: str = ""
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


class Settings:
    """All settings of one process, grouped by concern."""

    def __init__(
        self,
        database: DatabaseSettings | None = None,
        rules: RuleSettings | None = None,
        web: WebSettings | None = None,
    ) -> None:
        self.database = database or DatabaseSettings()
        self.rules = rules or RuleSettings()
        self.web = web or WebSettings()
