"""Batch payload decoders: JSON (paths or auto), plain numbers and CSV, into value blocks.

Each decoder takes the payloads of one device from one drain and returns rows in one numpy block;
the fast paths parse the whole batch in one call and fall back to per-message work only when a
batch holds a malformed or differently shaped message (which is then counted, never raised).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from twinbench.mqtt.times import times_to_ns, value_to_ns

try:  # orjson parses about 5x faster; the stdlib parser is the fallback
    from orjson import loads as json_loads
except ImportError:  # pragma: no cover - orjson is a dependency
    json_loads = json.loads

Path = tuple[str | int, ...]


class PathError(ValueError):
    """A JSON path is malformed; the message names it."""


def parse_path(text: str) -> Path:
    """Parse `$.a.b[0]` (or `a.b`) into keys; raises PathError naming the path."""
    s = text.strip()
    if s.startswith("$"):
        s = s[1:]
    s = s.lstrip(".")
    out: list[str | int] = []
    for part in s.split("."):
        if not part:
            raise PathError(f"JSON path {text!r}: empty segment")
        while "[" in part:
            head, _, rest = part.partition("[")
            idx, close, part = rest.partition("]")
            if not close or not idx.isdigit():
                raise PathError(f"JSON path {text!r}: bad index")
            if head:
                out.append(head)
            out.append(int(idx))
            if part and not part.startswith("["):
                raise PathError(f"JSON path {text!r}: text after ']'")
            head = ""
        if part:
            out.append(part)
    if not out:
        raise PathError(f"JSON path {text!r} selects nothing")
    return tuple(out)


def get_path(doc: Any, path: Path) -> Any:
    """Follow a parsed path into a JSON document; KeyError/IndexError/TypeError when absent."""
    for k in path:
        doc = doc[k]
    return doc


def _num(v: Any) -> float | None:
    """A JSON value as a float, or None when it is not a number (bools count as 0/1)."""
    if v is None:
        return float("nan")
    t = type(v)
    if t is float or t is int or t is bool:
        try:
            return float(v)
        except OverflowError:
            return None
    if t is str:
        try:
            return float(v)
        except ValueError:
            return None
    return None


def flatten_numeric(doc: Any, prefix: str = "", out: dict[str, float] | None = None) -> dict:
    """Numeric leaves of a JSON document keyed by dotted path (auto channel discovery)."""
    out = {} if out is None else out
    if isinstance(doc, dict):
        for k, v in doc.items():
            flatten_numeric(v, f"{prefix}{k}.", out)
        return out
    if isinstance(doc, bool | int | float):
        v = _num(doc)
        if v is not None:
            out[prefix[:-1] if prefix else "value"] = v
    return out


@dataclass
class BatchResult:
    """What a batch decode produced: blocks per (device, layout) and counts of bad messages."""

    blocks: list[tuple[str, tuple[str, ...], np.ndarray, np.ndarray]] = field(default_factory=list)
    bad: dict[str, int] = field(default_factory=dict)
    time_fallback: int = 0  # messages left at their arrival time (time field absent or unreadable)

    def count(self, what: str, n: int = 1) -> None:
        """Count `n` bad messages of one kind (malformed_json, wrong_type...)."""
        self.bad[what] = self.bad.get(what, 0) + n


@dataclass
class JsonSpec:
    """How to read JSON: channel paths (empty = every numeric leaf), device and time fields."""

    channels: dict[str, Path] = field(default_factory=dict)
    device_path: Path | None = None
    time_path: Path | None = None
    time_scale: int = 0  # ns per unit of an epoch time field; 0: by magnitude (see mqtt.times)


def _loads_batch(payloads: list[bytes], res: BatchResult) -> list[Any]:
    """Parse every payload; one call for a clean batch, per message when one is malformed."""
    if len(payloads) > 1:
        try:
            docs = json_loads(b"[" + b",".join(payloads) + b"]")
            if len(docs) == len(payloads):
                return docs
        except ValueError:
            pass
    docs = []
    for p in payloads:
        try:
            docs.append(json_loads(p))
        except ValueError:
            res.count("malformed_json")
            docs.append(None)
    return docs


def decode_json(
    device: str, payloads: list[bytes], t_ns: np.ndarray, spec: JsonSpec, res: BatchResult
) -> None:
    """Decode a batch of JSON payloads from one topic group into blocks on `res`."""
    docs = _loads_batch(payloads, res)
    block = _fast(docs, t_ns, spec, res)
    if block is not None:
        res.blocks.append((device, *block))
        return
    _slow(device, docs, t_ns, spec, res)


def decode_json_many(
    devices: list[str],
    codes: np.ndarray,
    payloads: list[bytes],
    t_ns: np.ndarray,
    spec: JsonSpec,
    res: BatchResult,
) -> bool:
    """Decode several devices' clean, same-layout JSON in one pass (`codes` index `devices`).

    Returns False, having added nothing, when the batch is not clean; decode per device then.
    """
    try:
        docs = json_loads(b"[" + b",".join(payloads) + b"]")
    except ValueError:
        return False
    if len(docs) != len(payloads):
        return False
    block = _fast(docs, t_ns, spec, res)
    if block is None:
        return False
    keys, t, vals = block
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    cuts = np.flatnonzero(np.diff(sorted_codes)) + 1
    for seg in np.split(order, cuts):
        res.blocks.append((devices[int(codes[seg[0]])], keys, t[seg], vals[seg]))
    return True


def _fast(
    docs: list[Any], t_ns: np.ndarray, spec: JsonSpec, res: BatchResult
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray] | None:
    """(names, t_ns, values) when every doc has the same flat layout of numbers, else None."""
    if spec.device_path is not None or (spec.time_path is not None and len(spec.time_path) > 1):
        return None
    if not spec.channels:
        block = _fast_flat(docs, spec)
    elif all(len(p) == 1 for p in spec.channels.values()):
        block = _fast_paths(docs, spec)
    else:
        return None
    if block is None:
        return None
    if spec.time_path is None:
        return block[0], t_ns, block[1]
    tkey = spec.time_path[0]
    t, missed = times_to_ns([d.get(tkey) for d in docs], spec.time_scale, t_ns)
    res.time_fallback += missed
    return block[0], t, block[1]


def _rows_array(docs: list[Any], keys: tuple[Any, ...]) -> np.ndarray:
    """Values of `keys` in every doc as an (n, k) float block; raises unless all are scalars."""
    n, k = len(docs), len(keys)
    get = itemgetter(*keys)
    if k == 1:
        return np.fromiter(map(get, docs), np.float64, count=n).reshape(n, 1)
    return np.fromiter(chain.from_iterable(map(get, docs)), np.float64, count=n * k).reshape(n, k)


_NUMERIC = (int, float, bool)


def _fast_flat(docs: list[Any], spec: JsonSpec) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Flat objects with one key set: their numbers in one itemgetter map and one conversion.

    Text fields (an IoT Hub `deviceId`, an ISO `ts`) are not data unless mapped: left out.
    """
    d0 = docs[0]
    if type(d0) is not dict or not d0:
        return None
    tkey = spec.time_path[0] if spec.time_path else None
    keys = tuple(k for k, v in d0.items() if k != tkey and type(v) in _NUMERIC)
    if not keys or not all(type(d) is dict for d in docs) or len(set(map(len, docs))) != 1:
        return None
    try:
        vals = _rows_array(docs, keys)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return keys, vals


