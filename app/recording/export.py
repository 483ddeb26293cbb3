"""Exporting sessions to Parquet, CSV or Delta (one file or a partitioned dataset), with cancel.

Every row carries `device_id` exactly as the device gave it and the `session` it was recorded in,
as ordinary string columns, so any engine sees the same values. Partition folders are keys
beside them (`date=`, `safe_device_id=`, `safe_session=`) whose values are file-name safe and
start with a letter, so that no reader infers them as numbers (see `partition_value`).
"""

from __future__ import annotations

import hashlib
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
import pyarrow.compute as pc

from twinbench import __version__
from twinbench.paths import safe_name
from twinbench.recording import format as fmt
from twinbench.recording.format import SessionError
from twinbench.recording.session import Session, open_session

DAY_NS = 86_400 * 1_000_000_000
SLICE_ROWS = 1 << 20
PARTITION_KEYS = ("date", "device_id", "session")
# the folder key of each partition (never the name of a column in the files: readers would clash)
FOLDER_KEYS = {"date": "date", "device_id": "safe_device_id", "session": "safe_session"}
SESSION = "session"
DEVICE = "device_id"


class ExportCancelled(Exception):
    """The export was cancelled; its partial output has been removed."""


@dataclass
class ExportOptions:
    """What to export and how."""

    format: Literal["parquet", "csv", "delta"] = "parquet"
    out: Path = Path("export")
    partition: tuple[str, ...] = ()
    t_from: str | None = None
    t_to: str | None = None
    channels: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    time_unit: Literal["ns", "us"] = "us"  # Spark 3/4 read microseconds only
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


def partition_value(prefix: str, text: str) -> str:
    """A folder-safe partition value that readers keep as a string: `d_007`, `d_pump_A_1-3f2a9c`.

    The prefix letter stops Spark, pyarrow and Polars from inferring `007` as the number 7; where
    making the text file-name safe changed it, a short hash keeps two ids from sharing a folder.
    """
    safe = safe_name(text)
    if safe != text:
        safe = f"{safe[:60]}-{hashlib.sha1(text.encode()).hexdigest()[:6]}"
    return f"{prefix}_{safe}"


def _const(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value]))


def _decorate(table: pa.Table, session: Session, device: str, time_unit: str) -> pa.Table:
    """UTC timestamps in the chosen unit; `device_id` and `session` columns; units per field."""
    if time_unit == "us":
        col = table.column(fmt.TIME).cast(pa.timestamp("us", tz="UTC"), safe=False)
        table = table.set_column(0, pa.field(fmt.TIME, col.type), col)
    n = table.num_rows
    table = table.add_column(
        1, pa.field(DEVICE, pa.dictionary(pa.int32(), pa.string())), [_const(device, n)]
    )
    table = table.add_column(
        2, pa.field(SESSION, pa.dictionary(pa.int32(), pa.string())), [_const(session.id, n)]
    )
    units = session.units(device)
    fields = []
    for f in table.schema:
        md = dict(f.metadata or {})
        if f.name not in (fmt.TIME, DEVICE, SESSION):
            md[b"unit"] = units.get(f.name, (md.get(b"unit") or b"").decode()).encode()
        fields.append(f.with_metadata(md or None))
    return table.cast(pa.schema(fields))


def provenance(pieces: Sequence[tuple[Session, str, pa.Table]]) -> dict[bytes, bytes]:
    """Schema metadata naming every session and device of an export, with units and drivers."""
    sessions: dict[str, dict[str, object]] = {}
    units: dict[str, dict[str, str]] = {}
    for s, dev, _ in pieces:
        entry = sessions.setdefault(
            s.id,
            {
                "session": s.id,
                "session_name": s.meta.get("name", ""),
                "recorded_with": s.meta.get("app_version", ""),
                "devices": {},
            },
        )
        meta = s.meta.get("devices", {}).get(dev, {})
        entry["devices"][dev] = {
            "driver": meta.get("driver", ""),
            "profile": meta.get("profile", ""),
        }  # type: ignore[index]
        units.setdefault(dev, {}).update(s.units(dev))
    source = {"exported_with": __version__, "sessions": list(sessions.values())}
    return {
        b"twinbench.source": json.dumps(source).encode(),
        b"twinbench.units": json.dumps(units).encode(),
    }


