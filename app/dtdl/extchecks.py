"""Rules of the DTDL extensions checked over a whole Interface: annotation, overriding, MQTT."""

from __future__ import annotations

import re

from twinbench.dtdl.parser import Element, Parser

_DURATION = re.compile(
    r"^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?"
    r"(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$"
)
_TOPIC_SEG = re.compile(r"^(?:[A-Za-z0-9_.\-]+|\{[A-Za-z]+\})$")


def _issue(p: Parser, el: Element, code: str, msg: str, prop: str = "") -> None:
    p.file = el.file
    p.issue(code, msg, el.id, el.path, prop)


def check_extensions(p: Parser, contents_of: dict[str, list[Element]]) -> None:
    """Apply extension rules; `contents_of` maps an Interface DTMI to its inherited contents."""
    for el in list(p.elements.values()):
        cot = set(el.cotypes)
        if "Cacheable" in cot:
            if "Idempotent" not in cot:
                _issue(p, el, "missingCocotype", f"{el.id}: Cacheable needs Idempotent too")
            ttl = el.get("ttl")
            if isinstance(ttl, str) and not _DURATION.match(ttl):
                _issue(
                    p,
                    el,
                    "durationInvalid",
                    f"{el.id}: ttl {ttl!r} is not an ISO 8601 duration",
                    "ttl",
                )
        if "Override" in cot and "ValueAnnotation" not in cot:
            _issue(p, el, "missingCocotype", f"{el.id}: Override needs ValueAnnotation too")
        if "Mqtt" in cot:
            for key in ("telemetryTopic", "commandTopic"):
                topic = el.get(key)
                if isinstance(topic, str) and not all(
                    _TOPIC_SEG.match(seg) for seg in topic.split("/")
                ):
                    _issue(
                        p,
                        el,
                        "stringInvalid",
                        f"{el.id}: {key} {topic!r} is not a valid topic pattern",
                        key,
                    )
    for iface_id, contents in contents_of.items():
        iface = p.elements[iface_id]
        _indexes(p, iface, contents)
        _annotations(p, contents)


def _indexes(p: Parser, iface: Element, contents: list[Element]) -> None:
    seen: set[int] = set()
    for c in contents:
        idx = c.get("index") if "Indexed" in c.cotypes else None
        if idx is None:
            continue
        if idx in seen:
            _issue(
                p,
                iface,
                "nonUniquePropertyValue",
                f"{iface.id}: index {idx} used twice",
                "contents",
            )
            return
        seen.add(idx)


def _annotations(p: Parser, contents: list[Element]) -> None:
    by_name = {c.get("name"): c for c in contents if c.get("name")}
    overridden: set[tuple[str, str]] = set()
    for c in contents:
        if "ValueAnnotation" not in c.cotypes:
            continue
        target = by_name.get(c.get("annotates"))
        if target is None:
            continue
        if target.cls not in ("Property", "Telemetry"):
            _issue(p, c, "notSiblingRequiredType", f"{c.id}: annotates a {target.cls}", "annotates")
            continue
        if "ValueAnnotation" in target.cotypes:
            _issue(p, c, "disallowedType", f"{c.id}: annotates another annotation", "annotates")
            continue
        if "Override" not in c.cotypes:
            continue
        what = c.get("overrides")
        if what is None:
            continue
        if what != "unit":
            _issue(
                p,
                c,
                "matchingPropertyNotSupplemental",
                f"{c.id}: {what!r} cannot be overridden",
                "overrides",
            )
            continue
        if "unit" not in target.values:
            _issue(
                p,
                c,
                "noMatchingSupplementalProperty",
                f"{c.id}: {target.id} has no unit",
                "overrides",
            )
            continue
        key = (target.id, what)
        if key in overridden:
            _issue(
                p,
                c,
                "multipleReference",
                f"{c.id}: {target.id} {what} overridden twice",
                "overrides",
            )
            continue
        overridden.add(key)
        from twinbench.dtdl.cotypes import semantic_types

        sem = semantic_types(target.version, target.context.extensions)
        accepted = set()
        for s in target.cotypes:
            if s in sem:
                accepted |= {sem[s], f"{s}Unit"}
        if c.get("schema") not in accepted:
            _issue(
                p,
                c,
                "siblingPropertyMismatch",
                f"{c.id}: schema {c.get('schema')!r} is not the unit type of {target.id}",
                "schema",
            )
