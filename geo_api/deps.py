"""Typed dependencies: the database connection, a bbox, the active policy and catalogue."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from typing import Annotated, Any

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


def repeatable(description: str) -> Any:
    """A query parameter that may be given several times (`?jurisdiction=武进区&jurisdiction=溧阳市`)."""
    return Query(description=f"{description}; repeat the parameter for several values")


def chosen_format(output: str, formats: Collection[str]) -> str:
    """`output` when it is one of `formats`; else a 422 naming them."""
    if output not in formats:
        raise MujunError(f"format 应为 {'、'.join(formats)} 之一（得到 {output!r}）",
                         f"format must be one of {', '.join(formats)} (got {output!r})", code="invalid_format", status_code=422)
    return output
