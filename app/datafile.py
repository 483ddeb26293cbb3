"""Data files opened for browsing: a recorded session, a CSV file or Parquet (one file or a
Hive-partitioned folder such as `twinbench export --partition date,device_id` writes).

`inspect` reads only the schema (fast) and says which column is time; `load` reads the rows in
batches into numpy columns (with progress and cancel), one block per device. Opened data lives
in its own device namespace, `file:<name>` (`file:<name>:<device>` when the data holds several).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from twinbench import csvdata
from twinbench.arrownp import from_numpy, is_text, raw, to_numpy, valid
from twinbench.errors import ConfigError
from twinbench.timelike import epoch_unit_ns

PREFIX = "file:"
NO_TIME = np.iinfo(np.int64).min  # `to_ns` of a row with no usable time
BATCH_ROWS = 1 << 20
FILL_ROWS = 1 << 16  # a recorded session's batches are joined up to this many rows for a fill
FOLD_THREADS = 2  # channels copied and folded into the display levels in parallel
# column names that hold time, best first; a suffix gives the unit of a numeric column
TIME_NAMES = ("time", "timestamp", "t", "ts", "datetime", "date_time", "epoch", "elapsed")
UNIT_SUFFIX = {"_ns": 1, "_us": 1_000, "_ms": 1_000_000, "_s": 1_000_000_000}
DEVICE_KEYS = ("device_id", "device")

Progress = Callable[[float], None]


@dataclass
class DataInfo:
    """What a data file holds, from its schema: kind, columns, time candidates, rows."""

    path: Path
    kind: str  # session, parquet, csv
    name: str  # the namespace: file:<name>
    columns: list[str]
    time_candidates: list[str]
    rows: int = 0  # 0: unknown until read (CSV)
    csv: csvdata.CsvPlan | None = None  # how a CSV file is read

    @property
    def time_column(self) -> str | None:
        """The time column when there is exactly one candidate."""
        return self.time_candidates[0] if len(self.time_candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """Several columns could be time: ask which."""
        return len(self.time_candidates) > 1


@dataclass
class DataBlock:
    """One device's rows: times (ns, ascending) and one float32 column per channel."""

    device: str
    names: tuple[str, ...]
    t_ns: np.ndarray
    columns: list[np.ndarray]
    units: dict[str, str] = field(default_factory=dict)
    stream: Any = None  # the display history stream, when built while reading
    untimed: int = 0  # rows skipped: no time (empty, null or not a number)
    problems: list[str] = field(default_factory=list)  # parts of the file left unread, and why


class Cancelled(Exception):
    """The user cancelled the load."""


def _name_of(path: Path) -> str:
    stem = path.name
    for ext in (".parquet", ".csv", ".tsv", ".txt", ".gz"):
        stem = stem.removesuffix(ext)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem) or "data"


def _is_session(path: Path) -> bool:
    from twinbench.recording import format as fmt

    return path.is_dir() and (path / fmt.META).is_file()


def time_candidates(schema: pa.Schema) -> list[str]:
    """Columns that could be time: timestamp-typed ones, else number or text ones named like
    time."""
    stamped = [f.name for f in schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    if len(stamped) > 1:  # a `date` partition beside `time`: the one named like time wins
        named_stamped = [n for n in stamped if n.lower() in TIME_NAMES]
        stamped = named_stamped if len(named_stamped) == 1 else stamped
    if stamped:
        return stamped
    named = []
    for f in schema:
        low = f.name.lower()
        base = next((low.removesuffix(s) for s in UNIT_SUFFIX if low.endswith(s)), low)
        numeric = pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
        numeric = numeric or pa.types.is_null(f.type)  # all empty: an error names it later
        if (numeric or is_text(f.type)) and (low in TIME_NAMES or base in TIME_NAMES):
            named.append(f.name)
    named.sort(key=lambda n: TIME_NAMES.index(n.lower()) if n.lower() in TIME_NAMES else 99)
    return named


def _dataset(path: Path) -> object:
    """A folder of Parquet files (Hive partitions become columns). `pyarrow.dataset` imports
    pandas where it is installed (~0.8 s), so single files go through `pq.ParquetFile`."""
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet", partitioning="hive")


def _parquet_file(path: Path) -> Any:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path)


