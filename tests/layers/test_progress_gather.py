"""How a month's report travels from the progress statement: 本年累计 and the day it first came in one integer."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from layers.progress import MONTHS, _reported_months


def test_a_months_figure_and_day_come_back_whole_even_below_zero() -> None:
    # 2018-02-10 is 43,139 days after 1900-01-01 (118 years of 365 days, 29 leap days from 1904 to 2016, and 40 days).
    day = 118 * 365 + 29 + 40
    assert dt.date(1900, 1, 1) + dt.timedelta(days=day) == dt.date(2018, 2, 10)
    packed = {f"month_{k}": pa.array([None, None], type=pa.int64()) for k in MONTHS}
    packed["month_1"] = pa.array([123_456 * 1_000_000 + day, -150 * 1_000_000 + day])  # 1,234.56 万元; −1.50 万元
    ytd, first = _reported_months(packed)
    assert ytd[:, 0].tolist() == [123_456, -150] and (ytd[:, 1:] == -1).all()
    assert first[:, 0].astype(str).tolist() == ["2018-02-10", "2018-02-10"] and np.isnat(first[:, 1:]).all()
