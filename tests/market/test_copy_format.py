"""The binary COPY encoder (pure: no database)."""

from __future__ import annotations

import numpy as np

from market.ingest import copy_format


def test_binary_copy_rows_are_the_same_with_or_without_the_dense_shortcut():
    values = [
        (np.array([1, 2], dtype=">i8"), np.zeros(2, dtype=bool)),
        (np.array([1.5, -2.25], dtype=">f8"), np.zeros(2, dtype=bool)),
    ]
    dense = copy_format._copy_binary_dense(values)
    assert dense == copy_format._copy_binary_sparse(values)
    # A NULL is a length of -1 and no bytes: the second row is 8 bytes shorter.
    with_null = copy_format.copy_binary([values[0], (values[1][0], np.array([False, True]))])
    assert len(with_null) == len(dense) - 8
    assert (-1).to_bytes(4, "big", signed=True) in with_null
