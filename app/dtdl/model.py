"""Validated models in a shape the twin and the dashboard use: interfaces, contents, schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twinbench.dtdl.parser import Element, Parser

_INT_RANGE = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedByte": (0, 255),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedInteger": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
}
_FLOATS = frozenset({"double", "float", "decimal"})


@dataclass(frozen=True)
class Schema:
    """A data type: a primitive name, or Enum/Object/Map/Array with its parts."""

    kind: str
    enum: tuple[tuple[str, Any], ...] = ()  # (name, value) of an Enum
    fields: tuple[tuple[str, Schema], ...] = ()  # Object
    element: Schema | None = None  # Array element / Map value
    id: str = ""
    # Object: (field name, semantic type, unit) of each field that declares a semantic type
    field_units: tuple[tuple[str, str, str], ...] = ()

    def field_unit(self, name: str) -> tuple[str, str]:
        """(semantic type, unit) of an Object field, ("", "") when it declares none."""
        return next(((s, u) for n, s, u in self.field_units if n == name), ("", ""))

    @property
    def numeric(self) -> bool:
        """Whether values are numbers."""
        return self.kind in _FLOATS or self.kind in _INT_RANGE

    def check(self, value: Any, where: str = "value") -> str | None:
        """Why `value` does not conform to this schema, or None when it does."""
        k = self.kind
        if value is None:
            return None
        if k == "boolean":
            return None if isinstance(value, bool) else f"{where}: {value!r} is not a boolean"
        if k in _INT_RANGE:
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{where}: {value!r} is not an {k}"
            lo, hi = _INT_RANGE[k]
            return None if lo <= value <= hi else f"{where}: {value} is out of {k} range"
        if k in _FLOATS:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return None if ok and value == value else f"{where}: {value!r} is not a number"
        if k == "Enum":
            vals = [v for _n, v in self.enum]
            return None if value in vals else f"{where}: {value!r} is not one of {vals}"
        if k == "Object":
            if not isinstance(value, dict):
                return f"{where}: {value!r} is not an object"
            known = dict(self.fields)
            for key, v in value.items():
                if key not in known:
                    return f"{where}: unknown field {key!r}"
                err = known[key].check(v, f"{where}.{key}")
                if err:
                    return err
            return None
        if k == "Map":
            if not isinstance(value, dict):
                return f"{where}: {value!r} is not a map"
            for key, v in value.items():
                err = self.element.check(v, f"{where}.{key}") if self.element else None
                if err:
                    return err
            return None
        if k == "Array":
            if not isinstance(value, list):
                return f"{where}: {value!r} is not an array"
            for i, v in enumerate(value):
                err = self.element.check(v, f"{where}[{i}]") if self.element else None
                if err:
                    return err
            return None
        return None if isinstance(value, str) else f"{where}: {value!r} is not a {k} string"


@dataclass(frozen=True)
class Content:
    """A Telemetry, Property, Command, Relationship or Component of an Interface."""

    kind: str
    name: str
    id: str
    schema: Schema | None = None
    unit: str = ""
    semantic: str = ""
    writable: bool = False
    display_name: str = ""
    description: str = ""
    request: tuple[str, Schema] | None = None  # Command
    response: tuple[str, Schema] | None = None
    interface: str = ""  # Component: the Interface DTMI


@dataclass
class Interface:
    """An Interface with its contents flattened over `extends`."""

    id: str
    display_name: str = ""
    contents: list[Content] = field(default_factory=list)
    extends: list[str] = field(default_factory=list)  # as written (direct parents)
    version: int = 0  # DTDL language version (2 or 3)
    description: str = ""

    def of(self, kind: str) -> list[Content]:
        """Contents of one kind (Telemetry, Property, Command, Component, Relationship)."""
        return [c for c in self.contents if c.kind == kind]

    def get(self, name: str) -> Content | None:
        """The content called `name`."""
        return next((c for c in self.contents if c.name == name), None)


@dataclass
class ModelSet:
    """Every Interface of a validated set of documents."""

    interfaces: dict[str, Interface] = field(default_factory=dict)

    def __getitem__(self, dtmi: str) -> Interface:
        return self.interfaces[dtmi]

    def __contains__(self, dtmi: object) -> bool:
        return dtmi in self.interfaces


def _text(v: Any) -> str:
    if isinstance(v, dict):
        return str(v.get("en") or v.get("en-US") or next(iter(v.values()), ""))
    return str(v or "")


def _schema(p: Parser, ref: Any, depth: int = 0) -> Schema:
    if not isinstance(ref, str):
        return Schema("string")
    el = p.elements.get(ref)
    if el is None or depth > 12:
        return Schema(ref)
    if el.cls == "Enum":
        vals = tuple(
            (p.elements[v].get("name"), p.elements[v].get("enumValue"))
            for v in el.get("enumValues") or []
            if v in p.elements
        )
        return Schema("Enum", enum=vals, id=el.id)
    if el.cls == "Object":
        kids = [p.elements[f] for f in el.get("fields") or [] if f in p.elements]
        flds = tuple((f.get("name"), _schema(p, f.get("schema"), depth + 1)) for f in kids)
        units = tuple(
            (f.get("name"), _semantic(f), f.get("unit") or "")
            for f in kids
            if _semantic(f) or f.get("unit")
        )
        return Schema("Object", fields=flds, id=el.id, field_units=units)
    if el.cls == "Map":
        mv = p.elements.get(el.get("mapValue") or "")
        return Schema(
            "Map", element=_schema(p, mv.get("schema") if mv else None, depth + 1), id=el.id
        )
    if el.cls == "Array":
        return Schema("Array", element=_schema(p, el.get("elementSchema"), depth + 1), id=el.id)
    return Schema(el.cls)


def _payload(p: Parser, ref: Any) -> tuple[str, Schema] | None:
    el = p.elements.get(ref) if isinstance(ref, str) else None
    if el is None:
        return None
    return (el.get("name") or "", _schema(p, el.get("schema")))


def _semantic(el: Element) -> str:
    """The semantic type among an element's co-types ("" when none)."""
    return next((c for c in el.cotypes if c not in ("Historized", "Layer")), "")


def _content(p: Parser, el: Element) -> Content:
    sem = _semantic(el)
    return Content(
        kind=el.cls,
        name=el.get("name") or "",
        id=el.id,
        schema=_schema(p, el.get("schema")) if el.cls in ("Telemetry", "Property") else None,
        unit=el.get("unit") or "",
        semantic=sem,
        writable=bool(el.get("writable")),
        display_name=_text(el.get("displayName")),
        description=_text(el.get("description")),
        request=_payload(p, el.get("request")),
        response=_payload(p, el.get("response")),
        interface=el.get("schema") or "" if el.cls == "Component" else "",
    )


def build_model_set(p: Parser) -> ModelSet:
    """Turn a checked parser state into Interfaces with flattened contents."""
    from twinbench.dtdl.checks import inherited_contents

    out = ModelSet()
    for el in p.elements.values():
        if el.cls != "Interface":
            continue
        contents = [_content(p, c) for c in inherited_contents(p, el)]
        out.interfaces[el.id] = Interface(
            el.id,
            _text(el.get("displayName")),
            contents,
            list(el.get("extends") or []),
            el.version,
            _text(el.get("description")),
        )
    return out
