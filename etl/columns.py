"""A vector file's attribute columns as GDAL gave them: Arrow arrays, made numpy arrays only when read.

The checks that run on whole columns (text trimming, duplicate codes, the COPY) take the Arrow arrays as
they are; a column read value by value (dates, amounts, extra attributes) is converted once, when first
asked for. At a million parcels this spares a Python object per value in every text column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa


class ArrowColumns(Mapping[str, Any]):
    def __init__(self, arrays: Mapping[str, pa.Array]) -> None:
        self._arrays = dict(arrays)
        self._numpy: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._numpy:
            self._numpy[name] = self._arrays[name].to_numpy(zero_copy_only=False)
        return self._numpy[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def arrow(self, name: str) -> pa.Array:
        return self._arrays[name]

    def renamed(self, names: Mapping[str, str]) -> ArrowColumns:
        """The same columns under new names (`names`: old → new), still unconverted."""
        return ArrowColumns({names[old]: array for old, array in self._arrays.items()})


def arrow_text(columns: Mapping[str, Any], name: str) -> pa.Array | None:
    """Column `name` as an Arrow large_string array, when the file gave it as text; else None."""
    if not isinstance(columns, ArrowColumns):
        return None
    array = columns.arrow(name)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.cast(pa.large_string())
    return None
