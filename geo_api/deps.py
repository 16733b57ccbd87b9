"""Typed dependencies: the database connection, a bbox, the active policy and catalogue."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from geo_api.replica import written
from layers.records import BBox
from mujun.errors import MujunError


def engine(request: Request) -> Engine:
    """The replica's engine, or the primary's for a client whose own write the replica has not replayed yet."""
    chosen: Engine = request.app.state.reads.engine(written(request))
    return chosen


def connection(request: Request) -> Iterator[Connection]:
    yield from _connected(engine(request))


def primary_connection(request: Request) -> Iterator[Connection]:
    """A connection to the primary, for a route that writes (issuing a bulletin)."""
    yield from _connected(request.app.state.reads.primary_engine)


def _connected(chosen: Engine) -> Iterator[Connection]:
    conn = chosen.connect()
    try:
        yield conn
    finally:
        # Closed after the answer is sent: a connection the database dropped meanwhile (a restart) cannot roll back,
        # and there is no one left to tell; SQLAlchemy has invalidated it, and the pool makes a new one.
        with contextlib.suppress(OperationalError, InterfaceError):
            conn.close()


DB = Annotated[Connection, Depends(connection)]
PrimaryDB = Annotated[Connection, Depends(primary_connection)]


def bbox(
    bbox: Annotated[str, Query(description="minLon,minLat,maxLon,maxLat (CRS84)", examples=["119.9,31.7,120.1,31.9"])],
) -> BBox:
    try:
        parts = tuple(float(part) for part in bbox.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not (-180 <= parts[0] < parts[2] <= 180 and -90 <= parts[1] < parts[3] <= 90):
        raise MujunError("bbox 应为 最小经度,最小纬度,最大经度,最大纬度", "bbox must be minLon,minLat,maxLon,maxLat",
                         code="invalid_bbox", status_code=422)
    return (parts[0], parts[1], parts[2], parts[3])


BBoxParam = Annotated[BBox, Depends(bbox)]
