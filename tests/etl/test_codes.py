"""Codes matched by their hashes: the hashes are FNV-1a's, and text decides wherever two hashes meet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import etl.codes
from etl._text_hash import text_hashes
from etl.codes import positions, repeats


def test_text_hashes_are_fnv1a() -> None:
    # the published 64-bit FNV-1a test vectors: "" is the offset basis itself, "a" and "foobar" as listed
    offsets, data = np.array([0, 0, 1, 7], dtype=np.int64), np.frombuffer(b"afoobar", dtype=np.uint8)
    assert text_hashes(offsets, data).tolist() == [0xCBF29CE484222325, 0xAF63DC4C8601EC8C, 0x85944171F73967E8]


def test_positions_and_repeats() -> None:
    among = pa.array(["A", "B", "C"])
    assert positions(["B", None, "Z", "A", "C", "B"], among).tolist() == [1, -1, -1, 0, 2, 1]
    assert positions(["A"], pa.array([], type=pa.string())).tolist() == [-1]
    assert repeats(pa.array(["A", None, "B", "A", None, "B", "A"])) == [(3, 0), (5, 2), (6, 0)]


def test_a_code_whose_hash_is_another_codes_is_not_taken_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # hashed by length: Z (1) meets A (1) and is still not A; every project its own length, so hashes are looked up
    monkeypatch.setattr(etl.codes, "text_hashes", lambda offsets, data: np.diff(offsets).astype(np.uint64))
    assert positions(["Z", "BB", "A", "DDDD"], pa.array(["A", "BB", "CCC"])).tolist() == [-1, 1, 0, -1]
    assert repeats(pa.array(["A", "Z", "A", "Y", "Z"])) == [(2, 0), (4, 1)]


def test_codes_to_be_found_among_that_share_a_hash_are_looked_up_by_their_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(etl.codes, "text_hashes", lambda offsets, data: np.zeros(len(offsets) - 1, dtype=np.uint64))
    assert positions(["B", None, "Z", "A"], pa.array(["A", "B"])).tolist() == [1, -1, -1, 0]
