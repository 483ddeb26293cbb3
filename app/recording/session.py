"""Reading sessions back: metadata, per-device tables, events, and the sessions browser."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from twinbench.arrownp import to_numpy
from twinbench.recording import format as fmt
from twinbench.recording.format import SessionError
from twinbench.recording.streams import owner_alive


@dataclass
class Session:
    """An opened session folder: metadata plus what its stream files hold."""

    folder: Path
    meta: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    _cache: dict[str, pa.Table] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        """The session id."""
        return str(self.meta.get("id", self.folder.name))

    @property
    def devices(self) -> list[str]:
        """Device ids with recorded data, in file order."""
        seen: dict[str, None] = {}
        for path in fmt.stream_files(self.folder):
            dev = self._device_of(path)
            if dev is not None:
                seen[dev] = None
        return list(seen)

    def _device_of(self, path: Path) -> str | None:
        rel = f"{fmt.DATA_DIR}/{path.name}"
        info = self.meta.get("files", {}).get(rel)
        if info:
            return str(info["device"])
        try:
            with pa.OSFile(str(path), "rb") as f:
                schema = pa.ipc.open_stream(f).schema
        except (pa.ArrowInvalid, OSError):
            return None
        md = schema.metadata or {}
        return md.get(b"twinbench.device", b"").decode() or None

    def units(self, device: str) -> dict[str, str]:
        """Channel -> unit for a device, from the metadata."""
        dev = self.meta.get("devices", {}).get(device, {})
        return {c["name"]: c.get("unit", "") for c in dev.get("channels", [])}

    def device_table(self, device: str) -> pa.Table:
        """All readable rows of one device, oldest first, columns unified across layouts."""
        if device not in self._cache:
            self._cache[device] = self._read_device(device)
        return self._cache[device]

    def first_ns(self) -> int:
        """Time of the first recorded sample over all devices (0 when none)."""
        firsts = []
        for dev in self.devices:
            t = self.device_table(dev).column(fmt.TIME)
            if len(t):
                firsts.append(t[0].value)
        return min(firsts) if firsts else int(self.meta.get("created_ns") or 0)

    def _read_device(self, device: str) -> pa.Table:
        tables = []
        for path in fmt.stream_files(self.folder):
            if self._device_of(path) != device:
                continue
            res = fmt.read_stream(path)
            if res.problem and res.complete is False and self.meta.get("state") == "closed":
                self.problems.append(f"{path}: {res.problem}")
            if res.schema is not None:
                tables.append(pa.Table.from_batches(res.batches, schema=res.schema))
        if not tables:
            raise SessionError(f"{self.folder}: no data for device {device!r}")
        if len(tables) == 1:
            table = tables[0]
        else:
            table = pa.concat_tables(tables, promote_options="default")
        t = table.column(fmt.TIME)
        if table.num_rows > 1:
            arr = to_numpy(t.cast(pa.int64()))  # (`.view` would import pandas)
            if np.any(arr[1:] < arr[:-1]):
                table = table.sort_by(fmt.TIME)
        return table

    def tables(self) -> dict[str, pa.Table]:
        """Every device's table."""
        return {d: self.device_table(d) for d in self.devices}

    def events(self) -> pa.Table:
        """The recorded events (time, kind, device, message, data as JSON text)."""
        path = self.folder / fmt.EVENTS
        if not path.exists():
            return fmt.EVENT_SCHEMA.empty_table()
        res = fmt.read_stream(path)
        return pa.Table.from_batches(res.batches, schema=fmt.EVENT_SCHEMA)

    def raw(self, device: str) -> pa.Table:
        """Raw bytes recorded from a byte transport (time, data)."""
        for path in fmt.raw_files(self.folder):
            res = fmt.read_stream(path)
            md = (res.schema.metadata or {}) if res.schema is not None else {}
            if md.get(b"twinbench.device", b"").decode() == device:
                return pa.Table.from_batches(res.batches, schema=res.schema)
        return fmt.RAW_SCHEMA.empty_table()

    def disk_usage(self) -> int:
        """Bytes the session folder takes."""
        return du(self.folder)


