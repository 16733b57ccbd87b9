"""The async connection pools: the read pool behind the hot read paths (click lookup, tiles, OGC items), and a
small one on the primary for who is asking (sessions, tokens).

A click on the map or a tile is one small query; going through the ORM and a thread per request costs
more than the query itself. These routes take the pool (`ReadPool`, a plain async dependency: one with
`yield` costs a quarter of the throughput) and borrow a connection for just the query: autocommit,
read-only, rows as dicts, SQL built once at import. psycopg prepares a statement after a few runs on a
connection, and the session keeps one generic plan for it.

While the database is down a request waits at most `WAIT_S` for a connection and is answered 503
(`geo_api.errors`). A pool gives up reconnecting a lost connection after `RECONNECT_S` (psycopg_pool's default is
five minutes of ever longer waits, 1, 2, 4, … 16 s apart: a database back after a minute would be tried again only
up to half a minute later); from then on each request that finds no connection starts a new attempt at once, so
the first request after the database is back gets a connection.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from geo_api.replica import written

POOL_SIZE = 16
WAIT_S = 3.0
"""The longest a request waits for a connection: under load a few milliseconds; longer, the database is down."""
RECONNECT_S = 2.0
Pool = AsyncConnectionPool[AsyncConnection[dict[str, Any]]]


async def _configure(conn: AsyncConnection[Any]) -> None:
    await conn.set_autocommit(True)
    await conn.set_read_only(True)
    # These statements have one shape and always use the GiST index: planning them again for every click
    # (PostgreSQL's custom plans for a PostGIS join) costs more than running them.
    await conn.execute("SET plan_cache_mode = force_generic_plan")


async def _autocommit(conn: AsyncConnection[Any]) -> None:
    await conn.set_autocommit(True)


def make_pool(conninfo: str) -> Pool:
    """A closed read pool; the app's lifespan opens it (so it lives in the server's event loop)."""
    return AsyncConnectionPool(conninfo, min_size=2, max_size=POOL_SIZE, open=False, configure=_configure, timeout=WAIT_S,
                               reconnect_timeout=RECONNECT_S, kwargs={"row_factory": dict_row}, name="mujun-read")


def make_primary_pool(conninfo: str) -> AsyncConnectionPool[Any]:
    """A closed, small pool on the primary, for the credentials a request carries."""
    return AsyncConnectionPool(conninfo, min_size=1, max_size=4, open=False, configure=_autocommit, timeout=WAIT_S,
                               reconnect_timeout=RECONNECT_S, name="mujun-primary")


async def read_pool(request: Request) -> Pool:
    """The replica's pool, or the primary's for a client whose own write the replica has not replayed yet."""
    pool: Pool = await request.app.state.reads.pool(written(request))
    return pool


ReadPool = Annotated[Pool, Depends(read_pool)]
