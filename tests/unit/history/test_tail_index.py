"""Raw tail samples and sample indices of the display history."""

import numpy as np

from twinbench.history import DisplayHistory
from twinbench.model import Chunk


def test_tail_and_index_at():
    t = 1_000_000_000 + np.arange(100, dtype=np.int64) * 1000
    h = DisplayHistory(seconds=600)
    h.append([Chunk("d", ("a", "b"), t, np.column_stack([np.arange(100.0), -np.arange(100.0)]))])
    tail = h.tail("d", ["b", "a"], 5)
    assert tail.shape == (5, 2) and tail[:, 1].tolist() == [95, 96, 97, 98, 99]
    assert tail[:, 0].tolist() == [-95, -96, -97, -98, -99]
    assert h.index_at("d", "a", int(t[40])) == 40
    assert h.index_at("d", "a", 0) == 0 and h.index_at("d", "a", int(t[-1]) + 5) == 100
