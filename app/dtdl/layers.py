"""Merging the layers of an element (the layering extension) and reporting inconsistencies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinbench.dtdl.elements import Element

if TYPE_CHECKING:
    from twinbench.dtdl.parser import Parser

_CONTENT = frozenset({"Telemetry", "Property", "Command", "Relationship", "Component"})
_LITERAL_CODES = {
    "string": "inconsistentStringValues",
    "boolean": "inconsistentBooleanValues",
    "integer": "inconsistentIntegerValues",
    "literal": "inconsistentStringValues",
    "dtmi": "inconsistentIdentifierValues",
    "term": "inconsistentObjectValues",
    "object": "inconsistentObjectValues",
}


def merge(p: Parser, old: Element, new: Element) -> bool:
    """Fold `new` (another layer of the same element) into `old`; False when they cannot merge."""

    def issue(code: str, msg: str, prop: str = "") -> None:
        p.file = new.file
        p.issue(code, msg, new.id, new.path, prop)

    if old.cls != new.cls:
        both_contents = old.cls in _CONTENT and new.cls in _CONTENT
        issue(
            "multipleMaterialTypes" if both_contents else "incompatibleType",
            f"{new.id} is a {old.cls} in one layer and a {new.cls} in another",
        )
        return False
    if old.parent != new.parent:
        issue("inconsistentParent", f"{new.id} has different parents in its layers")
    if old.version != new.version:
        issue("inconsistentContext", f"{new.id}: layers use DTDL v{old.version} and v{new.version}")
    from twinbench.dtdl.cotypes import semantic_types

    sem = semantic_types(new.version, new.context.extensions)
    kinds = {sem[c] for c in (*old.cotypes, *new.cotypes) if c in sem}
    if len(kinds) > 1:
        issue("conflictingSupplementalTypes", f"{new.id}: layers add conflicting semantic types")
        new.values.pop("unit", None)
    old.cotypes = tuple(dict.fromkeys((*old.cotypes, *new.cotypes)))
    old.layer = old.layer or new.layer
    for key, value in new.values.items():
        spec = new.specs.get(key) or old.specs.get(key)
        if key not in old.values or old.values[key] == value:
            old.values[key] = value
            continue
        _merge_value(old, key, value, spec, issue)
    old.specs.update(new.specs)
    return True


def _merge_value(old: Element, key: str, value: Any, spec: Any, issue: Any) -> None:
    current = old.values[key]
    kind = getattr(spec, "kind", "object")
    if getattr(spec, "plural", False) and isinstance(current, list) and isinstance(value, list):
        merged = list(dict.fromkeys([*current, *value]))
        old.values[key] = merged
        limit = getattr(spec, "max_count", None)
        if limit is not None and len(merged) > limit:
            issue("objectCountAboveMax", f"{key!r} holds more than {limit} across layers", key)
        return
    if kind == "langstring" and isinstance(current, dict) and isinstance(value, dict):
        for lang, text in value.items():
            if lang in current and current[lang] != text:
                issue("inconsistentLangStringValues", f"{key!r}[{lang}] differs across layers", key)
                return
        old.values[key] = {**current, **value}
        return
    issue(
        _LITERAL_CODES.get(kind, "inconsistentObjectValues"),
        f"{key!r} is {current!r} in one layer and {value!r} in another",
        key,
    )