def du(folder: Path) -> int:
    """Total size in bytes of the files under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def repair(folder: Path, meta: dict[str, Any] | None = None) -> list[str]:
    """Close a session left open by a crash: seal every stream, mark the metadata repaired."""
    meta = fmt.read_meta(folder) if meta is None else meta
    notes = []
    paths = [*fmt.stream_files(folder), *fmt.raw_files(folder)]
    if (folder / fmt.EVENTS).exists():
        paths.append(folder / fmt.EVENTS)
    stamps = [p.stat().st_mtime_ns for p in paths if p.exists()] or [0]  # before repair moves any
    for path in paths:
        res = fmt.repair_stream(path)
        if not res.complete:
            notes.append(f"{path.name}: kept {res.rows} rows ({res.problem})")
    meta["state"] = "closed"
    meta["repaired"] = True
    meta["repair_notes"] = notes
    meta["owner"] = None
    if meta.get("stopped_ns") is None:
        meta["stopped_ns"] = max(stamps)
    try:
        fmt.write_json_atomic(folder / fmt.META, meta)
    except OSError as exc:
        raise SessionError(f"{folder}: cannot repair ({exc.strerror or exc})") from None
    return notes


def open_session(path: str | Path, *, repair_open: bool = True) -> Session:
    """Open a session folder (repairing it if its recorder died), with clear errors."""

    folder = Path(path)
    meta = fmt.read_meta(folder)
    problems: list[str] = []
    if meta.get("state") == "recording" and not owner_alive(meta.get("owner")) and repair_open:
        problems = repair(folder, meta)
    return Session(folder, meta, problems)


def repair_sessions(root: Path) -> list[Path]:
    """Repair every session under `root` whose recorder is gone; returns those repaired."""

    done = []
    for folder in sorted(p for p in root.iterdir() if (p / fmt.META).is_file()):
        try:
            meta = fmt.read_meta(folder)
        except SessionError:
            continue
        if meta.get("state") == "recording" and not owner_alive(meta.get("owner")):
            repair(folder, meta)
            done.append(folder)
    return done


@dataclass
class SessionInfo:
    """One line of the sessions browser."""

    folder: Path
    id: str
    name: str
    note: str
    created_utc: str
    duration_s: float
    state: str
    devices: list[str]
    bytes: int
    problem: str = ""


def list_sessions(root: str | Path) -> list[SessionInfo]:
    """Every session under `root`, newest first; unreadable ones are listed with the problem."""
    root = Path(root)
    if not root.is_dir():
        raise SessionError(f"{root}: no such folder")
    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        if not (folder / fmt.META).exists():
            continue
        size = du(folder)
        try:
            meta = fmt.read_meta(folder)
        except SessionError as exc:
            out.append(
                SessionInfo(folder, folder.name, "", "", "", 0.0, "error", [], size, str(exc))
            )
            continue
        start, stop = meta.get("created_ns") or 0, meta.get("stopped_ns") or 0
        state = meta.get("state", "?")
        if state == "recording" and not owner_alive(meta.get("owner")):
            state = "interrupted"
        out.append(
            SessionInfo(
                folder,
                str(meta.get("id", folder.name)),
                str(meta.get("name", "")),
                str(meta.get("note", "")),
                str(meta.get("created_utc", "")),
                max(0.0, (stop - start) / 1e9) if stop else 0.0,
                state,
                sorted(meta.get("devices", {})),
                size,
            )
        )
    return out


def _edit(folder: Path, **changes: Any) -> dict[str, Any]:
    meta = fmt.read_meta(folder)
    meta.update(changes)
    try:
        fmt.write_json_atomic(folder / fmt.META, meta)
    except OSError as exc:
        raise SessionError(f"{folder}: cannot update metadata ({exc.strerror or exc})") from None
    return meta


def rename(folder: str | Path, name: str) -> dict[str, Any]:
    """Give a session a display name (the folder keeps its id)."""
    if not name.strip():
        raise SessionError("a session name cannot be empty")
    return _edit(Path(folder), name=name.strip())


def annotate(folder: str | Path, note: str, append: bool = False) -> dict[str, Any]:
    """Set (or append to) a session's free-text note."""
    folder = Path(folder)
    if append:
        old = fmt.read_meta(folder).get("note", "")
        note = f"{old}\n{note}" if old else note
    return _edit(folder, note=note)


def delete(folder: str | Path) -> int:
    """Delete a session folder (refuses anything that is not a closed session); returns bytes."""

    folder = Path(folder)
    meta = fmt.read_meta(folder)
    if meta.get("state") == "recording" and owner_alive(meta.get("owner")):
        raise SessionError(f"{folder}: still being recorded; stop the recording first")
    size = du(folder)
    shutil.rmtree(folder)
    return size


def event_rows(session: Session) -> list[dict[str, Any]]:
    """The events as plain dicts with their data decoded."""
    t = session.events()
    rows = t.to_pylist()
    for r in rows:
        try:
            r["data"] = json.loads(r["data"] or "{}")
        except ValueError:
            r["data"] = {}
    return rows
