"""A hand-written protobuf codec for Sparkplug B `Payload` / `Metric` (eclipse/tahu proto)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

# Sparkplug B data types (sparkplug_b.proto DataType)
INT8, INT16, INT32, INT64 = 1, 2, 3, 4
UINT8, UINT16, UINT32, UINT64 = 5, 6, 7, 8
FLOAT, DOUBLE, BOOLEAN, STRING, DATETIME, TEXT, UUID = 9, 10, 11, 12, 13, 14, 15
DATASET, BYTES, FILE, TEMPLATE = 16, 17, 18, 19

NUMERIC_TYPES = frozenset(
    {INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, BOOLEAN, DATETIME}
)
_SIGNED_BITS = {INT8: 8, INT16: 16, INT32: 32, INT64: 64}


class DecodeError(ValueError):
    """The bytes are not a valid Sparkplug B payload (truncated, bad wire type...)."""


@dataclass
class Metric:
    """One Sparkplug metric: name or alias, type and value (None when null or unsupported)."""

    name: str | None = None
    alias: int | None = None
    timestamp: int | None = None
    datatype: int = 0
    value: Any = None
    is_null: bool = False


@dataclass
class Payload:
    """A Sparkplug B payload: timestamp, sequence number and metrics."""

    timestamp: int | None = None
    metrics: list[Metric] = field(default_factory=list)
    seq: int | None = None
    uuid: str | None = None
    body: bytes | None = None


# -- wire primitives ---------------------------------------------------------------------------
def _varint(buf: bytes, i: int, end: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= end:
            raise DecodeError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift > 63:
            raise DecodeError("varint too long")


def _put_varint(out: bytearray, v: int) -> None:
    v &= (1 << 64) - 1
    while v > 0x7F:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _fields(buf: bytes, i: int, end: int):
    """Yield (field number, wire type, value) for a message in buf[i:end]."""
    while i < end:
        key, i = _varint(buf, i, end)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i, end)
            yield num, wt, v
        elif wt == 1:
            if i + 8 > end:
                raise DecodeError("truncated 64-bit field")
            yield num, wt, buf[i : i + 8]
            i += 8
        elif wt == 2:
            n, i = _varint(buf, i, end)
            if i + n > end:
                raise DecodeError(f"truncated length-delimited field {num}")
            yield num, wt, (i, i + n)
            i += n
        elif wt == 5:
            if i + 4 > end:
                raise DecodeError("truncated 32-bit field")
            yield num, wt, buf[i : i + 4]
            i += 4
        else:
            raise DecodeError(f"unsupported wire type {wt} for field {num}")


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _decode_metric(buf: bytes, i: int, end: int) -> Metric:
    m = Metric()
    for num, wt, v in _fields(buf, i, end):
        if num == 1 and wt == 2:
            m.name = bytes(buf[v[0] : v[1]]).decode("utf-8", "replace")
        elif num == 2 and wt == 0:
            m.alias = v
        elif num == 3 and wt == 0:
            m.timestamp = v
        elif num == 4 and wt == 0:
            m.datatype = v
        elif num == 7 and wt == 0:
            m.is_null = bool(v)
        elif num in (10, 11) and wt == 0:
            m.value = v
        elif num == 12 and wt == 5:
            m.value = struct.unpack("<f", v)[0]
        elif num == 13 and wt == 1:
            m.value = struct.unpack("<d", v)[0]
        elif num == 14 and wt == 0:
            m.value = bool(v)
        elif num == 15 and wt == 2:
            m.value = bytes(buf[v[0] : v[1]]).decode("utf-8", "replace")
        elif num == 16 and wt == 2:
            m.value = bytes(buf[v[0] : v[1]])
    if isinstance(m.value, int) and not isinstance(m.value, bool):
        bits = _SIGNED_BITS.get(m.datatype)
        if bits:
            m.value = _signed(m.value, bits)
    if m.is_null:
        m.value = None
    return m


def decode_payload(data: bytes) -> Payload:
    """Parse Sparkplug B payload bytes; raises DecodeError on malformed or truncated input."""
    p = Payload()
    buf = memoryview(data).tobytes() if not isinstance(data, bytes) else data
    for num, wt, v in _fields(buf, 0, len(buf)):
        if num == 1 and wt == 0:
            p.timestamp = v
        elif num == 2 and wt == 2:
            p.metrics.append(_decode_metric(buf, v[0], v[1]))
        elif num == 3 and wt == 0:
            p.seq = v
        elif num == 4 and wt == 2:
            p.uuid = buf[v[0] : v[1]].decode("utf-8", "replace")
        elif num == 5 and wt == 2:
            p.body = buf[v[0] : v[1]]
    return p


# -- encoding ----------------------------------------------------------------------------------
def _key(out: bytearray, num: int, wt: int) -> None:
    _put_varint(out, (num << 3) | wt)


def _encode_metric(m: Metric) -> bytes:
    out = bytearray()
    if m.name is not None:
        raw = m.name.encode()
        _key(out, 1, 2)
        _put_varint(out, len(raw))
        out += raw
    if m.alias is not None:
        _key(out, 2, 0)
        _put_varint(out, m.alias)
    if m.timestamp is not None:
        _key(out, 3, 0)
        _put_varint(out, m.timestamp)
    _key(out, 4, 0)
    _put_varint(out, m.datatype)
    v, dt = m.value, m.datatype
    if v is None:
        _key(out, 7, 0)
        out.append(1)
    elif dt in (INT8, INT16, INT32, UINT8, UINT16, UINT32):
        _key(out, 10, 0)
        _put_varint(out, int(v) & 0xFFFFFFFF)
    elif dt in (INT64, UINT64, DATETIME):
        _key(out, 11, 0)
        _put_varint(out, int(v))
    elif dt == FLOAT:
        _key(out, 12, 5)
        out += struct.pack("<f", v)
    elif dt == DOUBLE:
        _key(out, 13, 1)
        out += struct.pack("<d", v)
    elif dt == BOOLEAN:
        _key(out, 14, 0)
        out.append(1 if v else 0)
    elif dt in (STRING, TEXT, UUID):
        raw = str(v).encode()
        _key(out, 15, 2)
        _put_varint(out, len(raw))
        out += raw
    elif dt in (BYTES, FILE):
        _key(out, 16, 2)
        _put_varint(out, len(v))
        out += bytes(v)
    else:
        raise ValueError(f"cannot encode Sparkplug datatype {dt}")
    return bytes(out)


def encode_payload(p: Payload) -> bytes:
    """Serialise a payload exactly as protobuf does (fields in number order)."""
    out = bytearray()
    if p.timestamp is not None:
        _key(out, 1, 0)
        _put_varint(out, p.timestamp)
    for m in p.metrics:
        raw = _encode_metric(m)
        _key(out, 2, 2)
        _put_varint(out, len(raw))
        out += raw
    if p.seq is not None:
        _key(out, 3, 0)
        _put_varint(out, p.seq)
    if p.uuid is not None:
        raw = p.uuid.encode()
        _key(out, 4, 2)
        _put_varint(out, len(raw))
        out += raw
    if p.body is not None:
        _key(out, 5, 2)
        _put_varint(out, len(p.body))
        out += p.body
    return bytes(out)
