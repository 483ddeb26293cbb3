"""Exporting sessions to Parquet or CSV (one file or a Hive-partitioned dataset), with cancel."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from twinbench import __version__
from twinbench.paths import safe_name
from twinbench.recording import format as fmt
from twinbench.recording.format import SessionError
from twinbench.recording.session import Session, open_session

DAY_NS = 86_400 * 1_000_000_000
SLICE_ROWS = 1 << 20
PARTITION_KEYS = ("date", "device_id")


class ExportCancelled(Exception):
    """The export was cancelled; its partial output has been removed."""


@dataclass
class ExportOptions:
    """What to export and how."""

    format: Literal["parquet", "csv"] = "parquet"
    out: Path = Path("export")
    partition: tuple[str, ...] = ()
    t_from: str | None = None
    t_to: str | None = None
    channels: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    time_unit: Literal["ns", "us"] = "ns"
    compression: str = "snappy"
    progress: Callable[[int, int], None] | None = None
    cancel: threading.Event | None = None


@dataclass
class ExportResult:
    """Files written and rows exported."""

    files: list[Path] = field(default_factory=list)
    rows: int = 0


def parse_time(text: str, start_ns: int, what: str) -> int:
    """An ISO 8601 time (UTC unless it says otherwise) or seconds from the session start."""
    s = text.strip()
    try:
        return start_ns + round(float(s) * 1e9)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise SessionError(
            f"{what} {text!r}: expected an ISO 8601 time (e.g. 2026-01-02T03:04:05Z) "
            "or seconds from the session start"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1000


def _time_ns(table: pa.Table) -> np.ndarray:
    return table.column(fmt.TIME).combine_chunks().view(pa.int64()).to_numpy()


def select(
    session: Session,
    device: str,
    t_from: int | None,
    t_to: int | None,
    channels: Sequence[str] = (),
) -> pa.Table:
    """One device's rows in [t_from, t_to) with the chosen channels (all when empty)."""
    table = session.device_table(device)
    t = _time_ns(table)
    lo = 0 if t_from is None else int(np.searchsorted(t, t_from, "left"))
    hi = len(t) if t_to is None else int(np.searchsorted(t, t_to, "left"))
    table = table.slice(lo, max(0, hi - lo))
    if channels:
        keep = [c for c in channels if c in table.column_names]
        table = table.select([fmt.TIME, *keep])
    return table


def _decorate(table: pa.Table, session: Session, device: str, time_unit: str) -> pa.Table:
    """UTC timestamps in the chosen unit, units per field and the source in the schema."""
    if time_unit == "us":
        col = table.column(fmt.TIME).cast(pa.timestamp("us", tz="UTC"), safe=False)
        table = table.set_column(0, pa.field(fmt.TIME, col.type), col)
    units = session.units(device)
    dev = session.meta.get("devices", {}).get(device, {})
    fields = []
    for f in table.schema:
        md = dict(f.metadata or {})
        if f.name != fmt.TIME:
            md[b"unit"] = units.get(f.name, (md.get(b"unit") or b"").decode()).encode()
            md[b"device_id"] = device.encode()
        fields.append(f.with_metadata(md))
    source = {
        "session": session.id,
        "session_name": session.meta.get("name", ""),
        "device_id": device,
        "driver": dev.get("driver", ""),
        "recorded_with": session.meta.get("app_version", ""),
        "exported_with": __version__,
    }
    md = {
        b"twinbench.source": json.dumps(source).encode(),
        b"twinbench.units": json.dumps(units).encode(),
    }
    return table.cast(pa.schema(fields, metadata=md))


def _with_device(table: pa.Table, device: str) -> pa.Table:
    col = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(table.num_rows, np.int32)), pa.array([device])
    )
    return table.add_column(1, pa.field("device_id", col.type), col)


