"""The recorder: the one consumer that never drops, writing crash-safe Arrow IPC streams."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from twinbench import __version__
from twinbench.arrownp import preload
from twinbench.events import Event
from twinbench.model import Chunk, Device
from twinbench.paths import safe_name
from twinbench.profiles.metadata import channel_meta, group_meta
from twinbench.recording import format as fmt
from twinbench.recording.format import SessionError
from twinbench.recording.streams import StreamWriter, owner

if TYPE_CHECKING:
    from twinbench.runtime import ChunkWorker, Runtime


@dataclass
class _Pending:
    """Chunks of one device layout waiting for the next flush."""

    stream: StreamWriter
    t: list[np.ndarray] = field(default_factory=list)
    v: list[np.ndarray] = field(default_factory=list)
    values: int = 0


@dataclass
class RecorderStats:
    """What the recorder has done: rows, values, bytes, flushes, stalls, losses, error."""

    rows: int = 0
    values: int = 0
    raw_bytes: int = 0
    events: int = 0
    flushes: int = 0
    stalls: int = 0
    lost_samples: int = 0
    error: str = ""


class Recorder:
    """Records a runtime's chunks, raw bytes and events into session folders under `root`."""

    def __init__(
        self,
        runtime: Runtime,
        root: str | os.PathLike[str],
        *,
        flush_interval: float = 1.0,
        flush_values: int = 2_000_000,
        fsync: bool = True,
        metadata: dict[str, Any] | None = None,
        maxsize: int = 4096,
        devices: Iterable[str] | None = None,
    ) -> None:
        self.runtime = runtime
        self.root = Path(root)
        self.flush_interval = flush_interval
        self.flush_values = flush_values
        self.fsync = fsync
        self.metadata = dict(metadata or {})
        self.maxsize = maxsize
        self.devices = frozenset(devices) if devices else None  # None: every device
        self.folder: Path | None = None
        self.meta: dict[str, Any] = {}
        self.stats = RecorderStats()
        self._lock = threading.RLock()
        self._pending: dict[tuple[str, tuple[str, ...]], _Pending] = {}
        self._raw: dict[str, tuple[StreamWriter, list[tuple[int, bytes]]]] = {}
        self._events: list[Event] = []
        self._event_stream: StreamWriter | None = None
        self._worker: ChunkWorker | None = None
        self._ticker: threading.Thread | None = None
        self._stop_tick = threading.Event()
        self._last_flush = time.monotonic()
        self._hooked = False
        self._on_stop: list[Callable[[Path], None]] = []

    # -- control ---------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """Whether a session is open."""
        return self.folder is not None

    def start(self, name: str = "") -> Path:
        """Open a new session folder and start recording into it; returns the folder."""
        from twinbench.recording.session import repair_sessions

        preload()  # pyarrow imports pandas on its first pa.array(): now, and not on this thread
        with self._lock:
            if self.folder is not None:
                return self.folder
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                repair_sessions(self.root)
                sid = fmt.new_session_id()
                folder = self.root / sid
                (folder / fmt.DATA_DIR).mkdir(parents=True)
            except OSError as exc:
                raise SessionError(
                    f"cannot record into {self.root}: {exc.strerror or exc}"
                ) from None
            self.stats = RecorderStats()
            self.meta = {
                "format": fmt.FORMAT,
                "format_version": fmt.FORMAT_VERSION,
                "id": sid,
                "name": name or sid,
                "note": "",
                "created_ns": time.time_ns(),
                "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "stopped_ns": None,
                "state": "recording",
                "app_version": __version__,
                "owner": owner(),
                "flush": {"interval_s": self.flush_interval, "values": self.flush_values},
                "devices": {},
                "files": {},
                "recorded_devices": sorted(self.devices) if self.devices else "all",
                **self.metadata,
            }
            self.folder = folder
            for st in list(self.runtime.hub.devices.values()):
                if self._wanted(st.device.id):
                    self._add_device(st.device, save=False)
            self._save_meta()
            if not self._hooked:
                self.runtime.hub.on_device(self._on_device)
                self.runtime.hub.on_bytes(self._on_bytes)
                self.runtime.events.listen(self._on_event)
                self._hooked = True
            self._last_flush = time.monotonic()
            self._worker = self.runtime.add_consumer(
                "recorder", self.handle, maxsize=self.maxsize, policy="block"
            )
            self._stop_tick.clear()
            self._ticker = threading.Thread(
                target=self._tick, name="twinbench-recorder-flush", daemon=True
            )
            self._ticker.start()
        self.runtime.events.emit("recording", "", f"recording started: {folder}", state="started")
        return folder

    def stop(self) -> dict[str, Any]:
        """Drain what is queued, close every file and the session; returns the session metadata."""
        worker = self._worker
        if worker is not None:
            if worker.ident is not None:
                worker.stop()
            self.runtime.hub.unsubscribe(worker.sub)
            if worker in self.runtime.workers:
                self.runtime.workers.remove(worker)
            self.stats.stalls = worker.sub.stalls
            if worker.error is not None and not self.stats.error:
                self.stats.error = f"recorder thread failed: {worker.error}"
        self._stop_tick.set()
        if self._ticker is not None:
            self._ticker.join(5)
        with self._lock:
            folder = self.folder
            if folder is None:
                return {}
            self.runtime.events.emit(
                "recording", "", f"recording stopped: {folder}", state="stopped"
            )
            self.flush(force=True)
            for stream in self._streams():
                try:
                    stream.close()
                except OSError as exc:
                    self._fail(f"closing {stream.path}: {exc.strerror or exc}")
            self.meta["state"] = "closed"
            self.meta["stopped_ns"] = time.time_ns()
            self.meta["owner"] = None
            self.meta["stats"] = self.stats.__dict__.copy()
            self.meta["counters"] = self._counters()
            try:
                self._save_meta()
            except OSError as exc:
                self._fail(f"writing {folder / fmt.META}: {exc.strerror or exc}")
            meta = dict(self.meta)
            self.folder = None
            self._worker = None
            self._pending.clear()
            self._raw.clear()
            self._event_stream = None
        for cb in self._on_stop:
            cb(folder)
        return meta

    def _counters(self) -> dict[str, dict[str, int]]:
        """Every driver's loss and driver counters now (`counters` view in `twinbench sql`)."""
        from twinbench.diagnostics import driver_counters

        try:
            return driver_counters(self.runtime)
        except Exception as exc:  # counters are a bonus: never fail closing a session
            self._fail(f"reading driver counters: {exc}")
            return {}

    def on_stop(self, callback: Callable[[Path], None]) -> None:
        """Call `callback(folder)` after each session is closed."""
        self._on_stop.append(callback)

    def live_stats(self) -> dict[str, Any]:
        """Counters for display: rows, values, bytes, stalls, losses, error."""
        d = self.stats.__dict__.copy()
        if self._worker is not None:
            d["stalls"] = self._worker.sub.stalls
            d["queued"] = len(self._worker.sub)
        d["folder"] = str(self.folder) if self.folder else ""
        return d

    # -- inputs ----------------------------------------------------------------------------
    def handle(self, chunks: list[Chunk]) -> None:
        """Consumer callback: buffer a batch of chunks and flush when the buffer is large."""
        try:
            self._handle(chunks)
        except Exception as exc:  # never let the thread die: producers would block on it
            with self._lock:
                self._fail(f"recorder failed: {type(exc).__name__}: {exc}")
                self.stats.lost_samples += sum(len(c) for c in chunks)

    def _handle(self, chunks: list[Chunk]) -> None:
        with self._lock:
            if self.folder is None:
                return
            if self.stats.error:
                self.stats.lost_samples += sum(len(c) for c in chunks)
                return
            for c in chunks:
                n = len(c)
                if not n or (self.devices is not None and c.device not in self.devices):
                    continue
                key = (c.device, c.channels)
                p = self._pending.get(key)
                if p is None:
                    p = self._open_layout(c)
                    if p is None:
                        self.stats.lost_samples += n
                        continue
                p.t.append(c.t_ns)
                p.v.append(c.values)
                p.values += c.values.size
            due = self._due_in() <= 0
            if due or sum(p.values for p in self._pending.values()) >= self.flush_values:
                self.flush(force=due)

    def _on_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        with self._lock:
            if self.folder is None or self.stats.error or not self._wanted(device_id):
                return
            entry = self._raw.get(device_id)
            if entry is None:
                try:
                    raw_dir = self.folder / fmt.RAW_DIR
                    raw_dir.mkdir(exist_ok=True)
                    schema = fmt.RAW_SCHEMA.with_metadata({"twinbench.device": device_id})
                    path = self._unique(raw_dir, safe_name(device_id))
                    entry = self._raw[device_id] = (StreamWriter(path, schema), [])
                except OSError as exc:
                    self._fail(f"opening raw stream for {device_id!r}: {exc.strerror or exc}")
                    return
            entry[1].append((t_ns, bytes(data)))

    def _on_event(self, ev: Event) -> None:
        with self._lock:
            if self.folder is not None:
                self._events.append(ev)

    def _on_device(self, device: Device) -> None:
        with self._lock:
            if self.folder is not None and self._wanted(device.id):
                self._add_device(device, save=True)

    def _wanted(self, device_id: str) -> bool:
        return self.devices is None or device_id in self.devices

    # -- writing ---------------------------------------------------------------------------
    def flush(self, force: bool = True) -> None:
        """Write buffered data as record batches and sync the files to disk."""
        with self._lock:
            if self.folder is None or self.stats.error:
                return
            try:
                for p in self._pending.values():
                    if p.t:
                        self._write_chunks(p)
                for stream, items in self._raw.values():
                    if items:
                        t = np.fromiter((i[0] for i in items), np.int64, len(items))
                        arr = pa.array([i[1] for i in items], pa.binary())
                        stream.write(pa.record_batch([self._time(t), arr], schema=stream.schema))
                        self.stats.raw_bytes += sum(len(i[1]) for i in items)
                        items.clear()
                if self._events:
                    self._write_events()
                if force and self.fsync:
                    for stream in self._streams():
                        stream.sync()
                self.stats.flushes += 1
            except (OSError, pa.ArrowException) as exc:
                self._fail(
                    f"writing session {self.folder}: {getattr(exc, 'strerror', None) or exc}"
                )
                self.stats.lost_samples += sum(
                    sum(len(t) for t in p.t) for p in self._pending.values()
                )
                for p in self._pending.values():
                    p.t.clear()
                    p.v.clear()
                    p.values = 0
            self._last_flush = time.monotonic()

    def _write_chunks(self, p: _Pending) -> None:
        t = np.concatenate(p.t) if len(p.t) > 1 else p.t[0]
        v = np.concatenate(p.v) if len(p.v) > 1 else p.v[0]
        cols = np.ascontiguousarray(v.T)
        n = int(t.shape[0])
        arrays = [
            self._time(t),
            *(
                pa.Array.from_buffers(pa.float64(), n, [None, pa.py_buffer(cols[j])])
                for j in range(cols.shape[0])
            ),
        ]
        p.stream.write(pa.record_batch(arrays, schema=p.stream.schema))
        self.stats.rows += int(t.shape[0])
        self.stats.values += int(v.size)
        p.t.clear()
        p.v.clear()
        p.values = 0

    def _write_events(self) -> None:
        if self._event_stream is None:
            assert self.folder is not None
            self._event_stream = StreamWriter(self.folder / fmt.EVENTS, fmt.EVENT_SCHEMA)
        evs, self._events = self._events, []
        t = np.fromiter((e.t_ns for e in evs), np.int64, len(evs))
        batch = pa.record_batch(
            [
                self._time(t),
                pa.array([e.kind for e in evs], pa.string()),
                pa.array([e.device for e in evs], pa.string()),
                pa.array([e.message for e in evs], pa.string()),
                pa.array([json.dumps(e.data, default=str) for e in evs], pa.string()),
            ],
            schema=fmt.EVENT_SCHEMA,
        )
        self._event_stream.write(batch)
        self.stats.events += len(evs)

    @staticmethod
    def _time(t: np.ndarray) -> pa.Array:
        # from_buffers: zero-copy, and unlike .view() it does not import pandas for the tz
        t = np.ascontiguousarray(t, np.int64)
        return pa.Array.from_buffers(fmt.TIME_TYPE, len(t), [None, pa.py_buffer(t)])

    def _streams(self) -> list[StreamWriter]:
        out = [p.stream for p in self._pending.values()]
        out += [s for s, _ in self._raw.values()]
        if self._event_stream is not None:
            out.append(self._event_stream)
        return out

    def _open_layout(self, c: Chunk) -> _Pending | None:
        assert self.folder is not None
        dev = self.meta["devices"].get(c.device)
        if dev is None:
            st = self.runtime.hub.devices.get(c.device)
            device = st.device if st is not None else Device(c.device, "unknown")
            dev = self._add_device(device, save=False)
        units = {ch["name"]: ch for ch in dev["channels"]}
        chans = [units.get(n, {"name": n}) for n in c.channels]
        schema = fmt.device_schema(c.device, dev["driver"], chans)
        try:
            path = self._unique(self.folder / fmt.DATA_DIR, safe_name(c.device))
            stream = StreamWriter(path, schema)
            self.meta["files"][f"{fmt.DATA_DIR}/{path.name}"] = {
                "device": c.device,
                "channels": list(c.channels),
            }
            self._save_meta()
        except OSError as exc:
            self._fail(f"opening stream for {c.device!r}: {exc.strerror or exc}")
            return None
        p = self._pending[(c.device, c.channels)] = _Pending(stream)
        return p

    def _unique(self, folder: Path, stem: str) -> Path:
        i = 0
        while True:
            path = folder / f"{stem}{'' if i == 0 else f'~{i}'}{fmt.SUFFIX}"
            if not path.exists():
                return path
            i += 1

    def _add_device(self, device: Device, save: bool) -> dict[str, Any]:
        d = {
            "driver": device.driver,
            "description": device.description,
            "channels": [
                {
                    "name": c.name,
                    "unit": c.unit,
                    "dtype": c.dtype,
                    "description": c.description,
                    **channel_meta(c),  # a profile's range and thresholds
                }
                for c in device.channels
            ],
            "meta": dict(device.meta),
        }
        if device.groups:  # a profile's dashboard groups
            d["groups"] = [group_meta(g) for g in device.groups]
        self.meta["devices"][device.id] = d
        if save:
            try:
                self._save_meta()
            except OSError as exc:
                self._fail(f"writing metadata: {exc.strerror or exc}")
        return d

    def _save_meta(self) -> None:
        assert self.folder is not None
        fmt.write_json_atomic(self.folder / fmt.META, self.meta)

    def _fail(self, message: str) -> None:
        if not self.stats.error:
            self.stats.error = message
            self.runtime.events.emit("error", "", f"recorder: {message}", source="recorder")

    def _due_in(self) -> float:
        """Seconds until the next timed flush; a little early, so that scheduling delays
        never let buffered data grow older than one flush interval."""
        slack = min(0.05, self.flush_interval / 10)
        return self._last_flush + self.flush_interval - slack - time.monotonic()

    def _tick(self) -> None:
        reported = 0
        while not self._stop_tick.wait(max(0.005, min(0.2, self._due_in()))):
            if self._due_in() <= 0:
                self.flush(force=True)
            worker = self._worker
            stalls = worker.sub.stalls if worker is not None else 0
            if stalls > reported:
                reported = stalls
                self.stats.stalls = stalls
                self.runtime.events.emit(
                    "error",
                    "",
                    f"recorder falling behind: producers held back {stalls} time(s)",
                    source="recorder",
                    stalls=stalls,
                )
