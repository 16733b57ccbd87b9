"""Reads on a streaming replica (`DATABASE_READ_URL`), and the reads that must go to the primary instead.

A replica replays the primary's WAL a little behind it. Two kinds of read must not see the past there:
- a read by someone who has just written: the answer to a load from the page sets the cookie `mujun_wrote` to
  the primary's WAL position after its commit, and while the replica has not replayed that far, that client's
  reads go to the primary;
- a tile rendered for the data version just notified (`geo_api.tile_cache.DataVersion`): on the primary until
  the replica has replayed the load that made it, or the new version's ETag would carry the old data.

Sign-ins, sessions, tokens, the audit trail and loads always use the primary. Without a replica every read is
the primary's and nothing here costs a query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from psycopg.rows import tuple_row
from sqlalchemy import Engine, text

from geo_api.access import is_https

if TYPE_CHECKING:
    from geo_api.pool import Pool

WROTE_COOKIE = "mujun_wrote"
WROTE_MAX_AGE_S = 300
"""How long a writer's reads are watched: a replica minutes behind is broken, not lagging."""
ALWAYS = "0/0"
"""The WAL position any server has reached: nothing to wait for."""


def lsn_value(text_lsn: str) -> int | None:
    """A WAL position (`16/B374D848`) as a number; None when it is not one (a forged cookie)."""
    high, _, low = text_lsn.partition("/")
    try:
        return (int(high, 16) << 32) + int(low, 16) if low and len(text_lsn) <= 17 else None
    except ValueError:
        return None


class Reads:
    """Where a read goes: the replica, once it has replayed what the read must see; else the primary."""

    def __init__(self, replica_pool: Pool, primary_pool: Pool, replica_engine: Engine, primary_engine: Engine,
                 has_replica: bool) -> None:
        self.replica_pool, self.primary_pool = replica_pool, primary_pool
        self.replica_engine, self.primary_engine = replica_engine, primary_engine
        self.has_replica = has_replica
        self._replayed = 0
        """The furthest WAL position the replica was seen to have replayed (it only grows)."""

    def _needs(self, must_see: str | None) -> int | None:
        """The position to wait for (None: unknown, so the primary); 0 when there is nothing to wait for."""
        if must_see is None:
            return None
        needed = lsn_value(must_see)
        return 0 if needed is None else needed

    async def pool(self, must_see: str | None) -> Pool:
        needed = self._needs(must_see) if self.has_replica else 0
        if needed is not None and needed <= self._replayed:
            return self.replica_pool
        if needed is not None:
            async with self.replica_pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
                await cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
                row = await cursor.fetchone()
            self._seen(row)
            if needed <= self._replayed:
                return self.replica_pool
        return self.primary_pool

    def engine(self, must_see: str | None) -> Engine:
        needed = self._needs(must_see) if self.has_replica else 0
        if needed is not None and needed > self._replayed:
            with self.replica_engine.connect() as conn:
                self._seen(conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).first())
        return self.replica_engine if needed is not None and needed <= self._replayed else self.primary_engine

    def _seen(self, row: Any) -> None:
        replayed = lsn_value(row[0]) if row and row[0] else None
        if replayed is not None and replayed > self._replayed:
            self._replayed = replayed


def remember_write(request: Request, response: Response) -> None:
    """Set the writer's `mujun_wrote` cookie to the primary's WAL position after its commit: its next reads go to the
    primary until a replica has replayed that far."""
    with request.app.state.primary.connection() as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    response.set_cookie(WROTE_COOKIE, str(row[0]) if row else ALWAYS, max_age=WROTE_MAX_AGE_S, path="/", secure=is_https(request),
                        httponly=True, samesite="lax")


def written(request: Request) -> str:
    """The WAL position this client last wrote at (its `mujun_wrote` cookie), or `ALWAYS`."""
    return request.cookies.get(WROTE_COOKIE) or ALWAYS
