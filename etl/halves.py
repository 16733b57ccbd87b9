"""Work on both cores: a vectorised GEOS or PROJ call made on each half of an array, on two threads.

shapely and pyproj release the GIL while they work, so two threads keep both cores of the machine busy.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def in_halves(function: Callable[[np.ndarray], T], values: np.ndarray) -> list[T]:
    """`function` of each half of `values`, the halves on two threads; the two results in order."""
    middle = len(values) // 2
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(function, (values[:middle], values[middle:])))
