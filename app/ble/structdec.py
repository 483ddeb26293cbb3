"""The BLE struct spec for custom characteristics, parsed onto the shared binary struct decoder.

Spec: comma-separated ``name:type[*scale][+offset]`` fields, in wire order, little-endian unless
the spec starts with ``>``; types ``u8 i8 u16 i16 u32 i32 u64 i64 f32 f64`` (or ``uint16``,
``int8``, ``float32``... as the serial decoder spells them); a field named ``_``
is read but not exported (padding). Example: ``seq:u32,temp:i16*0.01,_:u8,rh:u16*0.1``.

Decoding is done by `twinbench.decode.binary.StructDecoder`, the one the serial/network frame
pipeline uses; this module only reads the compact one-line spec that fits a BLE settings field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from twinbench.decode.binary import TYPES as WIRE_TYPES
from twinbench.decode.binary import Field, StructDecoder

# the spec's short type names, as the shared decoder's names
TYPES = {
    "u8": "uint8",
    "i8": "int8",
    "u16": "uint16",
    "i16": "int16",
    "u32": "uint32",
    "i32": "int32",
    "u64": "uint64",
    "i64": "int64",
    "f32": "float32",
    "f64": "float64",
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
    """A parsed spec and the shared decoder built from it."""

    spec: str
    decoder: StructDecoder

    @property
    def names(self) -> tuple[str, ...]:
        """Exported field names, in wire order."""
        return self.decoder.names

    @property
    def size(self) -> int:
        """Bytes per record."""
        return int(self.decoder.size)

    def decode(self, rows: np.ndarray) -> np.ndarray:
        """Decode an (n, size) uint8 block into an (n, k) float64 block of scaled values."""
        rec = np.ascontiguousarray(rows).view(self.decoder.dtype).reshape(-1)
        return self.decoder.values(rec)


def parse_struct(spec: str) -> StructLayout:
    """Parse a field spec (see the module doc) into a layout, naming a bad field in the error."""
    text = spec.strip()
    endian = "little"
    if text and text[0] in "<>":
        endian, text = ("big" if text[0] == ">" else "little"), text[1:]
    if not text:
        raise StructSpecError("struct spec is empty (expected e.g. seq:u32,temp:i16*0.01)")
    fields: list[Field] = []
    pos = 0
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
        if name != "_":
            if any(f.name == name for f in fields):
                raise StructSpecError(f"struct field {name!r} appears twice")
            scale = float(m["scale"]) if m["scale"] else 1.0
            offset = float(m["offset"]) if m["offset"] else 0.0
            fields.append(Field(name, TYPES[typ], pos, scale, offset))
        pos += np.dtype(WIRE_TYPES[TYPES[typ]]).itemsize
    if not fields:
        raise StructSpecError("struct spec exports no field (all are named _)")
    return StructLayout(spec, StructDecoder(fields, endian, size=pos))
