"""Literal property values of DTDL elements: strings, language maps, booleans, integers."""

from __future__ import annotations

from typing import Any

from twinbench.dtdl.dtmi import NAME_RE
from twinbench.dtdl.metamodel import Prop

Problem = tuple[str, str]  # (code, message)
ABSENT = object()  # an empty list: the property is treated as not given
_XSD = {"string": "xsd:string", "boolean": "xsd:boolean", "integer": "xsd:integer"}
_LANG = __import__("re").compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def unwrap(prop: Prop, raw: Any, version: int = 3) -> tuple[Any, list[Problem]]:
    """Strip a one-item list and a JSON-LD value object from a literal value."""
    kind = prop.kind
    if isinstance(raw, list):
        if len(raw) != 1:
            code = {
                "string": "stringMultipleValues",
                "boolean": "booleanMultipleValues",
                "literal": "literalMultipleValues",
            }.get(kind, "integerMultipleValues")
            if len(raw) == 0:
                if not prop.required:
                    return ABSENT, []
                return None, [(code.replace("MultipleValues", "CountBelowMin"), "no value")]
            return None, [(code, f"{prop.name!r} takes one value, got {len(raw)}")]
        raw = raw[0]
    if isinstance(raw, dict):
        lenient = ("@value", "@type", "@language") if version == 2 else ("@value", "@type")
        extra = [
            k
            for k in raw
            if k not in lenient
            and not (version == 2 and k.startswith("@") and k not in ("@context", "@graph", "@id"))
        ]
        stem = {"string": "string", "boolean": "boolean"}.get(kind, "integer")
        for k in extra:
            code = {
                "@context": "valueObjectContext",
                "@graph": "valueObjectGraph",
                "@id": "valueObjectId",
                "@language": "valueObjectLanguage",
            }.get(k, "valueObjectKeyword" if k.startswith("@") else "valueObjectInvalidProp")
            probs = [(code, f"{prop.name!r}: value object may not hold {k!r}")]
            if "@value" not in raw:
                probs.append((f"{stem}ObjectNoValue", f"{prop.name!r}: no @value"))
            return None, probs
        if "@type" in raw and not isinstance(raw["@type"], str):
            probs = [("literalTypeNotSingular", f"{prop.name!r}: @type must be one type")]
            if kind == "literal":
                probs.insert(0, ("literalNotValid", f"{prop.name!r}: no literal type"))
            return None, probs
        if "@value" not in raw:
            if kind == "literal":
                return None, [
                    ("literalNotValid", f"{prop.name!r} must be an integer or a string"),
                    ("literalObjectNoValue", f"{prop.name!r}: value object has no @value"),
                ]
            stem = {"string": "string", "boolean": "boolean"}.get(kind, "integer")
            return None, [(f"{stem}ObjectNoValue", f"{prop.name!r}: value object has no @value")]
        t = raw.get("@type")
        if kind == "literal":
            val = raw["@value"]
            bad = [("literalNotValid", f"{prop.name!r}: {val!r} is not an integer or string")]
            if t == "xsd:boolean" or isinstance(val, bool):
                if not isinstance(val, bool):
                    bad.append(("booleanValueNotBoolean", f"{prop.name!r}: {val!r}"))
                return None, bad
            if t == "xsd:string" and not isinstance(val, str):
                return None, [*bad, ("stringValueNotString", f"{prop.name!r}: {val!r}")]
            if t == "xsd:integer" and not isinstance(val, int):
                return None, [*bad, ("integerValueNotInteger", f"{prop.name!r}: {val!r}")]
            if t is not None and t not in _XSD.values():
                return None, bad
            return val, []
        want = _XSD.get(kind)
        if t is not None and want is not None and t != want:
            return None, [
                (f"{kind}TypeNot{kind.title()}", f"{prop.name!r}: @type {t!r} is not {want}")
            ]
        val = raw["@value"]
        if kind in _XSD and not _is(kind, val):
            return None, [
                (f"{kind}ValueNot{kind.title()}", f"{prop.name!r}: {val!r} is not a {kind}")
            ]
        return val, []
    return raw, []


def _is(kind: str, val: Any) -> bool:
    if kind == "string":
        return isinstance(val, str)
    if kind == "boolean":
        return isinstance(val, bool)
    return isinstance(val, int) and not isinstance(val, bool)


