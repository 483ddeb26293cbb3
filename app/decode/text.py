"""Text frames decoded in bulk: CSV, Arduino quick plot, key=value and JSON lines.

The fast path hands a whole batch of frames to Arrow's C++ CSV/JSON readers in one call. Only a
batch that holds irregular or bad lines falls back to a line-by-line parse, which counts and
skips what it cannot read.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from twinbench.decode.frames import Frames, LossStats
from twinbench.decode.layout import Labels, Layout, is_identifier

Decoded = tuple[tuple[str, ...], np.ndarray]

_WS = re.compile(rb"[ \t,]+")
_EDGE = re.compile(rb"^,|,$", re.MULTILINE)
_NUMBER = re.compile(
    rb"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)$", re.I
)


def _rows_with(text: bytes, delim: str, ncols: int, stats: LossStats) -> bytes:
    """Keep only the lines with exactly `ncols` fields (counted in one vectorised pass)."""
    arr = np.frombuffer(text, np.uint8)
    nl = np.flatnonzero(arr == 10)
    if nl.shape[0] == 0 or nl[-1] != arr.shape[0] - 1:
        arr = np.append(arr, np.uint8(10))
        nl = np.append(nl, arr.shape[0] - 1)
    cum = np.cumsum(arr == ord(delim))
    per_line = np.diff(np.concatenate(([0], cum[nl])))
    lens = np.diff(np.concatenate(([-1], nl)))
    ok = (per_line == ncols - 1) & (lens > 1)
    bad = int((~ok & (lens > 1)).sum())
    if bad == 0:
        return text
    stats.malformed += bad
    return arr[np.repeat(ok, lens)].tobytes()


@functools.lru_cache(maxsize=64)
def _csv_options(delim: str, ncols: int) -> tuple[Any, Any, Any]:
    """Arrow CSV options for `ncols` float columns split by `delim`, no quoting (made once)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(ncols)]
    read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 22)
    parse = pacsv.ParseOptions(
        delimiter=delim, quote_char=False, double_quote=False, escape_char=False
    )
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.float64()))
    return read, parse, convert


