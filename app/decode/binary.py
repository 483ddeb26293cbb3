"""Binary struct frames decoded in bulk with one structured numpy dtype per frame layout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twinbench.decode.frames import Frames, LossStats

TYPES: dict[str, str] = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "int64": "i8",
    "uint64": "u8",
    "float32": "f4",
    "float64": "f8",
}


@dataclass(frozen=True)
class Field:
    """One field of a binary frame: name, type, byte position, and a linear scaling."""

    name: str
    type: str
    pos: int
    scale: float = 1.0
    offset: float = 0.0


class StructDecoder:
    """Decodes frames holding one packed struct each; frames too short are malformed."""

    def __init__(
        self,
        fields: Sequence[Field],
        endian: str = "little",
        sequence: str | None = None,
        stats: LossStats | None = None,
        size: int = 0,
    ) -> None:
        if not fields:
            raise ValueError("a binary decoder needs at least one field")
        order = "<" if endian == "little" else ">"
        self.fields = tuple(fields)
        # a record is at least `size` bytes (trailing padding), and long enough for every field
        self.size = max(size, *(f.pos + np.dtype(TYPES[f.type]).itemsize for f in fields))
        self.dtype = np.dtype(
            {
                "names": [f.name for f in fields],
                "formats": [order + TYPES[f.type] for f in fields],
                "offsets": [f.pos for f in fields],
                "itemsize": self.size,
            }
        )
        self.names = tuple(f.name for f in fields)
        self.scale = np.array([f.scale for f in fields])
        self.offset = np.array([f.offset for f in fields])
        self.floats = [i for i, f in enumerate(fields) if f.type.startswith("float")]
        self.linear = bool((self.scale != 1).any() or (self.offset != 0).any())
        self.stats = stats or LossStats()
        self.sequence = sequence
        if sequence is not None:
            if sequence not in self.names:
                raise ValueError(f"sequence field {sequence!r} is not one of the fields")
            ftype = TYPES[next(f.type for f in fields if f.name == sequence)]
            if ftype[0] not in "iu":
                raise ValueError(f"sequence field {sequence!r} must be an integer")
            self.seq_mod = 1 << (8 * int(ftype[1]))
        self._last_seq: int | None = None

    def decode(self, frames: Frames) -> tuple[tuple[str, ...], np.ndarray] | None:
        """(channel names, values[n, k]) for a batch of frames."""
        n = len(frames)
        if n == 0:
            return None
        ok = frames.lengths >= self.size
        bad = n - int(ok.sum())
        if bad:
            self.stats.malformed += bad
        idx = np.flatnonzero(ok)
        if idx.shape[0] == 0:
            return None
        rec = frames.records(idx, self.dtype)
        if self.sequence is not None:
            self._check_sequence(rec[self.sequence].astype(np.int64))
        values = self.values(rec)
        if not self.floats:
            return self.names, values
        finite = np.isfinite(values[:, self.floats]).all(axis=1)
        if not finite.all():
            self.stats.malformed += int((~finite).sum())
            values = values[finite]
        return self.names, values

    def values(self, rec: np.ndarray) -> np.ndarray:
        """Scaled values[n, k] of records already viewed with this decoder's dtype."""
        cols = np.empty((len(self.names), rec.shape[0]))  # filled row by row: contiguous writes
        for j, name in enumerate(self.names):
            cols[j] = rec[name]
        values = cols.T
        if self.linear:
            values = values * self.scale + self.offset
        return values

    def _check_sequence(self, seq: np.ndarray) -> None:
        if seq.shape[0] == 0:
            return
        prev = np.empty_like(seq)
        prev[1:] = seq[:-1]
        prev[0] = seq[0] - 1 if self._last_seq is None else self._last_seq
        step = (seq - prev) % self.seq_mod
        gaps = step != 1
        if gaps.any():
            self.stats.sequence_gaps += int(gaps.sum())
            # a small forward step is that many lost frames; anything else is a restart
            lost = step[gaps] - 1
            self.stats.missing_frames += int(lost[(lost > 0) & (lost < self.seq_mod // 2)].sum())
        self._last_seq = int(seq[-1])


def parse_fields(items: Sequence[Mapping[str, Any]], where: str) -> list[Field]:
    """Fields from profile tables; positions follow each other unless `pos` is given."""
    return parse_struct(items, where)[0]


def parse_struct(items: Sequence[Mapping[str, Any]], where: str) -> tuple[list[Field], int]:
    """Fields from profile tables and the struct's size in bytes (trailing pads included)."""
    out: list[Field] = []
    size = 0
    pos = 0
    for i, item in enumerate(items):
        key = f"{where}[{i}]"
        name = item.get("name")
        ftype = str(item.get("type", "")).lower()
        if ftype == "pad":
            pos += int(item.get("size", 1))
            size = max(size, pos)
            continue
        if not isinstance(name, str) or not name:
            raise ValueError(f"{key}.name: a field needs a name")
        if ftype not in TYPES:
            raise ValueError(f"{key}.type: {ftype!r} is not one of {', '.join(TYPES)} or pad")
        pos = int(item.get("pos", pos))
        out.append(
            Field(name, ftype, pos, float(item.get("scale", 1.0)), float(item.get("offset", 0.0)))
        )
        pos += np.dtype(TYPES[ftype]).itemsize
        size = max(size, pos)
    return out, max(size, pos)
