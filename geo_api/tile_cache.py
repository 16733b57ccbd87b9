"""The data version that every tile's ETag carries, and an in-process cache of hot tiles bounded in bytes.

A statement that changes the data (every load does) bumps the `data_version` sequence and notifies the
`mujun_data_version` channel at commit (migration 0004). This process LISTENs on it: a load reaches it
within milliseconds, the cache is emptied, and every ETag changes, so neither this cache nor a browser or
proxy revalidating with `If-None-Match` keeps a tile from before the load. While the listening connection
is down the version is read from the database on each request instead: slower, never stale.

The same connection LISTENs on `mujun_access` (migration 0009), which every change to an account, token or
session notifies: the credentials cache (`geo_api.access.CredentialCache`) is emptied on each notice, and is
used only while this connection listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

log = logging.getLogger("mujun.tiles")

CHANNEL = "mujun_data_version"
ACCESS_CHANNEL = "mujun_access"
RETRY_S = 1.0
# The database's oid comes first, so a database dropped and made again never repeats an earlier version.
_VERSION_SQL = "SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text || '.' || last_value::text FROM data_version"


async def read_version(conn: AsyncConnection[Any]) -> str:
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute(_VERSION_SQL)
        row = await cursor.fetchone()
    assert row is not None
    return str(row[0])


@dataclass(frozen=True)
class CachedTile:
    data: bytes
    etag: str
    features: int
    capped: str | None


class TileCache:
    """Tiles of the current data version, least recently used dropped first once over `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._tiles: OrderedDict[str, CachedTile] = OrderedDict()

    def get(self, key: str) -> CachedTile | None:
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
        return tile

    def put(self, key: str, tile: CachedTile) -> None:
        if len(tile.data) > self.max_bytes or key in self._tiles:
            return
        self._tiles[key] = tile
        self.size += len(tile.data)
        while self.size > self.max_bytes:
            _, dropped = self._tiles.popitem(last=False)
            self.size -= len(dropped.data)

    def clear(self) -> None:
        self._tiles.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._tiles)


class DataVersion:
    """The current data version, kept up to date by LISTEN; `cache` is emptied whenever it changes."""

    def __init__(self, conninfo: str, cache: TileCache, on_access_change: Callable[[], None] | None = None,
                 position: Callable[[], Awaitable[str]] | None = None) -> None:
        self._conninfo = conninfo
        self.cache = cache
        self._on_access_change = on_access_change or (lambda: None)
        self._position = position
        self.must_see: str | None = "0/0"
        """With a replica (`position` given): the primary's WAL position once the current version was committed,
        which a tile rendered on the replica must wait for (`geo_api.replica`); None while not known yet."""
        self._value: str | None = None
        self._database = ""
        self._task: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        """Whether notices reach this process now (else nothing kept in memory may be trusted)."""
        return self._value is not None

    def _set(self, value: str | None) -> None:
        if value != self._value:
            self.cache.clear()
        self._value = value

    async def _version(self, version: str) -> None:
        if self._position is not None:
            self.must_see = None  # until the primary says where its WAL is, after the commit just notified
        self._set(version)
        if self._position is not None:
            self.must_see = await self._position()

    async def current(self, pool: AsyncConnectionPool[Any]) -> str:
        if self._value is not None:
            return self._value
        async with pool.connection() as conn:
            return await read_version(conn)

    async def _listen(self) -> None:
        while True:
            try:
                async with await AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await conn.execute(f"LISTEN {ACCESS_CHANNEL}")
                    # Read after LISTEN: a load committing in between is both read and notified, never missed.
                    version = await read_version(conn)
                    self._database = version.split(".", 1)[0]
                    self._on_access_change()
                    await self._version(version)
                    async for notice in conn.notifies():
                        if notice.channel == ACCESS_CHANNEL:
                            self._on_access_change()
                        else:
                            await self._version(f"{self._database}.{notice.payload}")
            except (psycopg.Error, PoolTimeout) as exc:
                log.warning("data version: listening connection lost (%s); reading the version per request", exc)
            self._set(None)
            self._on_access_change()
            await asyncio.sleep(RETRY_S)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="mujun-data-version")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def etag_for(version: str, key: str) -> str:
    """A strong ETag: the data version and a digest of what the tile is (catalogue, layer, z/x/y, filters)."""
    return f'"{version}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"'