def channels_table(pieces: Sequence[tuple[Session, str, pa.Table]]) -> pa.Table:
    """One row per session, device and exported channel: unit, description, source, profile."""
    rows: dict[str, list[str]] = {
        k: []
        for k in ("session", "device_id", "channel", "unit", "description", "source", "profile")
    }
    for s, dev, table in pieces:
        meta = s.meta.get("devices", {}).get(dev, {})
        described = {c.get("name"): c for c in meta.get("channels", [])}
        units = s.units(dev)
        for name in table.column_names:
            if name in (fmt.TIME, DEVICE, SESSION):
                continue
            rows["session"].append(s.id)
            rows["device_id"].append(dev)
            rows["channel"].append(name)
            rows["unit"].append(units.get(name, ""))
            rows["description"].append(str(described.get(name, {}).get("description", "")))
            rows["source"].append(str(meta.get("driver", "")))
            rows["profile"].append(str(meta.get("profile", "")))
    return pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})


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

    def write_plain(self, table: pa.Table, final: Path, now: bool = False) -> None:
        """Write a small Parquet table (no progress) that commits with the rest, or `now`."""
        import pyarrow.parquet as pq

        self.mkdir(final.parent)
        tmp = final.with_name(f".{final.name}.tmp")
        pq.write_table(table, str(tmp))
        if now:
            os.replace(tmp, final)
        else:
            self.temps.append((tmp, final))

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


# Inside a dataset the channels table is a folder with one file per session (exports of other
# sessions, even concurrent ones, never rewrite it): the `_` folder hides it from Spark's and
# pyarrow's discovery of the data, the `.pq` suffix from `**/*.parquet` globs (DuckDB, Polars).
CHANNELS_DIR = "_channels"


def channel_files(
    pieces: Sequence[tuple[Session, str, pa.Table]], out: Path, dataset: bool
) -> list[tuple[pa.Table, Path]]:
    """The channels table(s) of an export and where each goes (merged with what is there)."""
    table = channels_table(pieces)
    if not dataset:
        return [(table, out.with_name(f"{out.stem}.channels.pq"))]
    files = []
    sids = table.column("session")
    for sid in dict.fromkeys(sids.to_pylist()):
        path = out / CHANNELS_DIR / f"{safe_name(sid)}.pq"
        files.append((_merged_channels(table.filter(pc.equal(sids, sid)), path), path))
    return files


def export_sessions(paths: Sequence[str | Path], opts: ExportOptions) -> ExportResult:
    """Export sessions; on failure or cancel every partial file is removed and the error raised."""
    partition = tuple("device_id" if k == "device" else k for k in opts.partition)
    bad = [k for k in partition if k not in PARTITION_KEYS]
    if bad:
        raise SessionError(
            f"--partition {','.join(bad)}: unknown key; valid: {', '.join(PARTITION_KEYS)}"
        )
    if opts.format not in ("parquet", "csv", "delta"):
        raise SessionError(f"--format {opts.format!r}: expected parquet, csv or delta")
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
    if opts.format == "delta":
        from twinbench.recording.delta import write_delta

        files = write_delta(pieces, opts, partition, provenance(pieces))
        for ch, where in channel_files(pieces, opts.out, True):
            _Writer(opts, 0).write_plain(ch, where, True)
        return ExportResult(files, total)
    writer = _Writer(opts, total)
    ext = "parquet" if opts.format == "parquet" else "csv"
    md = provenance(pieces)
    try:
        if partition:
            schema = _union_schema([t for _, _, t in pieces]).with_metadata(md)
            for s, dev, table in pieces:
                _write_partitioned(writer, s, dev, _conform(table, schema), partition, ext)
        else:
            table = _concat([t for _, _, t in pieces], md)
            out = opts.out
            if out.is_dir():
                out = out / f"{sessions[0].id}.{ext}"
            writer.write(table, out)
        for ch, where in channel_files(pieces, opts.out if partition else out, bool(partition)):
            writer.write_plain(ch, where)
        files = writer.commit()
    except BaseException as exc:
        writer.discard()
        if isinstance(exc, OSError):
            raise SessionError(
                f"cannot write export to {opts.out}: {exc.strerror or exc}; partial output removed"
            ) from None
        raise
    return ExportResult(files, total)


