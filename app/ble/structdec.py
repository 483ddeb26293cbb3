"""A binary struct decoder for custom characteristics: a field spec to a numpy structured dtype.

Spec: comma-separated ``name:type[*scale][+offset]`` fields, in wire order, little-endian unless
the spec starts with ``>``; types ``u8 i8 u16 i16 u32 i32 u64 i64 f32 f64`` (or ``uint16``,
``int8``, ``float32``... as the serial decoder spells them); a field named ``_``
is read but not exported (padding). Example: ``seq:u32,temp:i16*0.01,_:u8,rh:u16*0.1``.

This is a small stand-in behind the same interface as the SIG decoders; the lead may swap it for
the shared ``twinbench.decode`` struct decoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

TYPES = {
    "u8": "u1",
    "i8": "i1",
    "u16": "u2",
    "i16": "i2",
    "u32": "u4",
    "i32": "i4",
    "u64": "u8",
    "i64": "i8",
    "f32": "f4",
    "f64": "f8",
}
# the serial decoder's spelling (twinbench.decode.binary) is accepted too
TYPES.update(
    {f"{'u' if k[0] == 'u' else ''}int{k[1:]}": v for k, v in list(TYPES.items()) if k[0] in "ui"}
)
TYPES.update({"float32": "f4", "float64": "f8"})
_FIELD = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*):(?P<type>[a-z0-9]+)"
    r"(?:\*(?P<scale>[-+0-9.eE]+))?(?:\+(?P<offset>[-+0-9.eE]+))?$"
)


class StructSpecError(ValueError):
    """A struct spec is malformed; the message names the field."""


@dataclass(frozen=True)
class StructLayout:
    """A parsed spec: numpy dtype, exported field names, scales and offsets."""

    spec: str
    dtype: np.dtype
    names: tuple[str, ...]
    scale: np.ndarray
    offset: np.ndarray
    identity: bool = False  # every scale 1 and offset 0

    @property
    def size(self) -> int:
        """Bytes per record."""
        return int(self.dtype.itemsize)

    def decode(self, rows: np.ndarray) -> np.ndarray:
        """Decode an (n, size) uint8 block into an (n, k) float64 block of scaled values."""
        rec = np.ascontiguousarray(rows).view(self.dtype).reshape(-1)
        out = np.empty((rec.shape[0], len(self.names)))
        for j, name in enumerate(self.names):  # one column copy per field, not per record
            out[:, j] = rec[name]
        if not self.identity:
            out *= self.scale
            out += self.offset
        return out


def parse_struct(spec: str) -> StructLayout:
    """Parse a field spec (see the module doc) into a layout, naming a bad field in the error."""
    text = spec.strip()
    order = "<"
    if text and text[0] in "<>":
        order, text = text[0], text[1:]
    if not text:
        raise StructSpecError("struct spec is empty (expected e.g. seq:u32,temp:i16*0.01)")
    fields: list[tuple[str, str]] = []
    names: list[str] = []
    scale: list[float] = []
    offset: list[float] = []
    for i, raw in enumerate(text.split(",")):
        m = _FIELD.match(raw.strip())
        if m is None:
            raise StructSpecError(
                f"struct field {i + 1} {raw.strip()!r}: expected name:type[*scale][+offset]"
            )
        name, typ = m["name"], m["type"]
        if typ not in TYPES:
            raise StructSpecError(
                f"struct field {name!r}: unknown type {typ!r}; valid: {', '.join(TYPES)}"
            )
        col = name if name != "_" else f"_pad{i}"
        if col in (f[0] for f in fields):
            raise StructSpecError(f"struct field {name!r} appears twice")
        fields.append((col, order + TYPES[typ]))
        if name != "_":
            names.append(name)
            scale.append(float(m["scale"]) if m["scale"] else 1.0)
            offset.append(float(m["offset"]) if m["offset"] else 0.0)
    if not names:
        raise StructSpecError("struct spec exports no field (all are named _)")
    identity = all(s == 1.0 for s in scale) and not any(offset)
    return StructLayout(
        spec, np.dtype(fields), tuple(names), np.array(scale), np.array(offset), identity
    )