def _csv_block(
    text: bytes, delim: str, ncols: int, stats: LossStats, regular: bool = False
) -> np.ndarray | None:
    """Parse a block of numeric rows in C (Arrow); None when some value is not a number.

    `regular`: the caller has checked the delimiter count (`ncols - 1` per line in all), so this
    does not count again; a block whose lines differ anyway fails the parse and returns None.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from twinbench.arrownp import to_numpy

    if not regular:
        n_lines = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
        if text.count(delim.encode()) != n_lines * (ncols - 1):
            text = _rows_with(text, delim, ncols, stats)
    if not text.strip():
        return np.empty((0, ncols))
    read, parse, convert = _csv_options(delim, ncols)
    try:  # empty fields and NaN/NA spellings come back as nulls: NaN below, then dropped
        table = pacsv.read_csv(pa.py_buffer(text), read, parse, convert)
    except pa.ArrowException:  # a ragged row, a value that is not a number: the slow path
        return None
    out = np.empty((table.num_rows, ncols))
    for i, column in enumerate(table.columns):
        out[:, i] = to_numpy(column)
    return out


def _drop_nonfinite(values: np.ndarray, stats: LossStats) -> np.ndarray:
    finite = np.isfinite(values).all(axis=1)
    if not finite.all():
        stats.malformed += int((~finite).sum())
        values = values[finite]
    return values


def _to_float(tok: bytes) -> float | None:
    tok = tok.strip()
    if not _NUMBER.match(tok):
        return None
    return float(tok)


class CsvDecoder:
    """Delimited numbers, one row per frame; a line of identifiers names the columns."""

    def __init__(
        self,
        stats: LossStats,
        delimiter: str = ",",
        names: Sequence[str] = (),
        columns: int | None = None,
    ) -> None:
        self.stats = stats
        self.delim = delimiter
        self.layout = Layout(names, fixed=bool(names))
        if columns:
            self.layout.width = columns
        import pyarrow.csv  # noqa: F401  (import now, not on the reader thread's first frame)

    @property
    def names(self) -> tuple[str, ...]:
        """The current column names (header or profile)."""
        return self.layout.names

    def resync(self) -> None:
        """The stream broke: the next row may be a fragment of a line."""
        self.layout.suspect = True

    def decode(self, frames: Frames) -> Decoded | None:
        """Numbers of every frame in the batch."""
        if len(frames) == 0:
            return None
        text = frames.joined(10, pad=True)
        if b"\r" in text:
            text = text.replace(b"\r", b"")
        lay = self.layout
        ncols = lay.width or text.split(b"\n", 1)[0].count(self.delim.encode()) + 1
        values = None
        if lay.pending is None and (text[:1].isdigit() or text[:1] in b"-+."):
            n_lines = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
            if text.count(self.delim.encode()) == n_lines * (ncols - 1):
                before = self.stats.malformed
                values = _csv_block(text, self.delim, ncols, self.stats, regular=True)
                if values is not None and self.stats.malformed != before:
                    self.stats.malformed = before  # irregular batch: the slow path recounts it
                    values = None
        if values is None:
            return self._slow(text)
        lay.row(ncols)
        values = _drop_nonfinite(values, self.stats)
        if values.shape[0] == 0:
            return None
        return lay.names_for(ncols), values

    def _slow(self, text: bytes) -> Decoded | None:
        rows: list[dict[str, float]] = []
        d = self.delim.encode()
        lay = self.layout
        for line in text.split(b"\n"):
            if not line.strip():
                continue
            toks = [t.strip() for t in line.split(d)]
            vals = [_to_float(t) for t in toks]
            if all(v is None for v in vals):
                if not lay.header(toks):
                    self.stats.malformed += 1  # garbage, or a header waiting for its rows
                continue
            if any(v is None or not math.isfinite(v) for v in vals):
                self.stats.malformed += 1
                continue
            if not lay.take(len(vals), self.stats):
                continue
            rows.append(dict(zip(lay.names_for(len(vals)), vals, strict=True)))  # type: ignore[arg-type]
        return _table(rows)


class PairDecoder:
    """Arduino serial-plotter lines (`label:value` or bare values) and `key=value` lines."""

    def __init__(self, stats: LossStats, sep: str = ":", names: Sequence[str] = ()) -> None:
        self.stats = stats
        self.sep = sep.encode()
        self.layout = Layout(names, fixed=bool(names))
        self.labels = Labels()
        self._label = re.compile(rb"([^\s,:=]+)" + re.escape(self.sep))
        import pyarrow.csv  # noqa: F401

    @property
    def names(self) -> tuple[str, ...]:
        """Names of bare values (a header line or the profile)."""
        return self.layout.names

    def resync(self) -> None:
        """The stream broke: the next row may be a fragment of a line."""
        self.layout.suspect = self.labels.suspect = True

    def decode(self, frames: Frames) -> Decoded | None:
        """Values of every line; a batch with one known layout is parsed in one pass."""
        if len(frames) == 0:
            return None
        text = frames.joined(10, pad=True).replace(b"\r", b"")
        n_lines = len(frames)
        if self.sep in text:
            labels = self._label.findall(text)
            k = len(labels) // n_lines if n_lines else 0
            if k and len(labels) == k * n_lines and labels == labels[:k] * n_lines:
                names = tuple(lb.decode("latin-1") for lb in labels[:k])
                known = self.labels.known
                if all(map(is_identifier, labels[:k])) and (not known or known.issuperset(names)):
                    values = self._bare(self._label.sub(b"", text), k)
                    if values is not None:
                        self.labels.accept(names)
                        values = _drop_nonfinite(values, self.stats)
                        return (names, values) if values.shape[0] else None
            return self._slow(text)
        norm = _EDGE.sub(b"", _WS.sub(b",", text))
        k = norm.split(b"\n", 1)[0].count(b",") + 1
        lay = self.layout
        values = None
        same = lay.pending is None and (lay.width in (None, k) or not lay.flowed)
        if same and (norm[:1].isdigit() or norm[:1] in b"-+."):
            values = self._bare(norm, k)
        if values is None:
            return self._slow(text)
        lay.row(k)
        values = _drop_nonfinite(values, self.stats)
        if values.shape[0] == 0:
            return None
        return lay.names_for(k), values

    def _bare(self, norm: bytes, k: int) -> np.ndarray | None:
        norm = _EDGE.sub(b"", _WS.sub(b",", norm))
        before = self.stats.malformed
        out = _csv_block(norm, ",", k, self.stats)
        if out is not None and self.stats.malformed != before:
            self.stats.malformed = before  # irregular batch: the slow path recounts it
            return None
        return out

    def _slow(self, text: bytes) -> Decoded | None:
        """Line by line: each row is checked against the layout (see twinbench.decode.layout)."""
        rows: list[dict[str, float]] = []
        lay = self.layout
        for line in text.split(b"\n"):
            toks = [t for t in _WS.split(line.strip()) if t]
            if not toks:
                continue
            labels: list[bytes] = []
            vals: list[float | None] = []
            for tok in toks:
                label, sep, val = tok.rpartition(self.sep)
                if not sep:
                    label, val = b"", tok
                labels.append(label)
                vals.append(_to_float(val))
            if all(v is None for v in vals):
                if any(labels) or not lay.header(toks):
                    self.stats.malformed += 1  # garbage, or a header waiting for its rows
                continue
            if any(v is None or not math.isfinite(v) for v in vals):
                self.stats.malformed += 1
                continue
            if any(labels):
                if not all(is_identifier(lb) for lb in labels if lb):
                    self.stats.malformed += 1
                    continue
                names = [
                    lb.decode("ascii") if lb else lay.names_for(len(toks))[i]
                    for i, lb in enumerate(labels)
                ]
                if not self.labels.accept(names):
                    self.stats.malformed += 1
                    continue
            else:
                if not lay.take(len(vals), self.stats):
                    continue
                names = list(lay.names_for(len(vals)))
            rows.append(dict(zip(names, vals, strict=True)))  # type: ignore[arg-type]
        return _table(rows)


class JsonLinesDecoder:
    """One JSON object per frame; numbers and booleans become channels (nested keys: a.b)."""

    def __init__(self, stats: LossStats, names: Sequence[str] = ()) -> None:
        self.stats = stats
        self.names: tuple[str, ...] = tuple(names)
        import pyarrow.json  # noqa: F401

    def decode(self, frames: Frames) -> Decoded | None:
        """Values of every object in the batch (missing keys are NaN)."""
        if len(frames) == 0:
            return None
        text = frames.joined(10, pad=True)
        rows = self._fast(text)
        if rows is None:
            rows = self._slow(text)
        if rows is None:
            return None
        names, values = rows
        if self.names:
            idx = {n: i for i, n in enumerate(names)}
            cols = [
                values[:, idx[n]] if n in idx else np.full(len(values), np.nan) for n in self.names
            ]
            return self.names, np.column_stack(cols) if cols else values[:, :0]
        return names, values

    def _fast(self, text: bytes) -> Decoded | None:
        import pyarrow as pa
        import pyarrow.json as pjson

        from twinbench.arrownp import to_numpy

        try:
            table = pjson.read_json(
                io.BytesIO(text),
                read_options=pjson.ReadOptions(
                    use_threads=False, block_size=max(1 << 20, len(text) + 1)
                ),
            )
            while any(pa.types.is_struct(t) for t in table.schema.types):
                table = table.flatten()
            names: list[str] = []
            cols: list[np.ndarray] = []
            for name, col in zip(table.column_names, table.columns, strict=True):
                t = col.type
                if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
                    names.append(name)
                    cols.append(to_numpy(col.cast(pa.float64())))
        except (pa.ArrowException, UnicodeDecodeError, ValueError):
            return None  # invalid UTF-8 or JSON somewhere in the batch: the slow path sorts it
        if not cols:
            self.stats.malformed += table.num_rows
            return None
        return tuple(names), np.column_stack(cols)

    def _slow(self, text: bytes) -> Decoded | None:
        rows: list[dict[str, float]] = []
        for line in text.split(b"\n"):
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8"), parse_constant=lambda c: None)
            except (UnicodeDecodeError, ValueError, RecursionError):
                self.stats.malformed += 1
                continue
            if not isinstance(obj, dict):
                self.stats.malformed += 1
                continue
            flat = _flatten(obj)
            if not flat:
                self.stats.malformed += 1
                continue
            rows.append(flat)
        return _table(rows)


def _table(rows: list[dict[str, float]]) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Rows of name -> value as (names in first-seen order, values[n, k]); NaN where absent."""
    if not rows:
        return None
    order = tuple(dict.fromkeys(name for r in rows for name in r))
    return order, np.array([[r.get(nm, np.nan) for nm in order] for r in rows], dtype=np.float64)


def _flatten(obj: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, val in obj.items():
        name = f"{prefix}{key}"
        if isinstance(val, bool) or (isinstance(val, int | float) and math.isfinite(float(val))):
            out[name] = float(val)
        elif isinstance(val, dict):
            out.update(_flatten(val, name + "."))
    return out
