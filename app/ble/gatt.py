"""The GATT browser's model: services, characteristics and descriptors with their properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twinbench.ble.decoders import has_decoder
from twinbench.ble.sig import uuid_label, uuid_name

PROPERTIES = ("read", "write", "write-without-response", "notify", "indicate")


@dataclass(frozen=True)
class DescriptorInfo:
    """A descriptor: UUID, human name and handle."""

    uuid: str
    handle: int
    name: str = ""


@dataclass(frozen=True)
class CharacteristicInfo:
    """A characteristic: UUID, name, handle, properties, descriptors, and if a decoder exists."""

    uuid: str
    handle: int
    properties: tuple[str, ...]
    name: str = ""
    descriptors: tuple[DescriptorInfo, ...] = ()
    decodable: bool = False

    def can(self, prop: str) -> bool:
        """Whether the characteristic has this property ("read", "notify"...)."""
        return prop in self.properties


@dataclass(frozen=True)
class ServiceInfo:
    """A primary service and its characteristics."""

    uuid: str
    handle: int
    name: str = ""
    characteristics: tuple[CharacteristicInfo, ...] = field(default_factory=tuple)


def gatt_tree(services: Any) -> list[ServiceInfo]:
    """Build the browser model from a bleak service collection, ordered by handle."""
    out = []
    for s in sorted(services, key=lambda s: s.handle):
        chars = []
        for c in sorted(s.characteristics, key=lambda c: c.handle):
            descs = tuple(
                DescriptorInfo(d.uuid, d.handle, uuid_name(d.uuid))
                for d in sorted(c.descriptors, key=lambda d: d.handle)
            )
            props = tuple(p for p in c.properties if p in PROPERTIES) + tuple(
                p for p in c.properties if p not in PROPERTIES
            )
            chars.append(
                CharacteristicInfo(
                    c.uuid, c.handle, props, uuid_name(c.uuid), descs, has_decoder(c.uuid)
                )
            )
        out.append(ServiceInfo(s.uuid, s.handle, uuid_name(s.uuid), tuple(chars)))
    return out


def tree_to_dict(tree: list[ServiceInfo]) -> list[dict[str, Any]]:
    """A JSON-friendly form of the tree."""
    return [
        {
            "uuid": s.uuid,
            "name": s.name,
            "handle": s.handle,
            "characteristics": [
                {
                    "uuid": c.uuid,
                    "name": c.name,
                    "handle": c.handle,
                    "properties": list(c.properties),
                    "decoder": c.decodable,
                    "descriptors": [
                        {"uuid": d.uuid, "name": d.name, "handle": d.handle} for d in c.descriptors
                    ],
                }
                for c in s.characteristics
            ],
        }
        for s in tree
    ]


def format_tree(tree: list[ServiceInfo]) -> str:
    """The tree as indented text for the terminal."""
    lines = []
    for s in tree:
        lines.append(f"service {uuid_label(s.uuid)}  (handle 0x{s.handle:04X})")
        for c in s.characteristics:
            lines.append(
                f"  char {uuid_label(c.uuid)}  (handle 0x{c.handle:04X})"
                f"  [{', '.join(c.properties)}]" + ("  decoder: yes" if c.decodable else "")
            )
            for d in c.descriptors:
                lines.append(f"    desc {uuid_label(d.uuid)}  (handle 0x{d.handle:04X})")
    return "\n".join(lines)
