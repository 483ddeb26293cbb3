"""Parsed DTDL elements and the references between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twinbench.dtdl.context import Context


@dataclass
class Element:
    """One parsed DTDL element: identity, class, co-types and property values."""

    id: str
    cls: str
    version: int
    cotypes: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)  # literals; object props hold ids
    parent: str | None = None
    parent_prop: str | None = None
    file: str = ""
    path: str = ""
    explicit_id: bool = False
    context: Context = field(default_factory=Context)
    layer: bool = False
    inferred: bool = False  # its class was inferred (no @type)
    open_terms: bool = False  # an undefined co-type may define the terms its values use
    fragment: str | None = None  # the layer name of a `dtmi:...;1#layer` identifier
    specs: dict[str, Any] = field(default_factory=dict)  # property specs, for layer merging

    def get(self, key: str, default: Any = None) -> Any:
        """A property value, or `default`."""
        return self.values.get(key, default)


@dataclass
class Reference:
    """A DTMI used as a value: must name an element of one of `classes` once all is parsed."""

    target: str
    source: str
    prop: str
    classes: tuple[str, ...]
    schema: bool
    file: str
    path: str