def _merged_channels(new: pa.Table, path: Path) -> pa.Table:
    """The channels table of a dataset that earlier exports wrote into, with this export's rows."""
    import pyarrow.parquet as pq

    try:
        old = pq.read_table(path)
    except (OSError, pa.ArrowInvalid):
        return new
    if old.column_names != new.column_names:
        return new
    old = old.cast(new.schema)
    key = ("session", "device_id", "channel")
    fresh = set(zip(*(new.column(k).to_pylist() for k in key), strict=True))
    stale = [
        tuple(r) not in fresh for r in zip(*(old.column(k).to_pylist() for k in key), strict=True)
    ]
    return pa.concat_tables([old.filter(pa.array(stale, pa.bool_())), new])


def _union_schema(tables: list[pa.Table]) -> pa.Schema:
    """Every column of every piece, in order of first appearance.

    Each file of a dataset gets this one schema (missing channels as nulls): Spark, pyarrow and
    pandas take a dataset's schema from one file unless told to merge, which would hide the
    channels of every device but one.
    """
    fields: dict[str, pa.Field] = {}
    for t in tables:
        for f in t.schema:
            fields.setdefault(f.name, f)
    return pa.schema(list(fields.values()))


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with `schema`'s columns in its order, nulls where it has none."""
    cols = [
        table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)


def _concat(tables: list[pa.Table], md: dict[bytes, bytes]) -> pa.Table:
    """One table of all pieces (devices may differ in channels: missing columns become null)."""
    if len(tables) == 1:
        return tables[0].replace_schema_metadata(md)
    plain = [t.replace_schema_metadata(None) for t in tables]
    out = pa.concat_tables(plain, promote_options="permissive")
    return out.replace_schema_metadata(md)


def date_cuts(t_ns: np.ndarray) -> list[int]:
    """Row offsets where the UTC date changes (first 0, last len)."""
    if not len(t_ns):
        return [0, 0]
    day = t_ns // DAY_NS
    return [0, *(np.flatnonzero(np.diff(day)) + 1).tolist(), len(t_ns)]


def _time_as_ns(table: pa.Table, time_unit: str) -> np.ndarray:
    t = table.column(fmt.TIME).combine_chunks().cast(pa.int64()).to_numpy()
    return t * 1000 if time_unit == "us" else t


def _write_partitioned(
    writer: _Writer, s: Session, dev: str, table: pa.Table, partition: tuple[str, ...], ext: str
) -> None:
    """Write one device's rows under key=value folders, one part per date when asked."""
    t = _time_as_ns(table, writer.opts.time_unit)
    cuts = date_cuts(t) if "date" in partition else [0, len(t)]
    tag = f"{s.id}-{uuid.uuid4().hex[:8]}"
    for i in range(len(cuts) - 1):
        lo, hi = cuts[i], cuts[i + 1]
        if hi <= lo and len(t):
            continue
        folder = writer.opts.out
        for key in partition:
            if key == "date":
                d = datetime.fromtimestamp(int(t[lo]) / 1e9, UTC) if len(t) else None
                value = d.strftime("%Y-%m-%d") if d else "none"
            elif key == "device_id":
                value = partition_value("d", dev)
            else:
                value = partition_value("s", s.id)
            folder = folder / f"{FOLDER_KEYS[key]}={value}"
        writer.write(table.slice(lo, hi - lo), folder / f"part-{tag}-{i}.{ext}")