class _Writer:
    """Writes tables into temporary files, renamed into place only when all succeeded."""

    def __init__(self, opts: ExportOptions, total: int) -> None:
        self.opts = opts
        self.total = total
        self.done = 0
        self.temps: list[tuple[Path, Path]] = []
        self.made_dirs: list[Path] = []

    def mkdir(self, folder: Path) -> None:
        missing = []
        p = folder
        while not p.exists():
            missing.append(p)
            p = p.parent
        folder.mkdir(parents=True, exist_ok=True)
        self.made_dirs.extend(reversed(missing))

    def write(self, table: pa.Table, final: Path) -> None:
        self.mkdir(final.parent)
        tmp = final.with_name(f".{final.name}.tmp")
        self.temps.append((tmp, final))
        if self.opts.format == "parquet":
            import pyarrow.parquet as pq

            with pq.ParquetWriter(str(tmp), table.schema, compression=self.opts.compression) as w:
                for off in range(0, max(table.num_rows, 1), SLICE_ROWS):
                    self._check()
                    w.write_table(table.slice(off, SLICE_ROWS), row_group_size=SLICE_ROWS)
                    self._advance(min(SLICE_ROWS, table.num_rows - off))
        else:
            import pyarrow.csv as pcsv

            with pcsv.CSVWriter(str(tmp), table.schema) as w:
                for off in range(0, max(table.num_rows, 1), SLICE_ROWS):
                    self._check()
                    w.write_table(table.slice(off, SLICE_ROWS))
                    self._advance(min(SLICE_ROWS, table.num_rows - off))

    def _check(self) -> None:
        if self.opts.cancel is not None and self.opts.cancel.is_set():
            raise ExportCancelled("export cancelled")

    def _advance(self, n: int) -> None:
        self.done += max(n, 0)
        if self.opts.progress is not None:
            self.opts.progress(self.done, self.total)

    def commit(self) -> list[Path]:
        for tmp, final in self.temps:
            os.replace(tmp, final)
        return [final for _, final in self.temps]

    def discard(self) -> None:
        for tmp, _final in self.temps:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
        for d in reversed(self.made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass


def export_sessions(paths: Sequence[str | Path], opts: ExportOptions) -> ExportResult:
    """Export sessions; on failure or cancel every partial file is removed and the error raised."""
    bad = [k for k in opts.partition if k not in PARTITION_KEYS]
    if bad:
        raise SessionError(
            f"--partition {','.join(bad)}: unknown key; valid: {', '.join(PARTITION_KEYS)}"
        )
    if opts.format not in ("parquet", "csv"):
        raise SessionError(f"--format {opts.format!r}: expected parquet or csv")
    sessions = [open_session(p) for p in paths]
    pieces: list[tuple[Session, str, pa.Table]] = []
    seen_channels: set[str] = set()
    for s in sessions:
        start = s.first_ns()
        t_from = parse_time(opts.t_from, start, "--from") if opts.t_from else None
        t_to = parse_time(opts.t_to, start, "--to") if opts.t_to else None
        for dev in s.devices:
            if opts.devices and dev not in opts.devices:
                continue
            table = select(s, dev, t_from, t_to, opts.channels)
            seen_channels.update(table.column_names)
            pieces.append((s, dev, _decorate(table, s, dev, opts.time_unit)))
    missing = [c for c in opts.channels if c not in seen_channels]
    if missing:
        raise SessionError(f"--channels: no recorded channel named {', '.join(missing)}")
    if not pieces:
        raise SessionError("nothing to export (no recorded device matches)")
    total = sum(t.num_rows for _, _, t in pieces)
    writer = _Writer(opts, total)
    ext = "parquet" if opts.format == "parquet" else "csv"
    try:
        if opts.partition:
            for s, dev, table in pieces:
                _write_partitioned(writer, s, dev, table, opts, ext)
        else:
            tables = [_with_device(t, dev) for _, dev, t in pieces]
            table = tables[0] if len(tables) == 1 else _concat(tables)
            out = opts.out
            if out.is_dir():
                out = out / f"{sessions[0].id}.{ext}"
            writer.write(table, out)
        files = writer.commit()
    except BaseException as exc:
        writer.discard()
        if isinstance(exc, OSError):
            raise SessionError(
                f"cannot write export to {opts.out}: {exc.strerror or exc}; partial output removed"
            ) from None
        raise
    return ExportResult(files, total)


def _concat(tables: list[pa.Table]) -> pa.Table:
    # devices may differ in channels: unify by name, missing columns become null
    plain = [t.replace_schema_metadata(None) for t in tables]
    out = pa.concat_tables(plain, promote_options="permissive")
    return out.replace_schema_metadata(tables[0].schema.metadata)


def _write_partitioned(
    writer: _Writer, s: Session, dev: str, table: pa.Table, opts: ExportOptions, ext: str
) -> None:
    """Write one device's rows under key=value folders, one part per date when asked."""
    if "device_id" not in opts.partition:
        table = _with_device(table, dev)
    t = table.column(fmt.TIME).combine_chunks().cast(pa.int64()).to_numpy()
    if opts.time_unit == "us":
        t = t * 1000
    if "date" in opts.partition and len(t):
        day = t // DAY_NS
        cuts = [0, *(np.flatnonzero(np.diff(day)) + 1).tolist(), len(t)]
    else:
        cuts = [0, len(t)]
    tag = f"{s.id}-{uuid.uuid4().hex[:8]}"
    for i in range(len(cuts) - 1):
        lo, hi = cuts[i], cuts[i + 1]
        if hi <= lo and len(t):
            continue
        folder = opts.out
        for key in opts.partition:
            if key == "date":
                d = datetime.fromtimestamp(int(t[lo]) / 1e9, UTC) if len(t) else None
                folder = folder / f"date={d.strftime('%Y-%m-%d') if d else 'none'}"
            else:
                folder = folder / f"device_id={safe_name(dev)}"
        writer.write(table.slice(lo, hi - lo), folder / f"part-{tag}-{i}.{ext}")
