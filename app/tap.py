"""A channel tap: the latest samples of a few channels of one device, kept in ring buffers."""

from __future__ import annotations

import numpy as np

from twinbench.hub import Hub, Subscription


class ChannelTap:
    """Subscribes to one device and keeps the last `capacity` samples of selected channels."""

    def __init__(self, hub: Hub, device: str, channels: list[str], capacity: int = 65536) -> None:
        self.hub = hub
        self.device = device
        self.channels = list(channels)
        self.capacity = int(capacity)
        self.sub: Subscription | None = hub.subscribe(
            f"tap:{device}", maxsize=4096, devices=frozenset({device})
        )
        self._t = np.zeros(self.capacity, np.int64)
        self._v = np.full((self.capacity, len(self.channels)), np.nan)
        self._n = 0  # samples written into the ring
        self._received = 0
        self.missing: set[str] = set()

    def close(self) -> None:
        """Stop receiving chunks."""
        if self.sub is not None:
            self.hub.unsubscribe(self.sub)
            self.sub = None

    def poll(self) -> int:
        """Move waiting chunks into the rings; returns the number of new samples."""
        if self.sub is None:
            return 0
        added = 0
        for chunk in self.sub.drain():
            cols = []
            for name in self.channels:
                if name in chunk.channels:
                    cols.append(chunk.channels.index(name))
                else:
                    cols.append(-1)
                    self.missing.add(name)
            block = chunk.values[:, [c if c >= 0 else 0 for c in cols]]
            if -1 in cols:
                block = block.copy()
                block[:, [i for i, c in enumerate(cols) if c < 0]] = np.nan
            self._write(chunk.t_ns, block)
            added += len(chunk)
        return added

    def _write(self, t: np.ndarray, v: np.ndarray) -> None:
        n = len(t)
        self._received += n
        if n >= self.capacity:
            t, v, n = t[-self.capacity :], v[-self.capacity :], self.capacity
        start = self._n % self.capacity
        first = min(n, self.capacity - start)
        self._t[start : start + first] = t[:first]
        self._v[start : start + first] = v[:first]
        if first < n:
            self._t[: n - first] = t[first:]
            self._v[: n - first] = v[first:]
        self._n += n

    @property
    def size(self) -> int:
        """Samples held (at most capacity)."""
        return min(self._n, self.capacity)

    @property
    def total(self) -> int:
        """Samples received since the tap opened."""
        return self._received

    def latest(self, count: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The last `count` samples in time order: (t_ns[m], values[m, channels])."""
        m = self.size if count is None else min(count, self.size)
        end = self._n % self.capacity
        idx = (np.arange(end - m, end)) % self.capacity
        return self._t[idx], self._v[idx]

    def sample_rate(self) -> float:
        """Sample rate estimated from the held timestamps (Hz), 0 when unknown."""
        t, _ = self.latest(min(self.size, 1024))
        if t.size < 2:
            return 0.0
        dt = np.median(np.diff(t))
        return 1e9 / dt if dt > 0 else 0.0
