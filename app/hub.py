"""The hub: fans chunks out to subscribers through bounded queues and keeps live statistics."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from twinbench.model import Channel, Chunk, Device

Policy = Literal["drop", "block"]


class Subscription:
    """A bounded queue of chunks for one consumer; counts what it had to drop."""

    def __init__(
        self,
        name: str,
        maxsize: int = 1024,
        policy: Policy = "drop",
        devices: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self.maxsize = maxsize
        self.policy = policy
        self.devices = devices
        self.dropped_chunks = 0
        self.dropped_samples = 0
        self.dropped_by_device: dict[str, int] = {}
        self.stalls = 0
        self._items: deque[Chunk] = deque()
        self._event = threading.Event()
        self._space = threading.Condition(threading.Lock())
        self._waiting = False
        self.closed = False
        self.paused = False  # a hidden panel's queue: chunks are skipped, not queued or dropped

    def __len__(self) -> int:
        """Number of chunks waiting."""
        return len(self._items)

    def offer(self, chunk: Chunk) -> None:
        """Queue a chunk, dropping (and counting) it or waiting for room as the policy says."""
        if self.paused or (self.devices is not None and chunk.device not in self.devices):
            return
        if len(self._items) >= self.maxsize:
            if self.policy == "drop":
                self.dropped_chunks += 1
                self.dropped_samples += len(chunk)
                by = self.dropped_by_device
                by[chunk.device] = by.get(chunk.device, 0) + len(chunk)
                return
            self.stalls += 1
            with self._space:
                while len(self._items) >= self.maxsize and not self.closed:
                    self._space.wait(0.05)
        self._items.append(chunk)
        if self._waiting:
            self._event.set()

    def get(self, timeout: float | None = None) -> Chunk | None:
        """Take the oldest chunk, waiting up to `timeout` seconds; None when there is none."""
        try:
            item = self._items.popleft()
        except IndexError:
            self._waiting = True
            try:
                if not self._items:
                    self._event.wait(timeout)
                self._event.clear()
            finally:
                self._waiting = False
            try:
                item = self._items.popleft()
            except IndexError:
                return None
        if self.policy == "block":
            with self._space:
                self._space.notify()
        return item

    def drain(self, limit: int | None = None) -> list[Chunk]:
        """Take every waiting chunk (or at most `limit`) without blocking."""
        out: list[Chunk] = []
        pop = self._items.popleft
        while limit is None or len(out) < limit:
            try:
                out.append(pop())
            except IndexError:
                break
        if out and self.policy == "block":
            with self._space:
                self._space.notify_all()
        return out

    def close(self) -> None:
        """Wake any waiter; later chunks are still accepted but nobody waits for room."""
        self.closed = True
        self._event.set()
        with self._space:
            self._space.notify_all()


@dataclass
class ChannelStats:
    """Live figures for one channel: sample count, last value and time."""

    count: int = 0
    last: float = float("nan")
    last_t_ns: int = 0


@dataclass
class DeviceStats:
    """Live figures for one device: samples, chunks, rate and drops."""

    device: Device
    samples: int = 0
    chunks: int = 0
    first_t_ns: int = 0
    last_t_ns: int = 0
    rate_hz: float = 0.0
    state: str = "connected"
    message: str = ""
    retry_at: float = 0.0  # monotonic time of the next reconnect attempt (0: none announced)
    # per channel layout: [count, last timestamp, last row]; O(1) per chunk on the hot path
    layouts: dict[tuple[str, ...], list] = field(default_factory=dict)
    _rate_mark: tuple[float, int] = (0.0, 0)

    def channel_stats(self) -> dict[str, ChannelStats]:
        """Per-channel count and last value, folded from the layouts seen."""
        out = {ch.name: ChannelStats() for ch in self.device.channels}
        for names, (count, last_t, row) in self.layouts.items():
            for i, name in enumerate(names):
                cs = out.setdefault(name, ChannelStats())
                cs.count += count
                if last_t >= cs.last_t_ns:
                    cs.last, cs.last_t_ns = float(row[i]), last_t
        return out


MAX_DEVICES = 2000  # devices one hub holds; more are refused and counted


class Hub:
    """Publishes chunks to every subscriber and keeps per-device and per-channel statistics."""

    def __init__(self) -> None:
        self._subs: tuple[Subscription, ...] = ()
        self._lock = threading.Lock()
        self.devices: dict[str, DeviceStats] = {}
        self._device_listeners: list[Callable[[Device], None]] = []
        self._byte_listeners: list[Callable[[str, bytes, int], None]] = []
        # a backstop for drivers that create devices from traffic (each has its own, lower cap)
        self.max_devices = MAX_DEVICES
        self.refused_devices = 0
        self.refused_samples = 0

    # -- devices ---------------------------------------------------------------------------
    def declare(self, device: Device) -> None:
        """Announce a device and its channels before its first chunk (refused beyond the cap)."""
        with self._lock:
            old = self.devices.get(device.id)
            if old is None and len(self.devices) >= self.max_devices:
                self.refused_devices += 1
                return
            stats = DeviceStats(device=device)
            if old is not None:
                stats.samples, stats.chunks = old.samples, old.chunks
            self.devices[device.id] = stats
            listeners = list(self._device_listeners)
        for cb in listeners:
            cb(device)

    def set_state(
        self, device_id: str, state: str, message: str = "", retry_in: float = 0.0
    ) -> None:
        """Record a device's connection state (connected, disconnected, error...)."""
        st = self.devices.get(device_id)
        if st is not None:
            st.state, st.message = state, message
            st.retry_at = time.monotonic() + retry_in if retry_in > 0 else 0.0

    def remove(self, device_id: str) -> bool:
        """Forget a device (removed by the user); returns whether it was known."""
        with self._lock:
            return self.devices.pop(device_id, None) is not None

    def _widen(self, st: DeviceStats, names: tuple[str, ...]) -> None:
        """A chunk brought channels the device never declared (a CSV header, say): add them."""
        known = set(st.device.channel_names)
        extra = tuple(Channel(n) for n in names if n not in known)
        if extra:
            st.device = replace(st.device, channels=st.device.channels + extra)

    def on_device(self, callback: Callable[[Device], None]) -> None:
        """Call `callback` for every device declared from now on."""
        with self._lock:
            self._device_listeners.append(callback)

    # -- subscriptions ---------------------------------------------------------------------
    def subscribe(
        self,
        name: str,
        maxsize: int = 1024,
        policy: Policy = "drop",
        devices: frozenset[str] | None = None,
    ) -> Subscription:
        """Open a bounded queue that receives every chunk published from now on."""
        sub = Subscription(name, maxsize, policy, devices)
        with self._lock:
            self._subs = (*self._subs, sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop delivering to `sub`."""
        with self._lock:
            self._subs = tuple(s for s in self._subs if s is not sub)
        sub.close()

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """The subscribers now attached."""
        return self._subs

    # -- data ------------------------------------------------------------------------------
    def publish(self, chunk: Chunk) -> None:
        """Count a chunk and hand a reference to every subscriber."""
        n = len(chunk)
        if n:
            st = self.devices.get(chunk.device)
            if st is None:
                self.declare(
                    Device(chunk.device, "unknown", tuple(Channel(c) for c in chunk.channels))
                )
                st = self.devices.get(chunk.device)
                if st is None:  # refused: over the hub's device cap
                    self.refused_samples += n
                    return
            if st is not None:
                st.samples += n
                st.chunks += 1
                if not st.first_t_ns:
                    st.first_t_ns = int(chunk.t_ns[0])
                last_t = int(chunk.t_ns[-1])
                st.last_t_ns = last_t
                lay = st.layouts.get(chunk.channels)
                if lay is None:  # a new layout: rare, so checking for new channels is cheap
                    self._widen(st, chunk.channels)
                    st.layouts[chunk.channels] = [n, last_t, chunk.values[-1]]
                else:
                    lay[0] += n
                    lay[1] = last_t
                    lay[2] = chunk.values[-1]
        for sub in self._subs:
            sub.offer(chunk)

    def publish_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        """Hand raw bytes from a byte transport to the byte listeners (console, recorder)."""
        for cb in self._byte_listeners:
            cb(device_id, data, t_ns)

    def on_bytes(self, callback: Callable[[str, bytes, int], None]) -> None:
        """Call `callback(device_id, data, t_ns)` for raw bytes from now on."""
        with self._lock:
            self._byte_listeners.append(callback)

    # -- statistics ------------------------------------------------------------------------
    def update_rates(self, now: float | None = None) -> None:
        """Refresh each device's sample rate from the counts since the last call."""
        now = time.monotonic() if now is None else now
        for st in self.devices.values():
            t0, n0 = st._rate_mark
            if t0 and now > t0:
                inst = (st.samples - n0) / (now - t0)
                st.rate_hz = inst if not st.rate_hz else 0.5 * st.rate_hz + 0.5 * inst
            st._rate_mark = (now, st.samples)

    def dropped(self, device_id: str | None = None) -> int:
        """Samples dropped by subscribers that fell behind (one device, or all)."""
        if device_id is None:
            return int(sum(s.dropped_samples for s in self._subs))
        return int(sum(s.dropped_by_device.get(device_id, 0) for s in self._subs))

    def drops_by_subscriber(self, device_id: str) -> dict[str, int]:
        """Samples of one device dropped, per subscriber that dropped any."""
        out = {}
        for s in self._subs:
            n = s.dropped_by_device.get(device_id, 0)
            if n:
                out[s.name] = n
        return out


def stack_chunks(chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate chunks of the same layout into one time array and one value block."""
    if not chunks:
        return np.empty(0, np.int64), np.empty((0, 0))
    return (
        np.concatenate([c.t_ns for c in chunks]),
        np.concatenate([c.values for c in chunks], axis=0),
    )
