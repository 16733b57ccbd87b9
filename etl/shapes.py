"""Checked polygons kept as WKB and bounding boxes; a GEOS geometry is made only for a feature that needs one.

shapely makes geometries one by one holding the GIL (about a microsecond each, a second and more for a
million parcels, with every other thread of the load waiting). Most parcels never need one: their area
and validity come from their bytes (`etl.wkb`), their zone and neighbours are found from their boxes
(`etl.boxes`). Only those near a zone's edge, near another parcel, repaired or of doubtful validity are
made into geometries, and each at most once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import shapely

POLYGON, MULTIPOLYGON = 3, 6  # shapely type ids


class Shapes:
    """Per feature: its polygon in lon/lat as WKB (NULL where it has none), its box (NaN where none), and
    its GEOS geometry once made."""

    def __init__(self, wkb: pa.Array | pa.ChunkedArray, bounds: np.ndarray, made: np.ndarray | None = None) -> None:
        self.wkb = wkb
        self.bounds = bounds
        self.present = wkb.is_valid().to_numpy(zero_copy_only=False)
        self._made = np.full(len(wkb), None, dtype=object) if made is None else made
        self._is_made = np.full(len(wkb), made is not None)

    @classmethod
    def joined(cls, parts: Sequence[Shapes]) -> Shapes:
        """The features of `parts` one after another, with the geometries each had made (their WKB not copied: a
        chunked array)."""
        if len(parts) == 1:
            return parts[0]
        out = cls(pa.chunked_array([p.wkb for p in parts], type=pa.large_binary()),
                  np.concatenate([p.bounds for p in parts]) if parts else np.zeros((0, 4)))
        if parts:
            out._made = np.concatenate([p._made for p in parts])
            out._is_made = np.concatenate([p._is_made for p in parts])
        return out

    def __len__(self) -> int:
        return len(self.wkb)

    def of(self, index: np.ndarray) -> np.ndarray:
        """The geometries of features `index` (each must have one), made from their WKB where not made yet."""
        index = np.asarray(index, dtype=np.int64)
        missing = np.unique(index[~self._is_made[index]])
        if len(missing):
            self._made[missing] = shapely.from_wkb(self.wkb.take(pa.array(missing)).to_numpy(zero_copy_only=False))
            self._is_made[missing] = True
        return self._made[index]

    def remember(self, index: np.ndarray, geometries: np.ndarray) -> None:
        """Keep geometries already made for features `index` (the same as their WKB)."""
        self._made[index] = geometries
        self._is_made[index] = True

    def multipolygons(self) -> np.ndarray:
        """Every feature's geometry as a MultiPolygon (None where it has none), as the tables store them."""
        out = np.full(len(self), None, dtype=object)
        present = np.flatnonzero(self.present)
        out[present] = as_multipolygons(self.of(present))
        return out


def from_file_wkb(wkb: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """GEOS geometries of a file's WKB; None where there is none, and where GEOS cannot read it (a ring not closed,
    or of too few points), which the geometry check then refuses (`etl.geometry_check`)."""
    with warnings.catch_warnings():  # GEOS's reason is not kept: the check says which feature and what is expected
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(shapely.from_wkb(wkb.to_numpy(zero_copy_only=False), on_invalid="ignore"), dtype=object)


def as_multipolygons(geometries: np.ndarray) -> np.ndarray:
    out = geometries.copy()
    single = np.flatnonzero(shapely.get_type_id(geometries) == POLYGON)
    if len(single):
        out[single] = shapely.multipolygons(geometries[single], indices=np.arange(len(single)))
    return out


GeometriesOf = Callable[[np.ndarray], np.ndarray]
"""The GEOS geometries of the features an index names."""
