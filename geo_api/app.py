"""`create_app(settings)`: the FastAPI application, its routes, static page, guard and error handlers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from psycopg_pool import ConnectionPool

from etl.file_limits import LOAD_LIMITS
from etl.load import libpq_conninfo
from geo_api import docs, errors, guard
from geo_api.access import CredentialCache, Gate
from geo_api.pool import RECONNECT_S, WAIT_S, make_pool, make_primary_pool
from geo_api.replica import Reads
from geo_api.routers import (
    audit,
    auth,
    basemaps,
    bulletins,
    evaluation,
    health,
    land,
    layers,
    loads,
    measure,
    ogc,
    parcels,
    printing,
    progress,
    reports,
    search,
    siting,
    tiles,
)
from geo_api.tile_cache import DataVersion, TileCache
from layers.basemaps import Basemaps
from layers.upstream import UpstreamTiles
from mujun.access import access_policy, anonymous
from mujun.db import database_url, make_engine, normalise_url
from mujun.errors import MujunError
from mujun.settings import Settings

DESCRIPTION = """
亩均 (Mujun): development zones, project parcels and each industrial project's investment per mu of land
(万元/亩) against its zone's threshold. Areas are Gauss-Krüger (CGCS2000) planar areas; 1 亩 = 10000/15 m²;
money in 万元. Coordinates in and out are lon/lat (CRS84; CGCS2000 taken as WGS84).

Every data route needs credentials: `Authorization: Bearer TOKEN` (a token from `mujun tokens create`), or the
page's session cookie from `POST /api/auth/login` (then `X-CSRF-Token` on POST, PUT, PATCH and DELETE).
Without them: 401; with a role short of the route's: 403.
"""


VENDOR = {"leaflet": "leaflet/dist", "geoman": "@geoman-io/leaflet-geoman-free/dist", "vectorgrid": "leaflet.vectorgrid/dist",
          "echarts": "echarts/dist", "swagger-ui": "swagger-ui-dist"}
"""Front-end packages from npm (web/package-lock.json), served by the app itself: no CDN at run time."""


class PageFiles(StaticFiles):
    """The page's own files; `node_modules` is served only through the vendor mounts above."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path.split("/", 1)[0] in ("node_modules", "package.json", "package-lock.json"):
            return "", None
        return super().lookup_path(path)


def factory() -> FastAPI:
    """The app from the environment's settings: what `mujun serve --workers N` starts in each worker."""
    return create_app()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    url = database_url(settings.database)
    read_url = normalise_url(settings.database.read_url) if settings.database.read_url else url
    policy = access_policy()
    try:
        nobody = anonymous(policy, settings.web.anonymous_role)
    except ValueError as exc:
        raise MujunError(f"MUJUN_ANONYMOUS_ROLE 无效：{exc}", str(exc), code="invalid_setting") from exc

    has_replica = read_url != url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reads: Reads = app.state.reads
        pools = [reads.replica_pool, app.state.gate.primary] + ([reads.primary_pool] if has_replica else [])
        for pool in pools:
            await pool.open()
        app.state.primary.open()
        app.state.data_version.start()
        yield
        await app.state.data_version.stop()
        app.state.primary.close()
        for pool in pools:
            await pool.close()
        for engine in {reads.replica_engine, reads.primary_engine}:
            engine.dispose()

    app = FastAPI(title="Mujun 亩均", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    # Reads go to the replica when one is configured (geo_api.replica); sessions, tokens, the audit and loads to the primary.
    app.state.engine = make_engine(read_url)
    app.state.pool = make_pool(libpq_conninfo(read_url))
    app.state.reads = Reads(app.state.pool, make_pool(libpq_conninfo(url)) if has_replica else app.state.pool, app.state.engine,
                            make_engine(url) if has_replica else app.state.engine, has_replica)
    app.state.primary_url = url
    app.state.primary = ConnectionPool(libpq_conninfo(url), min_size=1, max_size=8, open=False, timeout=WAIT_S,
                                       reconnect_timeout=RECONNECT_S, name="mujun-write")
    app.state.tile_cache = TileCache(settings.web.tile_cache_mb * 2**20)
    credentials = CredentialCache(lambda: app.state.data_version.listening)
    app.state.gate = Gate(policy, nobody, credentials, make_primary_pool(libpq_conninfo(url)), settings.web.trust_proxy)

    async def primary_position() -> str:
        async with app.state.gate.primary.connection() as conn:
            cursor = await conn.execute("SELECT pg_current_wal_lsn()::text")
            row = await cursor.fetchone()
        return str(row[0])

    app.state.data_version = DataVersion(libpq_conninfo(url), app.state.tile_cache, credentials.clear,
                                         primary_position if has_replica else None)
    app.state.catalogue_digest = tiles.catalogue_digest()
    app.state.basemaps = Basemaps.from_settings(settings.basemaps)
    app.state.upstream = UpstreamTiles(settings.basemaps.basemap_cache_mb * 2**20, settings.basemaps.basemap_timeout_s)
    errors.install(app)
    # Base maps are served from the portal's own address (/basemaps/...): the policy names no other origin.
    # The page's load uploads: a file of each kind at the command line's cap (checked again per file as it is written).
    guard.install(app, guard.content_security_policy(),
                  body_caps=(("/api/loads/check", len(loads.KINDS) * LOAD_LIMITS.max_bytes + 2**20),))
    for module in (health, auth, parcels, layers, search, siting, reports, progress, bulletins, land, evaluation, tiles, ogc, basemaps,
                   measure, printing, loads, audit, docs):
        app.include_router(module.router)
    web_dir = settings.web.web_dir
    for name, folder in VENDOR.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=web_dir / "node_modules" / folder), name=name)
    app.mount("/", PageFiles(directory=web_dir, html=True), name="web")
    return app