def check_literal(prop: Prop, raw: Any, version: int = 3) -> tuple[Any, list[Problem]]:
    """Validate a string, boolean or integer property value; returns (value, problems)."""
    kind = prop.kind
    if raw is None:  # DTDLParser 1.1 names the type the null is not
        if kind in ("string", "boolean", "integer"):
            return None, [(f"{kind}Not{kind.title()}", f"{prop.name!r} is null")]
        if kind == "literal":
            return None, [("literalNotValid", f"{prop.name!r} must be an integer or a string")]
        return None, [("propertyValueNull", f"{prop.name!r} may not be null")]
    val, probs = unwrap(prop, raw, version)
    if probs or val is ABSENT:
        return val, probs
    if kind == "literal":
        if isinstance(val, bool | float):  # a JSON value, of a type an enum cannot hold
            return None, [("nonConformantDatatype", f"{prop.name!r}: {val!r} is not allowed")]
        if not isinstance(val, int | str):
            return None, [("literalNotValid", f"{prop.name!r} must be an integer or a string")]
        return val, []
    if not _is(kind, val):
        return None, [(f"{kind}Not{kind.title()}", f"{prop.name!r}: {val!r} is not a {kind}")]
    if kind == "string":
        if prop.max_len is not None and len(val) > prop.max_len:
            return None, [("stringTooLong", f"{prop.name!r} is longer than {prop.max_len}")]
        if prop.pattern and not NAME_RE.match(val):
            return None, [
                (
                    "stringInvalid",
                    f"{prop.name!r} {val!r} must start with a letter, hold only letters, digits "
                    "and underscores, and end with a letter or digit",
                )
            ]
    if kind == "integer":
        lo, hi = prop.min_value, prop.max_value
        if lo is not None and lo == hi and val != lo:
            return None, [("valueNotExact", f"{prop.name!r} must be {lo}, not {val}")]
        out: list[Problem] = []
        if (lo is not None and val < lo) or (val < 0 and (lo is None or lo >= 0)):
            # DTDLParser 1.1 names it by version: below the range (v2), below the minimum (v3)
            code = "valueBelowRange" if version == 2 else "valueBelowMin"
            out.append((code, f"{prop.name!r} {val} is below {lo or 0}"))
        if hi is not None and val > hi:
            out.append(("valueAboveRange", f"{prop.name!r} {val} is above {hi}"))
        if out:
            return None, out
    return val, []


def check_langstring(
    prop: Prop, raw: Any, version: int = 3
) -> tuple[dict[str, str] | None, list[Problem]]:
    """Validate a localizable string (string, language map or list of value objects)."""
    limit = prop.max_len or 512
    out: dict[str, str] = {}
    if isinstance(raw, str):
        out["en"] = raw
    elif isinstance(raw, dict):
        if set(raw) == {"@value", "@language"}:
            return None, [("langTagValueInLangMap", f"{prop.name!r}: use a language map")]
        probs: dict[str, Problem] = {}  # each kind of problem once, as DTDLParser 1.1
        for code, text in raw.items():
            if code.startswith("@"):
                msg = f"{prop.name!r}: {code!r} in a language map"
                probs.setdefault("kw", ("langMapObjKeyword", msg))
                continue
            if not _LANG.match(code):
                msg = f"{prop.name!r}: bad language {code!r}"
                probs.setdefault("code", ("langStringInvalidCode", msg))
            if not isinstance(text, str):
                msg = f"{prop.name!r}[{code}] not a string"
                probs.setdefault("text", ("langStringValueNotString", msg))
            elif len(text) > limit:
                msg = f"{prop.name!r}[{code}] is longer than {limit}"
                probs.setdefault("long", ("langStringValueTooLong", msg))
            out[code] = text
        if probs:
            return None, list(probs.values())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, str):
                code, text = "en", item
            elif isinstance(item, dict):
                for k in item:
                    if (
                        version == 2
                        and k.startswith("@")
                        and k not in ("@context", "@graph", "@id")
                    ):
                        continue
                    if k not in ("@value", "@language"):
                        suffix = {
                            "@context": "Context",
                            "@graph": "Graph",
                            "@id": "Id",
                            "@type": "Type",
                        }.get(k, "Keyword" if k.startswith("@") else "InvalidProp")
                        probs = [(f"langStringElement{suffix}", f"{prop.name!r}: {k!r}")]
                        if "@value" not in item:
                            probs.append(("langStringElementNoValue", f"{prop.name!r}: no @value"))
                        return None, probs
                if "@value" not in item:
                    return None, [("langStringElementNoValue", f"{prop.name!r}: no @value")]
                text = item["@value"]
                code = item.get("@language", "en")
                if not isinstance(text, str):
                    return None, [("langStringElementValueNotString", f"{prop.name!r}: not text")]
                if not isinstance(code, str):
                    return None, [
                        ("langStringElementCodeNotString", f"{prop.name!r}: bad code"),
                        ("langStringElementInvalidCode", f"{prop.name!r}: bad code"),
                    ]
                if not _LANG.match(code):
                    return None, [("langStringElementInvalidCode", f"{prop.name!r}: {code!r}")]
            else:
                return None, [("langStringElementNotStringOrObject", f"{prop.name!r}: {item!r}")]
            if code in out:
                return None, [("langStringElementCodeNotUnique", f"{prop.name!r}: {code} twice")]
            out[code] = text
    else:
        return None, [("langStringElementNotStringOrObject", f"{prop.name!r}: {raw!r}")]
    for code, text in out.items():
        if len(text) > limit:
            return None, [
                ("langStringValueTooLong", f"{prop.name!r}[{code}] is longer than {limit}")
            ]
    return out, []
