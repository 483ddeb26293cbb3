"""Checksums, vectorised across many frames: table CRCs, XOR/MOD sums, Fletcher-16, Adler-32.

Names follow the CRC RevEng catalogue. Each function takes a 2-D uint8 array (one frame per row,
all the same length) and returns one checksum per row, so a buffer of frames is checked in a few
numpy passes over its columns, never one Python call per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass(frozen=True)
class CrcSpec:
    """A CRC in the Rocksoft/RevEng model: width, poly, init, reflection, xorout."""

    width: int
    poly: int
    init: int
    refin: bool
    xorout: int


CRCS: dict[str, CrcSpec] = {
    "crc-8/smbus": CrcSpec(8, 0x07, 0x00, False, 0x00),
    "crc-8/nrsc-5": CrcSpec(8, 0x31, 0xFF, False, 0x00),
    "crc-16/arc": CrcSpec(16, 0x8005, 0x0000, True, 0x0000),
    "crc-16/modbus": CrcSpec(16, 0x8005, 0xFFFF, True, 0x0000),
    "crc-16/ibm-3740": CrcSpec(16, 0x1021, 0xFFFF, False, 0x0000),
    "crc-16/xmodem": CrcSpec(16, 0x1021, 0x0000, False, 0x0000),
    "crc-16/kermit": CrcSpec(16, 0x1021, 0x0000, True, 0x0000),
    "crc-32/iso-hdlc": CrcSpec(32, 0x04C11DB7, 0xFFFFFFFF, True, 0xFFFFFFFF),
}

WIDTH_BYTES: dict[str, int] = {
    "xor-8": 1,
    "mod-256": 1,
    "fletcher-16": 2,
    "adler-32": 4,
    **{name: spec.width // 8 for name, spec in CRCS.items()},
}

ALIASES: dict[str, str] = {
    "xor8": "xor-8",
    "xor": "xor-8",
    "mod256": "mod-256",
    "sum8": "mod-256",
    "crc-8": "crc-8/nrsc-5",  # Serial Studio's "CRC-8"
    "crc8/smbus": "crc-8/smbus",
    "crc-16": "crc-16/ibm-3740",  # Serial Studio's "CRC-16"
    "crc-16-ccitt": "crc-16/xmodem",  # Serial Studio's "CRC-16-CCITT"
    "crc-16/ccitt-false": "crc-16/ibm-3740",
    "crc-32": "crc-32/iso-hdlc",
    "crc32": "crc-32/iso-hdlc",
    "fletcher16": "fletcher-16",
    "adler32": "adler-32",
}

NAMES: tuple[str, ...] = tuple(WIDTH_BYTES)


def canonical(name: str) -> str:
    """The catalogue name for `name` (case-insensitive, aliases resolved); KeyError if unknown."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in WIDTH_BYTES:
        raise KeyError(name)
    return key


def _reflect(value: int, bits: int) -> int:
    out = 0
    for _ in range(bits):
        out = (out << 1) | (value & 1)
        value >>= 1
    return out


@cache
def _table8(name: str) -> np.ndarray:
    """256-entry table for one byte step."""
    spec = CRCS[name]
    w = spec.width
    mask = (1 << w) - 1
    out = np.zeros(256, dtype=np.uint64)
    for b in range(256):
        if spec.refin:
            poly = _reflect(spec.poly, w)
            crc = b
            for _ in range(8):
                crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        else:
            crc = b << (w - 8)
            for _ in range(8):
                crc = ((crc << 1) ^ spec.poly) if crc & (1 << (w - 1)) else crc << 1
        out[b] = crc & mask
    return out.astype(_dtype(w))


@cache
def _table16(name: str) -> np.ndarray:
    """65,536-entry table for a CRC-16 two-byte step (state XOR data word -> next state)."""
    t = _table8(name).astype(np.uint32)
    v = np.arange(65536, dtype=np.uint32)
    if CRCS[name].refin:
        crc = v
        for _ in range(2):
            crc = (crc >> 8) ^ t[crc & 0xFF]
    else:
        crc = v
        for _ in range(2):
            crc = ((crc << 8) & 0xFFFF) ^ t[(crc >> 8) & 0xFF]
    return crc.astype(np.uint16)


def _dtype(width: int) -> type[np.unsignedinteger]:
    return {8: np.uint8, 16: np.uint16, 32: np.uint32}[width]


def _crc(name: str, rows: np.ndarray) -> np.ndarray:
    spec = CRCS[name]
    n, length = rows.shape
    dt = _dtype(spec.width)
    init = spec.init
    crc = np.full(n, init, dtype=dt)
    if spec.width == 8:
        t = _table8(name)
        for j in range(length):
            crc = t[crc ^ rows[:, j]]
    elif spec.width == 16:
        t2 = _table16(name)
        t1 = _table8(name)
        j = 0
        u16 = np.uint16
        while j + 1 < length:
            a, b = rows[:, j].astype(u16), rows[:, j + 1].astype(u16)
            word = a | b << 8 if spec.refin else a << 8 | b
            crc = t2[crc ^ word]
            j += 2
        if j < length:
            last = rows[:, j].astype(u16)
            if spec.refin:
                crc = (crc >> 8) ^ t1[(crc ^ last) & 0xFF]
            else:
                crc = (crc << 8) ^ t1[((crc >> 8) ^ last) & 0xFF]
    else:
        t = _table8(name)
        for j in range(length):
            crc = (crc >> 8) ^ t[(crc ^ rows[:, j]) & 0xFF]
    return (crc ^ dt(spec.xorout)).astype(np.uint32)


def compute_rows(name: str, rows: np.ndarray) -> np.ndarray:
    """Checksum of every row of a 2-D uint8 array, as uint32 (one value per row)."""
    key = canonical(name)
    rows = np.asarray(rows, dtype=np.uint8)
    if rows.ndim != 2:
        raise ValueError("rows must be 2-D")
    n, length = rows.shape
    if key in CRCS:
        return _crc(key, rows)
    if key == "xor-8":
        if length == 0:
            return np.zeros(n, np.uint32)
        return np.bitwise_xor.reduce(rows, axis=1).astype(np.uint32)
    if key == "mod-256":
        return (rows.sum(axis=1, dtype=np.uint64) & 0xFF).astype(np.uint32)
    weights = np.arange(length, 0, -1, dtype=np.uint64)  # byte i is added (length - i) times
    s1 = rows.sum(axis=1, dtype=np.uint64)
    s2 = rows.astype(np.uint64) @ weights if length else np.zeros(n, np.uint64)
    if key == "fletcher-16":
        return (((s2 % 255) << np.uint64(8)) | (s1 % 255)).astype(np.uint32)
    # adler-32: A = 1 + sum, B = length + weighted sum
    a = (s1 + 1) % 65521
    b = (s2 + np.uint64(length)) % 65521
    return ((b << np.uint64(16)) | a).astype(np.uint32)


def compute(name: str, data: bytes) -> int:
    """Checksum of one byte string (for tests, simulators and the console)."""
    rows = np.frombuffer(data, dtype=np.uint8).reshape(1, -1)
    return int(compute_rows(name, rows)[0])


def to_bytes(name: str, value: int, endian: str = "big") -> bytes:
    """A checksum value as the bytes a device appends."""
    return int(value).to_bytes(WIDTH_BYTES[canonical(name)], "big" if endian == "big" else "little")
