"""Approval batches (批次, `mujun load --batches F`) and how much of each the supplied parcels cover.

A batch file is a GIS file like zones: `batch_code` 批次编号 (required, unique), `approved_date` 批准日期, `approval_no`
批准文号, a polygon; its Gauss-Krüger area is measured as a zone's is. Batches are upserted by code.

批而未供 on a date D is a batch's area not covered by the parcels supplied by D. So that D can be any day without a
union of parcels per batch and request, `batch_cover` holds, for each batch and each supplied parcel meeting it, the
area of the batch that parcel covers beyond the parcels supplied before it (by supply date, then code): summed over
the parcels supplied by D, it is the area of the batch within their union, exactly, overlapping parcels included.
Each piece (a parcel, or its part inside the batch where it crosses the batch's edge, cut by PostGIS) is projected
onto the Gauss-Krüger plane of the batch (`mujun.rules`) and measured there, never on the sphere or in Web Mercator.
The table is rebuilt in the load's transaction whenever a load writes batches, or parcels while batches are stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import shapely

from etl import binary_copy as bc
from etl.boxes import meeting
from etl.check import Checked, Rows, check_geometries, refuse_duplicates
from etl.fields import BATCH_FIELDS
from etl.read import FeatureSource
from etl.write import Column, Progress, insert_into_empty, is_empty, record_columns, upsert
from mujun import rules

TABLE = "approval_batches"


def check_batches(source: FeatureSource) -> Checked:
    """Every batch's code (required, unique in the file), approval date and number, and its geometry."""
    checked = Checked("batches", source.path.name, [{} for _ in range(len(source))], warnings=list(source.warnings),
                      inferences=list(source.inferences), locate=source.locate)
    rows = Rows(checked, source.columns, BATCH_FIELDS, checked.locate)
    for i, record in enumerate(checked.records):
        record.update(batch_code=rows.required_text(i, "batch_code"), approved_date=rows.date(i, "approved_date"),
                      approval_no=rows.text(i, "approval_no"), attributes=rows.extra(i))
    refuse_duplicates(checked, [r["batch_code"] for r in checked.records], "batch_code", checked.locate)
    check_geometries(checked, source)
    return checked


def write_batches(conn: psycopg.Connection[Any], batches: Checked, replace: bool, progress: Progress | None) -> dict[str, int]:
    columns: dict[str, Column] = record_columns(batches)
    if is_empty(conn, TABLE):
        return insert_into_empty(conn, TABLE, columns, batches.count, progress)
    return upsert(conn, TABLE, columns, batches.count, replace, progress)


PAIRS = """
SELECT b.batch_code, p.parcel_code, p.supply_date, ST_AsBinary(p.geom)
FROM approval_batches b JOIN parcels p ON p.geom && b.geom AND ST_Intersects(p.geom, b.geom)
WHERE p.supply_date IS NOT NULL
ORDER BY b.batch_code, p.supply_date, p.parcel_code
"""
"""Each supplied parcel meeting a batch, in the order the increments are taken."""


OVERLAP_CENTS = 0.005
"""Two pieces sharing more than this (m²) change a sum kept to 0.01 m²: their batch is taken piece by piece."""


def _covered_cents(pieces: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """The area (0.01 m²) each piece adds to the union of the earlier pieces of its batch. Pieces of a batch that share
    no interior with each other (parcels do not overlap) each add their own area; where some do, the batch's pieces
    are taken one by one against the union of those before. Only pieces of one batch whose boxes meet (the compiled
    box join of the loader's overlap check, `etl.boxes`) are intersected to find out."""
    cents = rules.planar_cents(shapely.area(pieces))
    some = np.flatnonzero(cents > 0)  # a parcel touching a batch's edge leaves an empty piece
    a, b = (some[k] for k in meeting(shapely.bounds(pieces[some])))
    same = batch[a] == batch[b]
    a, b = a[same], b[same]
    shared = shapely.area(shapely.intersection(pieces[a], pieces[b])) if len(a) else np.zeros(0)
    for group in np.unique(batch[a[shared > OVERLAP_CENTS]]):
        union = shapely.Polygon()
        for i in np.flatnonzero(batch == group):
            cents[i] = rules.planar_cents(np.array([shapely.area(shapely.difference(pieces[i], union))]))[0]
            union = shapely.union(union, pieces[i])
    return cents


def _planes(geometries: np.ndarray) -> np.ndarray:
    """The Gauss-Krüger zone (EPSG) each batch is measured in: that of a point on its surface."""
    return rules.gk_epsgs(shapely.get_x(shapely.point_on_surface(geometries)))


def rebuild_cover(conn: psycopg.Connection[Any]) -> int:
    """`batch_cover` made again from the stored batches and parcels; the count of its rows. Each batch and the parcels
    meeting it are projected onto the batch's Gauss-Krüger plane and cut there, so that a parcel drawn along the
    batch's edge covers what it covers in that plane (cut in lon/lat, the straight edges of the two would part by a
    fraction of a millimetre and shave slivers off the piece)."""
    conn.execute("DELETE FROM batch_cover")
    rows = conn.execute(PAIRS).fetchall()
    if not rows:
        return 0
    stored = conn.execute("SELECT batch_code, ST_AsBinary(geom) FROM approval_batches ORDER BY batch_code").fetchall()
    index = {code: k for k, (code, _) in enumerate(stored)}
    outlines = shapely.from_wkb([wkb for _, wkb in stored])
    plane_of_batch = _planes(outlines)
    codes = np.array([row[0] for row in rows], dtype=object)
    batch = np.array([index[code] for code in codes], dtype=np.int64)
    parcels = shapely.from_wkb([row[3] for row in rows])
    planar_parcels, planar_batches = np.empty(len(rows), dtype=object), np.empty(len(outlines), dtype=object)
    for epsg in np.unique(plane_of_batch):
        mine = plane_of_batch == epsg
        planar_batches[mine] = rules.to_gauss_kruger(outlines[mine], int(epsg))
        where = np.flatnonzero(mine[batch])
        planar_parcels[where] = rules.to_gauss_kruger(parcels[where], int(epsg))
    shapely.prepare(planar_batches)
    outline = planar_batches[batch]
    inside = shapely.covers(outline, planar_parcels)
    pieces = planar_parcels.copy()
    pieces[~inside] = shapely.intersection(outline[~inside], planar_parcels[~inside])
    cents = _covered_cents(pieces, batch)
    kept = np.flatnonzero(cents > 0)  # a parcel touching the batch's edge covers nothing of it
    columns = [bc.text(codes[kept]), bc.text([rows[i][1] for i in kept]),
               bc.date(np.array([rows[i][2] for i in kept], dtype="datetime64[D]")), bc.numeric(cents[kept], 2)]
    with bc.copy_into(conn, "batch_cover", ["batch_code", "parcel_code", "supply_date", "covered_m2"]) as send:
        send(columns)
    return len(kept)


def batches_stored(conn: psycopg.Connection[Any]) -> bool:
    return not is_empty(conn, TABLE)