def _csv_plan(path: Path) -> csvdata.CsvPlan:
    try:
        return csvdata.plan(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ConfigError(f"{path}: not a readable CSV file ({exc})") from exc


def inspect(path: str | Path) -> DataInfo:
    """Read what `path` holds (schema only): kind, columns and the time column candidates."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such file or folder")
    name = _name_of(p)
    if _is_session(p):
        return DataInfo(p, "session", name, ["time"], ["time"])
    if p.suffix.lower() in (".csv", ".tsv", ".txt"):
        plan = _csv_plan(p)
        names, schema = plan.schema.names, plan.schema
        return DataInfo(p, "csv", name, names, time_candidates(schema), csv=plan)
    try:
        if p.is_dir():
            dset = _dataset(p)
            schema = dset.schema  # type: ignore[attr-defined]
            rows = dset.count_rows()  # type: ignore[attr-defined]
        else:
            with _parquet_file(p) as pf:
                schema, rows = pf.schema_arrow, pf.metadata.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise ConfigError(
            f"{p}: not a recorded session, CSV or Parquet data ({exc}); "
            "valid: a session folder, .csv, .parquet or a folder of .parquet files"
        ) from exc
    return DataInfo(p, "parquet", name, schema.names, time_candidates(schema), rows)


def to_ns(col: pa.Array | pa.ChunkedArray, name: str) -> np.ndarray:
    """A time column as int64 nanoseconds: timestamps by their unit, numbers by the name's
    suffix (`_s`, `_ms`, `_us`, `_ns`) or else by magnitude (epoch s, ms, us or ns, as in MQTT
    `time_unit = "auto"`; small numbers are seconds). A row with no usable time (null, NaN, or
    beyond int64 nanoseconds) is `NO_TIME`."""
    typ = col.type
    if not len(col):
        return np.empty(0, np.int64)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if is_text(typ):  # ISO 8601 or numbers
        col = csvdata.text_times(col)
        typ = col.type
    if pa.types.is_timestamp(typ) or pa.types.is_date(typ):
        if not (pa.types.is_timestamp(typ) and typ.unit == "ns"):
            col = col.cast(pa.timestamp("ns"))
        t = raw(col)  # int64 nanoseconds, no copy
        if col.null_count:
            t = np.where(valid(col), t, NO_TIME)
        return t
    ok = valid(col)
    values = to_numpy(col)
    low = name.lower()
    scale = next((f for s, f in UNIT_SUFFIX.items() if low.endswith(s)), None)
    if scale is None:
        seen = np.abs(values[ok]) if not ok.all() else np.abs(values)
        seen = seen[np.isfinite(seen)] if seen.dtype.kind == "f" else seen
        scale = epoch_unit_ns(float(seen.max()) if seen.size else 0.0)
    if values.dtype.kind in "iu":
        ints = values.astype(np.int64, copy=False)
        ok &= np.abs(ints) <= np.iinfo(np.int64).max // scale
        t = ints * scale if scale != 1 else ints
    else:
        ns = values.astype(np.float64) * scale
        ok &= np.abs(ns) < 9.2e18  # NaN and infinities fail this too
        t = np.where(ok, ns, 0).astype(np.int64)
    return t if ok.all() else np.where(ok, t, NO_TIME)


def _numeric(schema: pa.Schema, skip: set[str]) -> list[str]:
    out = []
    for f in schema:
        if f.name in skip:
            continue
        t = f.type
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
            out.append(f.name)
    return out


def _units(schema: pa.Schema) -> dict[str, str]:
    import json

    units = {}
    md = schema.metadata or {}
    if b"twinbench.units" in md:
        try:
            units.update(json.loads(md[b"twinbench.units"]))
        except ValueError:
            pass
    for f in schema:
        if f.metadata and f.metadata.get(b"unit"):
            units[f.name] = f.metadata[b"unit"].decode()
    return units


class _Filler:
    """Preallocated columns filled batch by batch (no intermediate table)."""

    def __init__(self, rows: int, names: list[str]) -> None:
        self.n = 0
        self.t = np.empty(rows, np.int64)
        self.cols = [np.empty(rows, np.float32) for _ in names]

    def _grow(self, need: int) -> None:
        size = max(need, 2 * len(self.t))
        self.t = np.resize(self.t, size)
        self.cols = [np.resize(c, size) for c in self.cols]

    def add(self, batch: pa.RecordBatch, t: np.ndarray, names: list[str]) -> None:
        m = batch.num_rows
        if self.n + m > len(self.t):
            self._grow(self.n + m)
        lo, hi = self.n, self.n + m
        self.t[lo:hi] = t
        for i, name in enumerate(names):
            self.cols[i][lo:hi] = to_numpy(batch.column(name))
        self.n = hi

    def block(self, device: str, names: list[str], units: dict[str, str]) -> DataBlock:
        t = self.t[: self.n]
        # a device of a multi-device export has the other devices' columns, empty: drop them
        keep = [i for i, c in enumerate(self.cols) if not np.isnan(c[: self.n]).all()]
        names = [names[i] for i in keep]
        cols = [self.cols[i][: self.n] for i in keep]
        if t.size > 1 and np.any(t[1:] < t[:-1]):  # rows out of time order: sort once
            order = np.argsort(t, kind="stable")
            t = t[order]
            cols = [c[order] for c in cols]
        return DataBlock(device, tuple(names), t, cols, {n: units.get(n, "") for n in names})


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _timed_rows(batch: pa.RecordBatch, time_col: str) -> tuple[pa.RecordBatch, np.ndarray, int]:
    """The rows of `batch` that have a usable time, their times (ns), and how many were not."""
    t = to_ns(batch.column(time_col), time_col)
    bad = t == NO_TIME
    if not bad.any():
        return batch, t, 0
    kept = np.flatnonzero(~bad)
    return batch.take(from_numpy(kept)), t[kept], batch.num_rows - int(kept.size)


@contextmanager
def _small_pages() -> Iterator[None]:
    """Let the kernel back new arrays with ordinary pages while a file loads: numpy asks for
    huge pages, and with the common THP `defrag=madvise` setting every first touch of such
    memory waits for compaction (4x slower to fill a fresh 1 GB array on the test machine)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # older numpy
        yield
        return
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    if setter is None:
        yield
        return
    before = setter(False)
    try:
        yield
    finally:
        setter(before)


def load(
    info: DataInfo,
    time_column: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[DataBlock]:
    """Read the data into one block per device (any thread); raises Cancelled or ConfigError
    (also when there is no row, or no column of numbers)."""
    with _small_pages():
        blocks = [b for b in _load(info, time_column, progress, cancel) if len(b.t_ns)]
    if not blocks or not any(b.names for b in blocks):
        if blocks:
            cols = ", ".join(info.columns)
            raise ConfigError(f"{info.path}: no column of numbers; columns: {cols}")
        raise ConfigError(f"{info.path}: no rows of data")
    return blocks


def _load(
    info: DataInfo,
    time_column: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[DataBlock]:
    if info.kind == "session":
        return _load_session(info, progress, cancel)
    time_col = time_column or info.time_column
    if time_col is None:
        if info.ambiguous:
            raise ConfigError(
                f"{info.path}: which column is time? candidates: {', '.join(info.time_candidates)}"
            )
    elif time_col not in info.columns:
        raise ConfigError(f"{info.path}: no column {time_col!r}; valid: {', '.join(info.columns)}")
    if info.kind == "csv":
        return _load_csv(info, time_col, progress, cancel)
    return _load_parquet(info, time_col, progress, cancel)


def _device_id(info: DataInfo, device: str | None, several: bool) -> str:
    return f"{PREFIX}{info.name}:{device}" if several and device else f"{PREFIX}{info.name}"


def _batches_into(
    batches: object,
    schema: pa.Schema,
    info: DataInfo,
    time_col: str | None,
    rows: int,
    progress: Progress | None,
    cancel: threading.Event | None,
    where: Callable[[], float] | None = None,
) -> list[DataBlock]:
    dev_key = next((k for k in DEVICE_KEYS if k in schema.names and k != time_col), None)
    skip = {time_col or "", dev_key or ""}
    names = _numeric(schema, skip)
    units = _units(schema)
    fillers: dict[str | None, _Filler] = {}
    done = untimed = 0
    for batch in batches:  # type: ignore[attr-defined]
        _check(cancel)
        read = batch.num_rows
        if time_col is not None:
            batch, t, dropped = _timed_rows(batch, time_col)
            untimed += dropped
        else:  # no time column: rows 1 ms apart
            t = np.arange(done, done + read, dtype=np.int64) * 1_000_000
        if dev_key is None:
            parts: list[tuple[str | None, pa.RecordBatch, np.ndarray]] = [(None, batch, t)]
        else:
            parts = [
                (dev, batch, t)
                if rows_of is None
                else (dev, batch.take(from_numpy(rows_of)), t[rows_of])
                for dev, rows_of in _rows_by_device(batch.column(dev_key))
            ]
        for dev, part, part_t in parts:
            filler = fillers.get(dev)
            if filler is None:
                filler = fillers[dev] = _Filler(rows if dev_key is None else 0, names)
            filler.add(part, part_t, names)
        done += read
        if progress is not None:
            progress(where() if where is not None else (done / rows if rows else 0.0))
    several = len(fillers) > 1
    made = [(d, f) for d, f in fillers.items() if f.n]
    blocks = [f.block(_device_id(info, d, several), names, units) for d, f in made]
    if blocks:
        blocks[0].untimed = untimed
    elif untimed:
        raise ConfigError(f"{info.path}: no row has a time in column {time_col!r}")
    return blocks


def _rows_by_device(col: pa.Array) -> Iterator[tuple[str, np.ndarray | None]]:
    """Each device id in `col` with its rows, in order (None: every row); one stable sort for
    all devices, whatever their number. Rows with no id go to device "None"."""
    coded = col.cast(pa.string()).dictionary_encode()
    names = [str(d) for d in coded.dictionary.to_pylist()]
    codes = to_numpy(coded.indices)  # NaN: no id
    if coded.null_count:
        names.append("None")
        codes = np.where(np.isnan(codes), len(names) - 1, codes)
    codes = codes.astype(np.int64, copy=False)
    if len(names) == 1:
        yield names[0], None
        return
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(names)))
    for code, name in enumerate(names):
        rows_of = order[ends[code - 1] if code else 0 : ends[code]]
        if rows_of.size:
            yield name, rows_of


def _load_parquet(
    info: DataInfo, time_col: str | None, progress: Progress | None, cancel: threading.Event | None
) -> list[DataBlock]:
    pf = None
    damaged: list[str] = []  # row groups of a single file left unread
    try:
        if info.path.is_dir():
            dset = _dataset(info.path)
            schema = dset.schema  # type: ignore[attr-defined]
            batches = dset.to_batches(batch_size=BATCH_ROWS, use_threads=True)  # type: ignore[attr-defined]
        else:
            pf = _parquet_file(info.path)
            schema = pf.schema_arrow
            batches = _readable_batches(pf, damaged)
        blocks = _read_parquet(batches, schema, info, time_col, progress, cancel)
    except (pa.ArrowException, OSError) as exc:  # a damaged or half-written file
        raise ConfigError(f"{info.path}: unreadable Parquet data ({exc})") from exc
    finally:
        if pf is not None:
            pf.close()
    if damaged:
        if not any(len(b.t_ns) for b in blocks):
            raise ConfigError(f"{info.path}: unreadable Parquet data ({damaged[0]})")
        blocks[0].problems.extend(damaged)
    return blocks


def _readable_batches(pf: Any, damaged: list[str]) -> Iterator[pa.RecordBatch]:
    """A Parquet file's batches, row group by row group: a row group that cannot be read ends
    where it breaks (its rows before that are kept) and is noted in `damaged`."""
    groups = pf.num_row_groups
    for i in range(groups):
        try:
            yield from pf.iter_batches(batch_size=BATCH_ROWS, row_groups=[i], use_threads=True)
        except (pa.ArrowException, OSError) as exc:
            why = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            damaged.append(f"row group {i + 1} of {groups} unreadable ({why})")


def _read_parquet(
    batches: Any,
    schema: pa.Schema,
    info: DataInfo,
    time_col: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[DataBlock]:
    one_device = not any(k in schema.names and k != time_col for k in DEVICE_KEYS)
    if one_device and time_col is not None and info.rows:
        where = (info.path, _device_id(info, None, False), info.rows)
        units = _units(schema)
        return [_stream_batches(batches, schema, where, time_col, units, progress, cancel)]
    return _batches_into(batches, schema, info, time_col, info.rows, progress, cancel)


def _stream_batches(
    batches: Any,
    schema: pa.Schema,
    where: tuple[Path, str, int],
    time_col: str,
    units: dict[str, str],
    progress: Progress | None,
    cancel: threading.Event | None,
) -> DataBlock:
    """One device, row count known (`where`: file, device id, rows): each batch goes straight
    into a display stream sized to fit and is folded into its min/max levels on `FOLD_THREADS`
    threads while Arrow decodes the next (one copy)."""
    from twinbench.history import sized_stream, whole_stream

    path, device, rows = where
    names = _numeric(schema, {time_col})
    st = sized_stream(device, tuple(names), rows)
    ordered = True
    read = untimed = 0
    with ThreadPoolExecutor(
        max_workers=FOLD_THREADS, thread_name_prefix="ThreadPoolExecutor"
    ) as pool:
        for batch in batches:
            _check(cancel)
            read += batch.num_rows
            batch, t, dropped = _timed_rows(batch, time_col)
            untimed += dropped
            if t.size and ((st.count and t[0] < st.last_t) or np.any(t[1:] < t[:-1])):
                ordered = False
            st.fill(t, [to_numpy(batch.column(n)) for n in names], pool)
            if progress is not None:
                progress(read / rows if rows else 1.0)
        n = st.count
        if not n and untimed:
            raise ConfigError(f"{path}: no row has a time in column {time_col!r}")
        t_ns = st.t[:n]
        cols = [st.v[i, :n] for i in range(len(names))]
        if not ordered:  # rows out of time order: sort once, rebuild the levels
            order = np.argsort(t_ns, kind="stable")
            t_ns, cols = t_ns[order], [c[order] for c in cols]
            st = whole_stream(device, tuple(names), t_ns, cols, pool)
    block = DataBlock(device, tuple(names), t_ns, cols, {n: units.get(n, "") for n in names})
    block.stream, block.untimed = st, untimed
    return block


def _load_csv(
    info: DataInfo, time_col: str | None, progress: Progress | None, cancel: threading.Event | None
) -> list[DataBlock]:
    size = max(1, info.path.stat().st_size)
    first = info.csv or _csv_plan(info.path)
    plans = [first, csvdata.all_lenient(first)]
    for plan in plans:
        raw = pa.OSFile(str(info.path), "rb")
        try:
            rows = csvdata.batches(raw, plan)
            where = functools.partial(_share_read, raw, size)
            return _batches_into(rows, plan.schema, info, time_col, 0, progress, cancel, where)
        except pa.ArrowInvalid as exc:  # text where the first block had numbers: read again
            if plan is plans[-1] or "conversion error" not in str(exc):
                raise ConfigError(f"{info.path}: {exc}") from exc
        finally:
            raw.close()
    raise AssertionError("unreachable")


def _share_read(f: Any, size: int) -> float:
    return f.tell() / size


def _load_session(
    info: DataInfo, progress: Progress | None, cancel: threading.Event | None
) -> list[DataBlock]:
    from twinbench.recording.session import open_session

    s = open_session(info.path)
    devices = s.devices
    blocks = []
    several = len(devices) > 1
    for i, dev in enumerate(devices):
        _check(cancel)
        table = s.device_table(dev)
        where = (info.path, _device_id(info, dev, several), table.num_rows)

        def step(done: float, i: int = i) -> None:
            if progress is not None:
                progress((i + done) / len(devices))

        batches = _regrouped(table.to_batches())
        blocks.append(
            _stream_batches(batches, table.schema, where, "time", s.units(dev), step, cancel)
        )
    return blocks


def _regrouped(batches: list[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The recorder's batches, the small ones joined up to `FILL_ROWS` rows (a fill per batch of a
    few rows would cost more than the copy that joins them; bigger ones pass as they are)."""
    group: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if not group and batch.num_rows >= FILL_ROWS:
            yield batch
            continue
        group.append(batch)
        rows += batch.num_rows
        if rows >= FILL_ROWS:
            yield group[0] if len(group) == 1 else pa.concat_batches(group)
            group, rows = [], 0
    if group:
        yield group[0] if len(group) == 1 else pa.concat_batches(group)
