"""`create_app(settings)`: the FastAPI application, its routes, static page and error handlers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from etl.load import libpq_conninfo
from geo_api import errors
from geo_api.pool import make_pool
from geo_api.routers import basemaps, bulletins, evaluation, health, land, layers, measure, ogc, parcels, printing, progress, reports, search, siting, tiles
from geo_api.tile_cache import DataVersion, TileCache
from layers.basemaps import Basemaps
from layers.upstream import UpstreamTiles
from mujun.db import database_url, make_engine
from mujun.settings import Settings

DESCRIPTION = """
亩均 (Mujun): development zones, project parcels and each industrial project's investment per mu of land
(万元/亩) against its zone's threshold. Areas are Gauss-Krüger (CGCS2000) planar areas; 1 亩 = 10000/15 m²;
money in 万元. Coordinates in and out are lon/lat (CRS84; CGCS2000 taken as WGS84).
"""


VENDOR = {"leaflet": "leaflet/dist", "geoman": "@geoman-io/leaflet-geoman-free/dist", "vectorgrid": "leaflet.vectorgrid/dist",
          "echarts": "echarts/dist"}
"""Front-end packages from npm (web/package-lock.json), served by the app itself: no CDN at run time."""


class PageFiles(StaticFiles):
    """The page's own files; `node_modules` is served only through the vendor mounts above."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path.split("/", 1)[0] in ("node_modules", "package.json", "package-lock.json"):
            return "", None
        return super().lookup_path(path)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    url = database_url(settings.database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await app.state.pool.open()
        app.state.data_version.start()
        yield
        await app.state.data_version.stop()
        await app.state.pool.close()
        app.state.engine.dispose()

    app = FastAPI(title="Mujun 亩均", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = make_engine(url)
    app.state.pool = make_pool(libpq_conninfo(url))
    app.state.tile_cache = TileCache(settings.web.tile_cache_mb * 2**20)
    app.state.data_version = DataVersion(libpq_conninfo(url), app.state.tile_cache)
    app.state.catalogue_digest = tiles.catalogue_digest()
    app.state.basemaps = Basemaps.from_settings(settings.basemaps)
    app.state.upstream = UpstreamTiles(settings.basemaps.basemap_cache_mb * 2**20, settings.basemaps.basemap_timeout_s)
    errors.install(app)
    for module in (health, parcels, layers, search, siting, reports, progress, bulletins, land, evaluation, tiles, ogc, basemaps, measure,
                   printing):
        app.include_router(module.router)
    web_dir = settings.web.web_dir
    for name, folder in VENDOR.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=web_dir / "node_modules" / folder), name=name)
    app.mount("/", PageFiles(directory=web_dir, html=True), name="web")
    return app