def _fast_paths(docs: list[Any], spec: JsonSpec) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Top-level channel keys: one itemgetter map and one array conversion."""
    names = tuple(spec.channels)
    keys = [p[0] for p in spec.channels.values()]
    try:
        vals = _rows_array(docs, tuple(keys))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return names, np.ascontiguousarray(vals)


def _slow(device: str, docs: list[Any], t_ns: np.ndarray, spec: JsonSpec, res: BatchResult) -> None:
    """Per-message decode: bad values become NaN and are counted; rows grouped by layout."""
    groups: dict[tuple[str, tuple[str, ...]], tuple[list[int], list[list[float]]]] = {}
    times = t_ns.copy()
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        items = doc if isinstance(doc, list) else [doc]
        for item in items[:1] if not isinstance(doc, list) else items:
            dev = device
            if spec.device_path is not None:
                try:
                    dev = str(get_path(item, spec.device_path))
                except (KeyError, IndexError, TypeError):
                    res.count("missing_device")
                    continue
            if spec.time_path is not None:
                try:
                    tv = value_to_ns(get_path(item, spec.time_path), spec.time_scale)
                except (KeyError, IndexError, TypeError):
                    tv = None
                if tv is None or not -(2**63) <= tv < 2**63:
                    res.time_fallback += 1  # stays at its arrival time
                else:
                    times[i] = tv
            if spec.channels:
                names = tuple(spec.channels)
                row: list[float] = []
                bad = False
                for p in spec.channels.values():
                    try:
                        v = _num(get_path(item, p))
                    except (KeyError, IndexError, TypeError):
                        v = float("nan")
                        bad = True
                    if v is None:
                        v, bad = float("nan"), True
                    row.append(v)
                if bad and all(v != v for v in row):
                    res.count("wrong_type")  # nothing in it can be used
                    continue
            else:
                if not isinstance(item, dict | int | float) or isinstance(item, bool):
                    res.count("wrong_type")
                    continue
                flat = flatten_numeric(item)
                if spec.time_path is not None:
                    flat.pop(".".join(map(str, spec.time_path)), None)
                if not flat:  # text fields are not data unless mapped: bad only if all are text
                    res.count("wrong_type")
                    continue
                names = tuple(flat)
                row = list(flat.values())
            idx, rows = groups.setdefault((dev, names), ([], []))
            idx.append(i)
            rows.append(row)
    for (dev, names), (idx, rows) in groups.items():
        res.blocks.append((dev, names, times[idx], np.array(rows, dtype=np.float64)))


def decode_numbers(
    device: str, channel: str, payloads: list[bytes], t_ns: np.ndarray, res: BatchResult
) -> None:
    """Plain-number payloads (`21.5`): one vectorised conversion, per message on failure."""
    try:
        vals = np.array(payloads).astype(np.float64)
        ok = np.ones(len(payloads), bool)
    except (ValueError, TypeError):
        vals = np.empty(len(payloads))
        ok = np.zeros(len(payloads), bool)
        for i, p in enumerate(payloads):
            try:
                vals[i] = float(p)
                ok[i] = True
            except ValueError:
                res.count("wrong_type")
    if ok.any():
        res.blocks.append((device, (channel,), t_ns[ok], vals[ok].reshape(-1, 1)))


def decode_csv(
    device: str,
    columns: tuple[str, ...],
    payloads: list[bytes],
    t_ns: np.ndarray,
    res: BatchResult,
) -> None:
    """CSV payloads (one or more `a,b,c` lines each) with a fixed column count."""
    k = len(columns)
    ok_rows: list[list[float]] = []
    ok_t: list[int] = []
    for i, p in enumerate(payloads):
        for line in p.splitlines():
            if not line.strip():
                continue
            cells = line.split(b",")
            if len(cells) != k:
                res.count("wrong_columns")
                continue
            try:
                ok_rows.append([float(c) if c.strip() else float("nan") for c in cells])
            except ValueError:
                res.count("wrong_type")
                continue
            ok_t.append(int(t_ns[i]))
    if ok_rows:
        res.blocks.append((device, columns, np.array(ok_t, np.int64), np.array(ok_rows)))


# -- hook for the byte decoders of `twinbench.decode` ------------------------------------------
ByteDecoder = Callable[[list[bytes]], tuple[tuple[str, ...], np.ndarray]]
BYTE_DECODERS: dict[str, ByteDecoder] = {}


def register_byte_decoder(name: str, fn: ByteDecoder) -> None:
    """Register `fn(payloads) -> (channel names, values[n, k])` for `format = "decoder:NAME"`."""
    BYTE_DECODERS[name] = fn


def find_byte_decoder(name: str) -> ByteDecoder | None:
    """A registered byte decoder, or one that `twinbench.decode` exposes via `mqtt_decoder`."""
    if name in BYTE_DECODERS:
        return BYTE_DECODERS[name]
    try:
        import importlib

        mod = importlib.import_module("twinbench.decode")
    except ImportError:
        return None
    factory = getattr(mod, "mqtt_decoder", None)
    return factory(name) if callable(factory) else None
