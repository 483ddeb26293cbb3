"""Display history: per-device channel rings with min/max level pyramids kept as data arrives.

Each (device, channel layout) stream is a ring of int64 timestamps and float32 values (one row
per channel) plus levels of min/max buckets (bucket size 8, 64, 512, ... samples). Appending a
chunk reduces only the new samples into the levels, so a view of millions of points is served
from a few thousand precomputed buckets. NaN samples stay NaN (gaps); min/max ignore NaN unless
a whole bucket is NaN. No Qt here: the GUI pump feeds it and the plot reads it.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from concurrent.futures import Executor

import numpy as np

from twinbench.model import Chunk

FACTOR = 8  # samples per level-1 bucket, and children per bucket above
FILL_BLOCK = 1 << 17  # samples per channel copied and folded at a time by `fill`
_INITIAL = 1 << 15


def _fold(op: np.ufunc, a: np.ndarray) -> np.ndarray:
    """Reduce the last (short) axis with a binary ufunc; numpy's reduce is slow on short axes.

    A power-of-two axis folds in halves (each pass reads its input once, where a strided pass
    per element would read the whole array each time); other lengths fold element by element.
    """
    n = a.shape[-1]
    if n > 1 and not n & (n - 1):
        while a.shape[-1] > 1:
            a = op(a[..., 0::2], a[..., 1::2])
        return a[..., 0]
    out = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        op(out, a[..., i], out=out)
    return out


def _pow2_at_least(n: int) -> int:
    return 1 << max(0, int(n - 1).bit_length())


class _Stream:
    """One device's channels that arrive together: a ring of samples plus min/max levels."""

    def __init__(self, device: str, names: tuple[str, ...], capacity: int, max_capacity: int):
        self.device = device
        self.names = names
        self.k = len(names)
        self.max_capacity = max_capacity
        self.count = 0  # samples ever appended (global index of the next sample)
        self.last_t = np.iinfo(np.int64).min
        self._alloc(capacity)

    # -- storage ---------------------------------------------------------------------------
    def _alloc(self, cap: int) -> None:
        self.cap = cap
        self.t = np.zeros(cap, np.int64)
        self.v = np.empty((self.k, cap), np.float32)
        n_levels = max(0, (cap.bit_length() - 1 - 3) // 3)  # keep >= 8 buckets at the top level
        self.sizes = [FACTOR**j for j in range(1, n_levels + 1)]
        self.mins = [np.empty((self.k, cap // s), np.float32) for s in self.sizes]
        self.maxs = [np.empty((self.k, cap // s), np.float32) for s in self.sizes]

    @property
    def lo(self) -> int:
        """Global index of the oldest sample still stored."""
        return max(0, self.count - self.cap)

    def _grow(self, need: int) -> None:
        """Re-allocate to hold `need` samples (power of two, capped), keeping what is stored."""
        new_cap = min(self.max_capacity, _pow2_at_least(need))
        if new_cap <= self.cap:
            return
        lo, hi = self.lo, self.count
        old_t, old_v, old_cap = self.t, self.v, self.cap
        self._alloc(new_cap)
        if hi > lo:
            g = np.arange(lo, hi)
            self.t[g % new_cap] = old_t[g % old_cap]
            self.v[:, g % new_cap] = old_v[:, g % old_cap]
            self._reduce(lo, hi)

    def append(self, t: np.ndarray, v: np.ndarray, span_ns: int) -> None:
        """Append n samples (t[n], v[n, k]) and fold them into the levels."""
        n = t.shape[0]
        if n == 0:
            return
        # display time must be monotonic for searching: clamp late samples to the last time
        t = np.maximum.accumulate(t)
        if t[0] < self.last_t:
            t = np.maximum(t, self.last_t)
        if self.count + n > self.cap and self.cap < self.max_capacity:
            stored = self.count - self.lo
            have_span = int(t[-1]) - (int(self.t[self.lo % self.cap]) if stored else int(t[0]))
            if have_span < span_ns:
                self._grow(stored + n)
        if n > self.cap:
            t, v = t[-self.cap :], v[-self.cap :]
            self.count += n - self.cap
            n = self.cap
        c0, c1 = self.count, self.count + n
        s0 = c0 % self.cap
        first = min(n, self.cap - s0)
        self.t[s0 : s0 + first] = t[:first]
        self.v[:, s0 : s0 + first] = v[:first].T
        if first < n:
            self.t[: n - first] = t[first:]
            self.v[:, : n - first] = v[first:].T
        self.count = c1
        self.last_t = int(t[-1])
        self._reduce(c0, c1)

    def fill(self, t: np.ndarray, columns: list, pool: Executor | None = None) -> None:
        """Write the next rows in place, one column per channel, and fold them into the levels;
        for a stream sized to hold everything (no wrap, no clamping of late samples). With a
        thread `pool`, groups of channels are copied and folded in parallel (numpy releases
        the GIL)."""
        n = int(t.shape[0])
        c0, c1 = self.count, self.count + n
        if n == 0:
            return
        if c1 > self.cap:
            raise ValueError(f"stream holds {self.cap} samples, {c1} written")
        self.t[c0:c1] = t
        self.count = c1
        self.last_t = int(t[-1])
        parts = getattr(pool, "_max_workers", 1) if pool is not None else 1
        parts = max(1, min(parts, self.k))
        bounds = [self.k * i // parts for i in range(parts + 1)]
        jobs = [self._rows(a, b) for a, b in itertools.pairwise(bounds)]

        def work(job: tuple[_Stream, int]) -> None:
            part, first = job
            if c0 % FACTOR or not part.sizes:
                for i in range(part.k):
                    part.v[i, c0:c1] = columns[first + i]
                part._reduce(c0, c1)
                return
            # block by block, each block's first level folded while the block is in cache
            # (copy, then fold it from memory again, read every value twice)
            end = c0 + (n // FACTOR) * FACTOR
            mn1, mx1 = part.mins[0], part.maxs[0]
            for a in range(c0, end, FILL_BLOCK):
                b = min(a + FILL_BLOCK, end)
                for i in range(part.k):
                    part.v[i, a:b] = columns[first + i][a - c0 : b - c0]
                block = part.v[:, a:b].reshape(part.k, -1, FACTOR)
                mn1[:, a // FACTOR : b // FACTOR] = _fold(np.fmin, block)
                mx1[:, a // FACTOR : b // FACTOR] = _fold(np.fmax, block)
            if end > c0:
                part._reduce(c0, end, first_level=1)
            if end < c1:  # a last, partial bucket: the usual way, every level (after the rest:
                for i in range(part.k):  # a bucket spanning both is then folded whole)
                    part.v[i, end:c1] = columns[first + i][end - c0 :]
                part._reduce(end, c1)

        if pool is None or len(jobs) == 1:
            for job in jobs:
                work(job)
        else:
            for fut in [pool.submit(work, job) for job in jobs]:
                fut.result()

    def _rows(self, a: int, b: int) -> tuple[_Stream, int]:
        """A view of channels a..b of this stream (same storage), and a."""
        if a == 0 and b == self.k:
            return self, 0
        part = copy.copy(self)
        part.k = b - a
        part.v = self.v[a:b]
        part.mins = [m[a:b] for m in self.mins]
        part.maxs = [m[a:b] for m in self.maxs]
        return part, a

    def _reduce(self, c0: int, c1: int, first_level: int = 0) -> None:
        """Recompute the level buckets that samples [c0, c1) fall in, level by level (from
        `first_level`: the levels below it are up to date)."""
        lo = self.lo
        child_mn, child_mx, child_size = self.v, self.v, 1
        if first_level:
            j = first_level - 1
            child_mn, child_mx, child_size = self.mins[j], self.maxs[j], self.sizes[j]
        levels = zip(self.sizes, self.mins, self.maxs, strict=True)
        for size, mn, mx in itertools.islice(levels, first_level, None):
            b0, b1 = c0 // size, (c1 - 1) // size + 1
            k0, k1 = b0 * FACTOR, b1 * FACTOR  # children (global indices at child_size)
            first_valid = -(-lo // child_size)  # children that started before lo were overwritten
            last_valid = -(-c1 // child_size)  # and those from here on have not started yet
            a = self.gather(child_mn, k0, k1, child_size)  # a view unless it wraps
            b = a if child_mx is child_mn else self.gather(child_mx, k0, k1, child_size)
            front, back = max(0, first_valid - k0), max(0, k1 - last_valid)
            if front or back:
                same = b is a
                a = a.copy()
                b = a if same else b.copy()
                for arr in {id(a): a, id(b): b}.values():
                    arr[:, :front] = np.nan
                    arr[:, arr.shape[1] - back :] = np.nan
            shape = (self.k, b1 - b0, FACTOR)
            self._put(mn, b0, _fold(np.fmin, a.reshape(shape)), size)
            self._put(mx, b0, _fold(np.fmax, b.reshape(shape)), size)
            child_mn, child_mx, child_size = mn, mx, size

    def _put(self, arr: np.ndarray, g0: int, values: np.ndarray, size: int) -> None:
        """Write columns for global bucket indices g0.. (at `size`) into a ring array."""
        n_slots = self.cap // size
        s0, n = g0 % n_slots, values.shape[-1]
        first = min(n, n_slots - s0)
        arr[:, s0 : s0 + first] = values[:, :first]
        if first < n:
            arr[:, : n - first] = values[:, first:]

    # -- reading ---------------------------------------------------------------------------
    def search(self, t_ns: int, side: str = "left") -> int:
        """Global index where `t_ns` would be inserted among the stored timestamps."""
        lo, hi = self.lo, self.count
        if hi <= lo:
            return hi
        s = lo % self.cap
        n_a = min(hi - lo, self.cap - s)
        seg_a = self.t[s : s + n_a]
        seg_b = self.t[: hi - lo - n_a]
        if seg_b.size and (t_ns > seg_a[-1] or (side == "right" and t_ns == seg_a[-1])):
            return lo + n_a + int(np.searchsorted(seg_b, t_ns, side))  # type: ignore[call-overload]
        return lo + int(np.searchsorted(seg_a, t_ns, side))  # type: ignore[call-overload]

    def gather(
        self, arr: np.ndarray, g0: int, g1: int, size: int = 1, rows: list[int] | None = None
    ) -> np.ndarray:
        """Items g0..g1 (global bucket indices at `size`) of a ring array, oldest first;
        for 2-D arrays only the given rows (sliced first, so only what is read is copied)."""
        n_slots = self.cap // size
        s0, n = g0 % n_slots, g1 - g0
        if s0 + n <= n_slots:
            part = arr[..., s0 : s0 + n]
            return part if rows is None else part[rows]
        a, b = arr[..., s0:], arr[..., : n - (n_slots - s0)]
        if rows is not None:
            a, b = a[rows], b[rows]
        return np.concatenate([a, b], axis=-1)

    def view(
        self, rows: list[int], t0: int, t1: int, max_points: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Samples of some channels around [t0, t1]: (t[m], y[len(rows), m]), raw when few,
        else min/max pairs; one search and one gather serve every row."""
        lo, hi = self.lo, self.count
        empty = np.empty(0, np.int64), np.empty((len(rows), 0), np.float32)
        if hi <= lo or t1 < t0:
            return empty
        i0 = max(lo, self.search(t0, "left") - 1)
        i1 = min(hi, self.search(t1, "right") + 1)
        n = i1 - i0
        if n <= 0:
            return empty
        if n <= max_points:
            return self.gather(self.t, i0, i1).copy(), self.gather(self.v, i0, i1, rows=rows)
        pairs = max(1, max_points // 2)
        level = -1
        for j, size in enumerate(self.sizes):
            if size * pairs <= n:
                level = j
        if level < 0:
            size = 1
            mn = mx = self.gather(self.v, i0, i1, rows=rows)
            b0 = i0
        else:
            size = self.sizes[level]
            b0 = max(i0 // size, -(-lo // size))
            b1 = (i1 - 1) // size + 1
            mn = self.gather(self.mins[level], b0, b1, size, rows)
            mx = self.gather(self.maxs[level], b0, b1, size, rows)
        nb = mn.shape[1]
        group = -(-nb // pairs)
        if group > 1:
            m = -(-nb // group)
            pad = m * group - nb
            if pad:
                fill = np.full((len(rows), pad), np.nan, np.float32)
                mn = np.concatenate([mn, fill], axis=1)
                mx = np.concatenate([mx, fill], axis=1)
            mn = _fold(np.fmin, mn.reshape(len(rows), m, group))
            mx = _fold(np.fmax, mx.reshape(len(rows), m, group))
            nb = m
        first = (b0 + np.arange(nb, dtype=np.int64) * group) * size
        first = np.clip(first, lo, hi - 1)
        t = np.repeat(self.t[first % self.cap], 2)
        # zigzag: odd buckets go max->min so the joining segments stay short (less overdraw)
        odd = ((b0 // group + np.arange(nb)) & 1).astype(bool)
        y = np.empty((len(rows), 2 * nb), np.float32)
        y[:, 0::2] = np.where(odd, mx, mn)
        y[:, 1::2] = np.where(odd, mn, mx)
        return t, y


def sized_stream(device: str, names: tuple[str, ...], rows: int) -> _Stream:
    """An empty stream that holds `rows` samples without wrapping (an opened file); fill it
    with `_Stream.fill`. Any thread may build one; `DisplayHistory.adopt` then shows it."""
    cap = max(int(rows), FACTOR * FACTOR)
    while True:  # a multiple of the top bucket size, so every bucket of the levels is whole
        top = FACTOR ** max(0, (cap.bit_length() - 1 - 3) // 3)
        rounded = -(-cap // top) * top
        if rounded == cap:
            break
        cap = rounded
    return _Stream(device, names, cap, cap)


def whole_stream(
    device: str,
    names: tuple[str, ...],
    t: np.ndarray,
    columns: list,
    pool: Executor | None = None,
) -> _Stream:
    """A stream holding all of `t` and `columns`, levels built (see `sized_stream`); with a
    thread `pool`, channels are copied and folded in parallel."""
    st = sized_stream(device, names, int(t.shape[0]))
    st.fill(t, columns, pool)
    return st


class DisplayHistory:
    """Recent samples of every device, kept for display with min/max levels for fast zoom-out."""

    def __init__(
        self,
        seconds: float = 600.0,
        max_bytes_per_stream: int = 512 << 20,
        initial_capacity: int = _INITIAL,
    ) -> None:
        if not seconds > 0:
            raise ValueError(f"history seconds must be positive, got {seconds}")
        self.seconds = float(seconds)
        self.max_bytes_per_stream = int(max_bytes_per_stream)
        self.initial_capacity = max(FACTOR * FACTOR, _pow2_at_least(initial_capacity))
        self._streams: dict[tuple[str, tuple[str, ...]], _Stream] = {}
        self._where: dict[tuple[str, str], tuple[_Stream, int]] = {}
        self.appended = 0  # samples appended in total, for tests and status

    # -- writing ---------------------------------------------------------------------------
    def append(self, chunks: Iterable[Chunk]) -> None:
        """Fold chunks in; consecutive chunks of one layout are stacked and appended at once."""
        run: list[Chunk] = []
        for c in chunks:
            if run and (c.device != run[0].device or c.channels != run[0].channels):
                self._append_run(run)
                run = []
            if len(c):
                run.append(c)
        if run:
            self._append_run(run)

    def _append_run(self, run: list[Chunk]) -> None:
        key = (run[0].device, run[0].channels)
        st = self._streams.get(key)
        if st is None:
            k = max(1, len(key[1]))
            max_cap = 1 << max(12, (self.max_bytes_per_stream // (k * 4 + 8)).bit_length() - 1)
            st = _Stream(key[0], key[1], min(self.initial_capacity, max_cap), max_cap)
            self._streams[key] = st
            for row, name in enumerate(key[1]):
                self._where[(key[0], name)] = (st, row)
        if len(run) == 1:
            t, v = run[0].t_ns, run[0].values
        else:
            t = np.concatenate([c.t_ns for c in run])
            v = np.concatenate([c.values for c in run], axis=0)
        st.append(t, v, int(self.seconds * 1e9))
        self.appended += t.shape[0]

    def adopt(self, stream: _Stream) -> None:
        """Show a stream built elsewhere (`whole_stream`), replacing one with the same layout."""
        key = (stream.device, stream.names)
        self._streams[key] = stream
        for row, name in enumerate(stream.names):
            self._where[(stream.device, name)] = (stream, row)
        self.appended += stream.count

    def clear(self, device: str | None = None) -> None:
        """Forget the history of one device (or all)."""
        for key in [k for k in self._streams if device is None or k[0] == device]:
            del self._streams[key]
        self._where = {
            (dev, name): (st, row)
            for (dev, _), st in self._streams.items()
            for row, name in enumerate(st.names)
        }

    # -- reading ---------------------------------------------------------------------------
    def devices(self) -> list[str]:
        """Devices that have history, in arrival order."""
        return list(dict.fromkeys(dev for dev, _ in self._streams))

    def channels(self, device: str) -> list[str]:
        """Channels of a device that have history."""
        return [name for (dev, name) in self._where if dev == device]

    def count(self, device: str, channel: str) -> int:
        """Samples of a channel stored now."""
        st, _ = self._lookup(device, channel)
        return st.count - st.lo

    def span(self, device: str | None = None) -> tuple[int, int] | None:
        """(first, last) timestamp stored for a device (or over all devices); None if empty."""
        firsts, lasts = [], []
        for (dev, _), st in self._streams.items():
            if (device is None or dev == device) and st.count > st.lo:
                firsts.append(int(st.t[st.lo % st.cap]))
                lasts.append(int(st.t[(st.count - 1) % st.cap]))
        if not firsts:
            return None
        return min(firsts), max(lasts)

    def _lookup(self, device: str, channel: str) -> tuple[_Stream, int]:
        try:
            return self._where[(device, channel)]
        except KeyError:
            raise KeyError(f"no history for channel {channel!r} of device {device!r}") from None

    def view(
        self, device: str, channel: str, t0_ns: int, t1_ns: int, max_points: int = 4000
    ) -> tuple[np.ndarray, np.ndarray]:
        """(t_ns, y) of a channel covering [t0_ns, t1_ns]: raw points, or min/max pairs."""
        st, row = self._lookup(device, channel)
        t, y = st.view([row], int(t0_ns), int(t1_ns), max(2, int(max_points)))
        return t, y[0]

    def view_many(
        self, device: str, channels: list[str], t0_ns: int, t1_ns: int, max_points: int = 4000
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """`view` for several channels of a device, one search and gather per stream."""
        by_stream: dict[int, tuple[_Stream, list[int], list[str]]] = {}
        for ch in channels:
            st, row = self._lookup(device, ch)
            entry = by_stream.setdefault(id(st), (st, [], []))
            entry[1].append(row)
            entry[2].append(ch)
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for st, rows, names in by_stream.values():
            t, y = st.view(rows, int(t0_ns), int(t1_ns), max(2, int(max_points)))
            for i, name in enumerate(names):
                out[name] = (t, y[i])
        return out

    def value_at(self, device: str, channel: str, t_ns: int) -> tuple[int, float] | None:
        """The stored sample nearest in time to `t_ns` (time, value); None when empty."""
        st, row = self._lookup(device, channel)
        lo, hi = st.lo, st.count
        if hi <= lo:
            return None
        i = min(max(st.search(int(t_ns)), lo), hi - 1)
        if i > lo and abs(int(st.t[(i - 1) % st.cap]) - t_ns) <= abs(int(st.t[i % st.cap]) - t_ns):
            i -= 1
        return int(st.t[i % st.cap]), float(st.v[row, i % st.cap])

    def tail(self, device: str, channels: list[str], n: int = 64) -> np.ndarray:
        """The newest `n` raw samples of some channels as (rows, channels), oldest first."""
        cols = []
        for ch in channels:
            st, row = self._lookup(device, ch)
            g1 = st.count
            g0 = max(st.lo, g1 - n)
            cols.append(st.gather(st.v, g0, g1, 1, [row])[0])
        m = min((len(c) for c in cols), default=0)
        return np.column_stack([c[len(c) - m :] for c in cols]) if cols else np.empty((0, 0))

    def index_at(self, device: str, channel: str, t_ns: int) -> int:
        """How many samples of a channel's stream (since the oldest kept) come before `t_ns`."""
        st, _row = self._lookup(device, channel)
        return max(0, min(st.search(int(t_ns)), st.count) - st.lo)

    def latest(self, device: str, channel: str) -> tuple[int, float] | None:
        """The newest stored sample of a channel (time, value); None when empty."""
        st, row = self._lookup(device, channel)
        if st.count <= st.lo:
            return None
        s = (st.count - 1) % st.cap
        return int(st.t[s]), float(st.v[row, s])
