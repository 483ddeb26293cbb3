"""DisplayHistory: rings, min/max levels against a brute-force reference, wrap-around, NaN."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twinbench.history import DisplayHistory
from twinbench.model import Chunk

DT = 1_000  # ns between samples: global sample index i has time i * DT


def feed(h: DisplayHistory, values: np.ndarray, start: int = 0, chunk: int = 997, dev="d"):
    """Append values[n, k] in chunks of `chunk` rows, sample i stamped (start + i) * DT."""
    names = tuple(f"c{j}" for j in range(values.shape[1]))
    for a in range(0, values.shape[0], chunk):
        b = min(a + chunk, values.shape[0])
        t = (start + np.arange(a, b, dtype=np.int64)) * DT
        h.append([Chunk(dev, names, t, values[a:b])])


def reference(values: np.ndarray, t: np.ndarray, y: np.ndarray, last: int, view_end: int):
    """Check each min/max pair against the samples its bucket covers (brute force)."""
    starts = t[0::2] // DT
    assert np.all(np.diff(starts) > 0)
    width = int(starts[2] - starts[1]) if starts.size > 2 else last - int(starts[0])
    ends = np.append(starts[1:], min(last, int(starts[-1]) + width))
    for m, (s, e) in enumerate(zip(starts, ends, strict=True)):
        seg = values[int(s) : int(e)].astype(np.float32)
        lo, hi = sorted((y[2 * m], y[2 * m + 1]))
        if m < starts.size - 1:
            if np.isnan(seg).all():
                assert np.isnan(lo) and np.isnan(hi)
            else:
                assert (lo, hi) == (np.nanmin(seg), np.nanmax(seg)), (m, s, e)
        else:  # the last bucket may be partial: it covers the view's end, within one width
            inside = values[int(s) : min(last, view_end)].astype(np.float32)
            if np.isnan(seg).all() or np.isnan(inside).all():
                # NaN when every sample the bucket covers is NaN (a partial bucket covers
                # `inside` only, which can be all NaN where the whole width is not)
                assert np.isnan(lo) and np.isnan(hi)
                continue
            assert lo in seg and hi in seg
            if not np.isnan(inside).all():
                assert lo <= np.nanmin(inside) and hi >= np.nanmax(inside)


def test_few_points_are_returned_raw():
    h = DisplayHistory()
    vals = np.random.default_rng(0).standard_normal((500, 2))
    feed(h, vals, chunk=37)
    t, y = h.view("d", "c1", 100 * DT, 200 * DT, max_points=1000)
    # one point either side of the range, for line continuity
    assert t[0] == 99 * DT and t[-1] == 201 * DT
    np.testing.assert_array_equal(y, vals[99:202, 1].astype(np.float32))


def test_minmax_matches_brute_force_at_every_zoom():
    rng = np.random.default_rng(1)
    n = 300_000
    vals = np.cumsum(rng.standard_normal((n, 3)), axis=0)
    h = DisplayHistory(initial_capacity=1 << 19)
    feed(h, vals, chunk=1000)
    for t0, t1, mp in [(0, n, 2000), (12_345, 250_000, 3000), (5, 900, 100), (0, n, 20)]:
        t, y = h.view("d", "c2", t0 * DT, t1 * DT, max_points=mp)
        assert y.size <= mp
        assert t.size == y.size and y.size % 2 == 0
        reference(vals[:, 2], t, y, n, t1 + 2)
        # the envelope covers the whole range
        lo, hi = max(0, t0 - 1), min(n, t1 + 2)
        assert np.nanmin(y) <= vals[lo:hi, 2].min() + 1e-3


def test_wrap_around_keeps_the_newest_and_levels_stay_right():
    rng = np.random.default_rng(2)
    n = 200_000
    vals = rng.standard_normal((n, 1))
    # capacity 65536 is full long before the end, and the span limit stops it growing
    h = DisplayHistory(seconds=1e-6 * 60, initial_capacity=1 << 16)
    feed(h, vals, chunk=3001)
    assert h.count("d", "c0") == 1 << 16
    first, last = h.span("d")
    assert last == (n - 1) * DT and first == (n - (1 << 16)) * DT
    t, y = h.view("d", "c0", 0, n * DT, max_points=512)
    assert t[0] >= first
    reference(vals[:, 0], t, y, n, n)
    # raw tail read across the seam
    t, y = h.view("d", "c0", (n - 100) * DT, n * DT, max_points=1000)
    np.testing.assert_array_equal(y, vals[n - 101 :, 0].astype(np.float32))


def test_growth_keeps_data_until_the_time_span_is_reached():
    h = DisplayHistory(seconds=1.0, initial_capacity=1 << 12)  # 1 s = 1e6 samples at 1 MHz
    vals = np.arange(100_000, dtype=float).reshape(-1, 1)
    feed(h, vals, chunk=5000)
    assert h.count("d", "c0") == 100_000
    t, y = h.view("d", "c0", 0, 100_000 * DT, max_points=100)
    reference(vals[:, 0], t, y, 100_000, 100_000)


def test_nan_samples_stay_gaps():
    vals = np.ones((100_000, 1))
    vals[40_000:60_000] = np.nan
    vals[10] = np.nan
    h = DisplayHistory()
    feed(h, vals)
    t, y = h.view("d", "c0", 0, 100_000 * DT, max_points=200)
    assert np.isnan(y).any(), "a whole NaN bucket must come back as NaN (a gap)"
    assert np.nanmax(y) == 1.0
    reference(vals[:, 0], t, y, 100_000, 100_000)
    t, y = h.view("d", "c0", 0, 20 * DT, max_points=200)
    assert np.isnan(y[10])  # raw points keep their NaN


def test_several_devices_and_layouts_are_kept_apart():
    h = DisplayHistory()
    a = np.full((5000, 2), 1.0)
    b = np.full((5000, 1), 7.0)
    feed(h, a, dev="rig-1")
    feed(h, b, dev="rig-2")
    h.append([Chunk("rig-1", ("slow",), np.array([10, 20]), np.array([[3.0], [4.0]]))])
    assert h.devices() == ["rig-1", "rig-2"]
    assert set(h.channels("rig-1")) == {"c0", "c1", "slow"}
    assert h.view("rig-2", "c0", 0, 10**9)[1].max() == 7.0
    assert h.latest("rig-1", "slow") == (20, 4.0)
    assert h.value_at("rig-1", "c1", 1234 * DT + 100) == (1234 * DT, 1.0)
    with pytest.raises(KeyError, match="rig-3"):
        h.view("rig-3", "c0", 0, 1)


def test_late_timestamps_are_clamped_so_search_stays_sorted():
    h = DisplayHistory()
    h.append([Chunk("d", ("x",), np.array([100, 200, 150, 300]), np.arange(4.0))])
    h.append([Chunk("d", ("x",), np.array([250, 400]), np.array([4.0, 5.0]))])
    t, y = h.view("d", "x", 0, 1000)
    assert np.all(np.diff(t) >= 0)
    assert list(y) == [0, 1, 2, 3, 4, 5]


def test_bad_seconds_is_refused():
    with pytest.raises(ValueError, match="seconds"):
        DisplayHistory(seconds=0)


def test_view_many_matches_view_per_channel_and_incremental_matches_bulk():
    rng = np.random.default_rng(3)
    vals = rng.standard_normal((120_000, 4))
    small, bulk = DisplayHistory(), DisplayHistory()
    feed(small, vals, chunk=7)
    feed(bulk, vals, chunk=120_000)
    for t0, t1, mp in [(0, 120_000 * DT, 1000), (50 * DT, 90 * DT, 1000), (0, 120_000 * DT, 9)]:
        many = small.view_many("d", ["c3", "c1"], t0, t1, mp)
        for ch in ("c1", "c3"):
            t, y = bulk.view("d", ch, t0, t1, mp)
            np.testing.assert_array_equal(many[ch][0], t)
            np.testing.assert_array_equal(many[ch][1], y)


def test_memory_cap_bounds_growth_and_the_ring_wraps():
    # 8 channels x 4 bytes + 8 bytes of time = 40 bytes a sample: 2 MiB holds 32768 of them
    h = DisplayHistory(seconds=3600, max_bytes_per_stream=2 << 20, initial_capacity=4096)
    vals = np.arange(100_000 * 8, dtype=float).reshape(-1, 8)
    feed(h, vals, chunk=999)
    assert h.count("d", "c0") == 1 << 15
    assert h.span("d") == ((100_000 - (1 << 15)) * DT, (100_000 - 1) * DT)
    t, y = h.view("d", "c7", 0, 10**12, max_points=64)
    reference(vals[:, 7], t, y, 100_000, 100_000)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 20_000),
    chunk=st.integers(20, 5000),
    cap_log=st.integers(12, 16),
    a=st.floats(0, 1),
    b=st.floats(0, 1),
    max_points=st.integers(2, 3000),
    nan_every=st.integers(0, 50),
)
def test_any_chunking_capacity_and_range_matches_brute_force(
    n, chunk, cap_log, a, b, max_points, nan_every
):
    vals = np.random.default_rng(n).standard_normal((n, 1))
    if nan_every:
        vals[::nan_every] = np.nan
    # a tiny span keeps the ring from growing, so small capacities wrap
    h = DisplayHistory(seconds=1e-9, initial_capacity=1 << cap_log)
    feed(h, vals, chunk=chunk)
    kept = min(n, 1 << cap_log)
    assert h.count("d", "c0") == kept
    t0, t1 = sorted((int(a * n), int(b * n)))
    t, y = h.view("d", "c0", t0 * DT, t1 * DT, max_points)
    assert y.size <= max(max_points, 2) and t.size == y.size
    first = n - kept
    if y.size and t[0] // DT >= first and y.size < min(n, t1 + 2) - max(first, t0 - 1):
        reference(vals[:, 0], t, y, n, t1 + 2)
    elif y.size:  # raw points: exactly the stored samples around the range
        i0 = max(first, t0 - 1)
        np.testing.assert_array_equal(t, np.arange(i0, i0 + t.size) * DT)
        np.testing.assert_array_equal(y, vals[i0 : i0 + t.size, 0].astype(np.float32))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 5000),
    batches=st.lists(st.integers(1, 3000), min_size=1, max_size=6),
    k=st.integers(1, 5),
    block_log=st.integers(3, 9),
    nan_every=st.integers(0, 50),
)
def test_fill_in_blocks_builds_the_same_levels_as_a_plain_fill(
    rows, batches, k, block_log, nan_every
):
    """`fill` folds the first level block by block; its levels equal the plain path's, for
    batches of any length (aligned or not to a bucket), with NaN gaps, with or without a pool."""
    from concurrent.futures import ThreadPoolExecutor

    from twinbench import history

    rng = np.random.default_rng(rows + k)
    t = np.arange(rows, dtype=np.int64) * 1000
    cols = [rng.normal(size=rows) for _ in range(k)]
    if nan_every:
        for c in cols:
            c[::nan_every] = np.nan

    def pieces() -> list[tuple[int, int]]:
        out, at = [], 0
        for size in [*batches, rows]:
            end = min(rows, at + size)
            out.append((at, end))
            at = end
            if at == rows:
                return out
        return out

    def build(block: int, pool: object) -> history._Stream:
        s = history.sized_stream("d", tuple(f"c{i}" for i in range(k)), rows)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(history, "FILL_BLOCK", block)
            for a, b in pieces():
                s.fill(t[a:b], [c[a:b] for c in cols], pool)
        return s

    ref = history.sized_stream("d", tuple(f"c{i}" for i in range(k)), rows)
    for a, b in pieces():  # the plain way: copy every column, then fold every level
        ref.t[a:b] = t[a:b]
        for i, c in enumerate(cols):
            ref.v[i, a:b] = c[a:b]
        ref.count = b
        ref._reduce(a, b)
    with ThreadPoolExecutor(2) as pool:
        for s in (build(1 << block_log, None), build(1 << block_log, pool)):
            assert s.count == rows
            np.testing.assert_array_equal(s.v[:, :rows], ref.v[:, :rows])
            for size, a, b in zip(s.sizes * 2, s.mins + s.maxs, ref.mins + ref.maxs, strict=True):
                used = -(-rows // size)
                np.testing.assert_array_equal(a[:, :used], b[:, :used])
