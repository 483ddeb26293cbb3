"""Numeric Arrow arrays as numpy arrays and back, without a copy where the layout allows.

pyarrow's own `Array.to_numpy`, `Array.view` and `pa.array(ndarray)` import pandas the first
time they run where it is installed (~0.8 s, a stall in whichever thread gets there first); these
go through the buffers instead, so opening data or decoding text never pays for pandas.
"""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa

_NUMPY = {
    pa.float64(): np.float64,
    pa.float32(): np.float32,
    pa.float16(): np.float16,
    pa.int64(): np.int64,
    pa.int32(): np.int32,
    pa.int16(): np.int16,
    pa.int8(): np.int8,
    pa.uint64(): np.uint64,
    pa.uint32(): np.uint32,
    pa.uint16(): np.uint16,
    pa.uint8(): np.uint8,
}


def to_numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A numeric or boolean Arrow array as numpy; nulls become NaN (as float64)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.uint8())
    if arr.null_count:
        arr = arr.cast(pa.float64())
        values = raw(arr).copy()
        values[~valid(arr)] = np.nan
        return values
    return raw(arr)


def valid(arr: pa.Array) -> np.ndarray:
    """Which items of `arr` are not null, as booleans."""
    if pa.types.is_null(arr.type):
        return np.zeros(len(arr), bool)
    bitmap = arr.buffers()[0]
    if bitmap is None:
        return np.ones(len(arr), bool)
    bits = np.unpackbits(np.frombuffer(bitmap, np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + len(arr)].astype(bool)


def raw(arr: pa.Array) -> np.ndarray:
    """A numeric array's values buffer as numpy, no copy: what null slots hold is unspecified
    (timestamps and durations: their int64 values)."""
    typ = arr.type
    dtype = np.int64 if pa.types.is_timestamp(typ) or pa.types.is_duration(typ) else _NUMPY.get(typ)
    if dtype is None:
        raise TypeError(f"not a numeric column: {typ}")
    size = np.dtype(dtype).itemsize
    return np.frombuffer(arr.buffers()[1], dtype, len(arr), arr.offset * size)


def is_text(typ: pa.DataType) -> bool:
    """Whether a column holds text (string or large string)."""
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def from_numpy(values: np.ndarray) -> pa.Array:
    """A 1-D numeric numpy array as an Arrow array sharing its memory."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:  # Arrow packs booleans into bits
        raise TypeError("booleans: use pa.array")
    typ = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(typ, len(values), [None, pa.py_buffer(values)])


_preloaded = threading.Event()


def preload() -> None:
    """Start pyarrow's one-time import of pandas (~0.8 s where installed; `pa.array` of a list
    needs it) on a background thread, so no GUI click or stream writer waits for it."""
    if _preloaded.is_set():
        return
    _preloaded.set()
    threading.Thread(target=_import_now, name="twinbench-preload", daemon=True).start()


def _import_now() -> None:
    pa.array([0.0])
