"""Replays a session's chunks at 0.1x-100x or as fast as possible, with seek and pause."""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import numpy as np

from twinbench.drivers.base import Chunk, Device, Driver, Setting, Sink, stop_task
from twinbench.profiles.metadata import channel_from_meta, groups_from_meta

MAX_ROWS = 65_536
PREFIX = "replay:"  # replayed devices are `replay:<recorded id>` next to the live ones


class ReplayDriver(Driver):
    """Plays a recorded session back with its original timestamps, units and device ids."""

    name = "replay"
    description = "play a recorded session back (seek, pause, 0.1x-100x or as fast as possible)"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("session", "Session folder", "str", ""),
        Setting("speed", "Speed (x real time)", "float", 1.0, min=0.1, max=100.0),
        Setting("fast", "As fast as possible", "bool", False),
        Setting("start", "Start at (s from session start)", "float", 0.0, min=0.0),
        Setting("loop", "Loop", "bool", False),
        Setting("block_ms", "Block period (ms)", "int", 20, min=1, max=1000),
        Setting(
            "prefix",
            "Device id prefix (replayed data never uses a live device's id)",
            "str",
            PREFIX,
        ),
    )
    transient: ClassVar[bool] = True  # a replay is never restored at the next start

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        cfg = self.parse_settings(config)
        if not cfg["session"]:
            from twinbench.drivers.base import SettingError

            raise SettingError("setting 'session': the session folder to replay is required")
        self.session_path: str = cfg["session"]
        self.speed: float = cfg["speed"]
        self.fast: bool = cfg["fast"]
        self.loop: bool = cfg["loop"]
        self.block_s: float = cfg["block_ms"] / 1000.0
        self.prefix: str = cfg["prefix"]
        self._seek_to: float | None = cfg["start"]
        self.paused = False
        self.finished = False
        self.replayed = 0
        self.replayed_bytes = 0
        self._raw: list[tuple[str, np.ndarray, list[bytes]]] = []
        self._raw_cursor: list[int] = []
        self.devices: list[Device] = []
        self._data: list[tuple[Device, tuple[str, ...], np.ndarray, np.ndarray]] = []
        self._cursor: list[int] = []
        self.t0_ns = 0
        self.t1_ns = 0
        self.pos_ns = 0
        self._task: asyncio.Task[None] | None = None

    # -- control (any thread) ----------------------------------------------------------------
    def pause(self) -> None:
        """Hold playback where it is."""
        self.paused = True

    def resume(self) -> None:
        """Continue playback."""
        self.paused = False

    def seek(self, seconds: float) -> None:
        """Jump to `seconds` from the session start (applied on the next step)."""
        self._seek_to = max(0.0, float(seconds))

    @property
    def position_s(self) -> float:
        """Playback position in seconds from the session start."""
        return (self.pos_ns - self.t0_ns) / 1e9

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds."""
        return (self.t1_ns - self.t0_ns) / 1e9

    # -- driver ----------------------------------------------------------------------------
    def load(self) -> None:
        """Read the session into memory (numpy blocks per device)."""
        import pyarrow as pa

        from twinbench.recording.session import open_session

        s = open_session(self.session_path)
        firsts, lasts = [], []
        for dev_id in s.devices:
            table = s.device_table(dev_id)
            names = tuple(c for c in table.column_names if c != "time")
            meta = s.meta.get("devices", {}).get(dev_id, {})
            info = {c["name"]: c for c in meta.get("channels", [])}
            chans = tuple(channel_from_meta(n, info.get(n, {})) for n in names)
            device = Device(
                self.prefix + dev_id,
                meta.get("driver", "replay"),
                chans,
                f"replay of {s.id}",
                groups=groups_from_meta(meta.get("groups", []), list(names)),
            )
            t = table.column("time").combine_chunks().view(pa.int64()).to_numpy()
            cols = [table.column(n).to_numpy() for n in names]
            v = np.column_stack(cols) if cols else np.empty((len(t), 0))
            self.devices.append(device)
            self._data.append((device, names, t, v))
            if len(t):
                firsts.append(int(t[0]))
                lasts.append(int(t[-1]))
            raw = s.raw(dev_id)
            if raw.num_rows:
                rt = raw.column("time").combine_chunks().view(pa.int64()).to_numpy()
                raw_data = raw.column("data").to_pylist()
                self._raw.append((self.prefix + dev_id, rt, raw_data))
        self.t0_ns = min(firsts) if firsts else 0
        self.t1_ns = max(lasts) if lasts else 0
        self.pos_ns = self.t0_ns
        self._cursor = [0] * len(self._data)
        self._raw_cursor = [0] * len(self._raw)

    async def open(self) -> None:
        """Load the session, declare its devices and start playback."""
        await asyncio.get_running_loop().run_in_executor(None, self.load)
        for dev in self.devices:
            self.sink.declare(dev)
            self.sink.status(dev.id, "connected", f"replaying {self.session_path}")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="replay")

    async def close(self) -> None:
        """Stop playback."""
        await stop_task(self._task)
        self._task = None
        for dev in self.devices:
            self.sink.status(dev.id, "disconnected")

    def _apply_seek(self) -> None:
        if self._seek_to is None:
            return
        self.pos_ns = min(self.t1_ns, self.t0_ns + int(self._seek_to * 1e9))
        self._seek_to = None
        self._cursor = [int(np.searchsorted(t, self.pos_ns, "left")) for _, _, t, _ in self._data]
        self._raw_cursor = [int(np.searchsorted(t, self.pos_ns, "left")) for _, t, _ in self._raw]
        self.finished = False

    def _emit_until(self, until_ns: int) -> None:
        for i, (dev, names, t, v) in enumerate(self._data):
            lo = self._cursor[i]
            hi = int(np.searchsorted(t, until_ns, "right"))
            while lo < hi:
                top = min(hi, lo + MAX_ROWS)
                self.sink.push(Chunk(dev.id, names, t[lo:top], v[lo:top]))
                self.replayed += top - lo
                lo = top
            self._cursor[i] = hi
        for i, (dev_id, t, blobs) in enumerate(self._raw):  # raw bytes, for the console
            lo, hi = self._raw_cursor[i], int(np.searchsorted(t, until_ns, "right"))
            for k in range(lo, hi):  # one call per recorded read, not per byte
                self.sink.push_bytes(dev_id, blobs[k], int(t[k]))
            self.replayed_bytes += sum(len(b) for b in blobs[lo:hi])
            self._raw_cursor[i] = hi

    async def _run(self) -> None:
        mono = time.monotonic()
        while True:
            self._apply_seek()
            now = time.monotonic()
            elapsed, mono = now - mono, now
            if not self.paused and not self.finished:
                if self.fast:
                    step = int(max(self.block_s, 0.1) * 1e9 * 10)
                else:
                    step = int(elapsed * self.speed * 1e9)
                self.pos_ns = min(self.t1_ns, self.pos_ns + step)
                self._emit_until(self.pos_ns)
                if self.pos_ns >= self.t1_ns:
                    if self.loop:
                        self.seek(0.0)
                    else:
                        self.finished = True
            await asyncio.sleep(0 if self.fast and not self.paused else self.block_s)
