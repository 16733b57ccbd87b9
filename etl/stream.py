"""A first load of parcels (their table empty): each part of the file placed, assessed and written while the next
part is checked.

The geometries are checked a part (`etl.wkb.CHUNK_FEATURES` features) at a time on threads of their own
(`GeometryParts`). Each part, once checked, is placed in its zones, assessed and sent in the load's one COPY of
parcels, so that the server stores a part while the next is checked; the table's indexes are built after the last
row (kept while the rows come, they cost the server more than it has to spare meanwhile). A project's result
depends on all its land: the parcels of a project with others in the file are assessed together after the last
part and sent at the end.
An error in any part stops the writing; the rest is still checked, so that every error is reported, and the COPY
is abandoned: the load's transaction, and with it the whole load, is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import psycopg

from etl import binary_copy as bc
from etl.assess import RESULT_COLUMNS, Parcels, Projects, assess_parcels
from etl.check import Checked, with_geometry
from etl.cross_checks import Surroundings, place_parcels
from etl.geometry_check import CheckedGeometries, GeometryChecker
from etl.placement import Placement, ZoneEdges
from etl.write import TABLE_COLUMNS, EmptyTable, Progress, absent_land_use_columns, empty_for_copy, parcel_columns
from mujun.errors import InputError, Problem
from mujun.rules import Policy


class GeometryParts:
    """A file's geometries checked a part at a time (`GeometryChecker`), on `workers` threads of their own from
    the moment this is made; taken in order (`for part, geometry in parts`) or all together (`joined`)."""

    def __init__(self, checker: GeometryChecker, workers: int = 2) -> None:
        self.checker = checker
        pool = ThreadPoolExecutor(workers)
        self._checked = [pool.submit(checker.check, part) for part in checker.parts]
        pool.shutdown(wait=False)

    def __iter__(self) -> Iterator[tuple[slice, CheckedGeometries]]:
        for part, checked in zip(self.checker.parts, self._checked, strict=True):
            yield part, checked.result()

    def joined(self) -> CheckedGeometries:
        return self.checker.joined([checked.result() for checked in self._checked])

    def cancel(self) -> None:
        """Check no part not begun yet (the load has failed)."""
        for checked in self._checked:
            checked.cancel()


def stream_parcels(conn: psycopg.Connection[Any], parcels: Checked, geometry: GeometryParts, around: Surroundings,
                   projects: Projects, policy: Policy, progress: Progress | None = None) -> tuple[Placement, EmptyTable]:
    """Write the parcels, fields checked, into their empty table while their geometries are checked; give
    `parcels` its geometry, with the problems of each part and the warnings of where each parcel lies, as
    `check_parcels` and `check_parcels_against` would. The placement, and the table (its indexes to build)."""
    zones = around.zones
    assert zones is not None, "a load places parcels in the zones it leaves"
    n = parcels.count
    pool = ThreadPoolExecutor(1)  # each parcel's project looked up while the table is made ready and the first part placed
    projects_of = pool.submit(_projects_of, parcels, projects)
    pool.shutdown(wait=False)
    table = empty_for_copy(conn, "parcels", n)
    write = _Writer(parcels, projects_of, projects, policy, table.ids)
    checked: list[CheckedGeometries] = []
    placed: list[Placement] = []
    where: list[Problem] = []
    edges: ZoneEdges | None = None
    with bc.copy_into(conn, "parcels", write.names, freeze=True) as send:
        for part, found in geometry:
            checked.append(found)
            if any(c.errors for c in checked):
                continue  # nothing more is written; the rest is checked for its errors
            edges = edges or ZoneEdges.of(zones, found.shapes.bounds)  # edges cut to the first part's parcels
            placement, warnings = place_parcels(parcels, found, part.start, edges)
            placed.append(placement)
            where += warnings
            write(send, found, part.start, np.flatnonzero(~write.together[part]), placement)
            if progress is not None:
                progress("write parcels", part.stop, n)
        errors = [e for c in checked for e in c.errors]
        if errors:
            raise InputError(errors)
        whole, placement = geometry.checker.joined(checked), Placement.joined(zones, placed)
        write(send, whole, 0, np.flatnonzero(write.together), placement)
    with_geometry(parcels, whole)
    parcels.warnings += where
    return placement, table


def _projects_of(parcels: Checked, projects: Projects) -> tuple[np.ndarray, np.ndarray]:
    """Each parcel's project (its place in `projects`, −1: none known), and whether it has other parcels in the file."""
    project = projects.positions(parcels.texts["project_code"])
    known = project >= 0
    together = np.zeros(len(project), dtype=bool)
    together[known] = np.bincount(project[known], minlength=len(projects))[project[known]] > 1
    return project, together


class _Writer:
    """Sends parcels with their rule results, a part of the file at a time."""

    def __init__(self, parcels: Checked, projects_of: Future[tuple[np.ndarray, np.ndarray]], projects: Projects, policy: Policy,
                 ids: np.ndarray | None) -> None:
        self.parcels, self._projects_of, self.projects, self.policy, self.ids = parcels, projects_of, projects, policy, ids
        # A file with no attributes beyond the fields leaves the column to its default ({}), and one without the land-use
        # fields leaves theirs NULL: nothing to make or send.
        left = absent_land_use_columns(parcels) | (set() if any(parcels.columns["attributes"]) else {"attributes"})
        self.names = [*(name for name in TABLE_COLUMNS["parcels"][1] if name not in left), *RESULT_COLUMNS, "id"]

    @property
    def project(self) -> np.ndarray:
        return self._projects_of.result()[0]

    @property
    def together(self) -> np.ndarray:
        """Parcels whose project has other parcels in the file."""
        return self._projects_of.result()[1]

    def __call__(self, send: Callable[[Sequence[bc.Encoded]], None], geometry: CheckedGeometries, start: int, rows: np.ndarray,
                 placement: Placement) -> None:
        """Send the features `start + rows` (`rows`: ascending, within `geometry` and `placement`, which begin at
        feature `start`), each project among them with all its parcels."""
        if not len(rows):
            return
        whole = len(rows) == len(geometry.present)  # the part entire: sliced, not copied
        picked: slice | np.ndarray = slice(start, start + len(rows)) if whole else start + rows
        own, found = self.parcels.take(picked), geometry if whole else geometry.take(rows)
        results = assess_parcels(Parcels(self.project[picked], found.area_cents, own.columns["recorded_cents"],
                                         own.columns["has_recorded"], found.repaired, placement if whole else placement.take(rows)),
                                 self.projects, self.policy)
        assert self.ids is not None
        ids = self.ids[picked]
        columns = {**parcel_columns(own, found), **results, "id": lambda some: bc.int4(ids[some])}
        for begin in range(0, len(rows), SEND_ROWS):
            some = slice(begin, min(len(rows), begin + SEND_ROWS))
            send([columns[name](some) for name in self.names])


SEND_ROWS = 20_000
"""Rows encoded and sent at a time: their bytes (about 10 MB) come from memory the allocator reuses, where a whole
part's (50 MB) would be mapped afresh, and the pages faulted in, every time."""

