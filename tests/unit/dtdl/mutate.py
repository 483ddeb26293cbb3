"""Generated DTDL mutants for the differential tests: each rule family, each schema, each place."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

V2_PRIMS = ["boolean", "date", "dateTime", "double", "duration", "float", "integer", "long"]
V2_PRIMS += ["string", "time"]
V4_PRIMS = ["byte", "bytes", "decimal", "short", "unsignedByte", "unsignedInteger"]
V4_PRIMS += ["unsignedLong", "unsignedShort", "uuid"]
GEO = ["point", "lineString", "polygon", "multiPoint", "multiLineString", "multiPolygon"]
ENUM_INT = {
    "@type": "Enum",
    "valueSchema": "integer",
    "enumValues": [{"name": "a", "enumValue": 1}],
}
ENUM_STR = {
    "@type": "Enum",
    "valueSchema": "string",
    "enumValues": [{"name": "a", "enumValue": "a"}],
}
INLINE = {
    "EnumInt": ENUM_INT,
    "EnumStr": ENUM_STR,
    "Object": {"@type": "Object", "fields": [{"name": "f", "schema": "double"}]},
    "Map": {
        "@type": "Map",
        "mapKey": {"name": "k", "schema": "string"},
        "mapValue": {"name": "v", "schema": "double"},
    },
    "Array": {"@type": "Array", "elementSchema": "double"},
}
KINDS: dict[str, Any] = {k: k for k in V2_PRIMS + V4_PRIMS + GEO + ["vector", "Telemetry", "x"]}
KINDS |= INLINE
KINDS["ref"] = "dtmi:com:gen:Shared;1"
SHARED = {
    "@id": "dtmi:com:gen:Shared;1",
    "@type": "Object",
    "fields": [{"name": "s", "schema": "long"}],
}
KEYS = ("@id", "@type", "@context", "name", "schema", "fields", "enumValues", "valueSchema")
KEYS += ("elementSchema", "mapKey", "mapValue", "target", "writable", "unit", "extends")
KEYS += ("contents", "displayName", "request", "response", "enumValue", "schemas", "comment")
WRONG = [42, "nonsense", [], {}, True, None, ["a", "b"], "dtmi:com:other;1", 1.5]


def _iface(version: int, contents: list[Any], **extra: Any) -> dict[str, Any]:
    doc = {"@context": f"dtmi:dtdl:context;{version}", "@id": "dtmi:com:gen:I;1"}
    return {**doc, "@type": "Interface", "contents": contents, **extra}


def _placed(position: str, schema: Any) -> dict[str, Any]:
    """A content that holds `schema` at `position`."""
    s = copy.deepcopy(schema)
    if position == "Telemetry":
        return {"@type": "Telemetry", "name": "c", "schema": s}
    if position == "Property":
        return {"@type": "Property", "name": "c", "schema": s}
    if position == "PropertyField":
        obj = {"@type": "Object", "fields": [{"name": "f", "schema": s}]}
        return {"@type": "Property", "name": "c", "schema": obj}
    if position == "Field":
        obj = {"@type": "Object", "fields": [{"name": "f", "schema": s}]}
        return {"@type": "Telemetry", "name": "c", "schema": obj}
    if position == "MapValue":
        m = copy.deepcopy(INLINE["Map"])
        m["mapValue"]["schema"] = s
        return {"@type": "Telemetry", "name": "c", "schema": m}
    if position == "MapKey":
        m = copy.deepcopy(INLINE["Map"])
        m["mapKey"]["schema"] = s
        return {"@type": "Telemetry", "name": "c", "schema": m}
    if position == "Array":
        return {"@type": "Telemetry", "name": "c", "schema": {"@type": "Array", "elementSchema": s}}
    if position == "Request":
        return {"@type": "Command", "name": "c", "request": {"name": "r", "schema": s}}
    return {"@type": "Command", "name": "c", "response": {"name": "r", "schema": s}}


POSITIONS = ["Telemetry", "Property", "PropertyField", "Field", "MapValue", "MapKey", "Array"]
POSITIONS += ["Request", "Response"]


def schema_cases(rng: random.Random, per_position: int) -> Iterator[tuple[str, list[Any]]]:
    """Every schema kind in every position (a seeded sample of kinds for each position)."""
    for version in (2, 3):
        for pos in POSITIONS:
            names = sorted(KINDS)
            chosen = names if pos in ("Telemetry", "Property") else rng.sample(names, per_position)
            for kind in chosen:
                doc = _iface(version, [_placed(pos, KINDS[kind])], schemas=[SHARED])
                yield f"schema-v{version}-{pos}-{kind}", [doc]


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict]]:
    if isinstance(doc, dict):
        yield path, doc
        for k, v in doc.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _nodes(v, (*path, i))


def _at(docs: list[Any], path: tuple[Any, ...]) -> Any:
    cur: Any = docs
    for p in path:
        cur = cur[p]
    return cur


def _each_value(
    docs: list[Any], nodes: list[Any], key: str, values: list[str], label: str, rng: random.Random
) -> Iterator[tuple[str, Any]]:
    """Each value put, in turn, as `key` of a random element that has a string there."""
    holders = [(p, d) for p, d in nodes if isinstance(d.get(key), str)]
    for i, value in enumerate(values):
        if not holders:
            return
        path, _d = rng.choice(holders)
        m = copy.deepcopy(docs)
        _at(m, path)[key] = value
        yield f"{label}-{i}", m


def base_cases(docs: list[Any], tag: str, rng: random.Random, n: int) -> Iterator[tuple[str, Any]]:
    """Mutants of a self-contained model set: dropped keys, wrong types, names, DTMIs, dupes."""
    nodes = [(p, d) for p, d in _nodes(docs) if p]
    slots = [(p, k) for p, d in nodes for k in d if k in KEYS]
    for i, (path, key) in enumerate(rng.sample(slots, min(n, len(slots)))):
        m = copy.deepcopy(docs)
        del _at(m, path)[key]
        yield f"{tag}-drop-{i}-{key}", m
    for i, (path, key) in enumerate(rng.sample(slots, min(n, len(slots)))):
        m = copy.deepcopy(docs)
        _at(m, path)[key] = rng.choice(WRONG)
        yield f"{tag}-wrong-{i}-{key}", m
    names = ["a" * 64, "a" * 65, "a" * 512, "a" * 513, "a-b", "_a", "a_", "1a"]
    yield from _each_value(docs, nodes, "name", names, f"{tag}-name", rng)
    bad = ["dtmi:com:Bad", "dtmi:com:bad;0", "dtmi:dtdl:foo;1", "dtmi:com:x_;1", "dtmi:com:1x;1"]
    bad += ["urn:x:y", "dtmi:com:x;1#frag", "dtmi:com:" + "a" * 120 + ";1", "dtmi:com:x;1.2"]
    bad += ["dtmi:com:" + "a" * 2050 + ";1", "dtmi:standard:x;1", "dtmi:com:x;999999999"]
    yield from _each_value(docs, nodes, "@id", bad, f"{tag}-dtmi", rng)
    keys = ("contents", "fields", "enumValues")
    lists = [(p, d, k) for p, d in nodes for k in keys if isinstance(d.get(k), list) and d[k]]
    for i, (path, _d, key) in enumerate(rng.sample(lists, min(4, len(lists)))):
        m = copy.deepcopy(docs)
        items = _at(m, path)[key]
        items.append(copy.deepcopy(items[0]))
        yield f"{tag}-dup-{i}-{key}", m


ADDED = [
    {"@type": "Component", "name": "selfc", "schema": "ROOT"},
    {"@type": "Component", "name": "miss", "schema": "dtmi:com:nowhere:X;1"},
    {"@type": "Relationship", "name": "rel", "target": "ROOT", "maxMultiplicity": 0},
    {"@type": "Property", "name": "pp", "schema": {"@type": "Array", "elementSchema": "double"}},
    {"@type": ["Telemetry", "Historized"], "name": "hh", "schema": "double"},
    {"@type": "Telemetry", "name": "dd", "schema": "double", "description": "x" * 513},
    {"@type": "Command", "name": "cmd", "request": [], "response": None},
]
CONTEXTS = [
    ["dtmi:dtdl:context;2", "dtmi:x:ext;1"],
    ["dtmi:dtdl:context;3"],
    ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"],
    ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"],
    ["a", "b"],
    [1.5],
]


def shape_cases(docs: list[Any], tag: str) -> Iterator[tuple[str, Any]]:
    """Contents added, retyped and extended, and contexts swapped, on the first Interface."""
    root = docs[0]
    rid = root["@id"]
    for i, extra in enumerate(ADDED):
        m = copy.deepcopy(docs)
        contents = m[0].get("contents", [])
        contents = contents if isinstance(contents, list) else [contents]
        contents.append(json.loads(json.dumps(extra).replace("ROOT", rid)))
        m[0]["contents"] = contents
        yield f"{tag}-add-{i}", m
    for i, ext in enumerate([rid, "dtmi:com:nowhere:Y;1", {"@type": "Interface"}]):
        m = copy.deepcopy(docs)
        m[0]["extends"] = ext
        yield f"{tag}-extends-{i}", m
    for t in ("Component", "Command", "Relationship", "Field", "dtmi:com:x:T;1"):
        m = copy.deepcopy(docs)
        contents = m[0].get("contents")
        if isinstance(contents, list) and contents and isinstance(contents[0], dict):
            contents[0]["@type"] = t
            yield f"{tag}-retype-{t}", m
    for i, ctx in enumerate(CONTEXTS):
        m = copy.deepcopy(docs)
        m[0]["@context"] = ctx
        yield f"{tag}-context-{i}", m


def structure_cases() -> Iterator[tuple[str, list[Any]]]:
    """Cycles in extends, components and schemas; extends chains and schema nesting by depth."""
    for version in (2, 3):
        a = _iface(version, [], extends="dtmi:com:gen:B;1")
        b = dict(_iface(version, []), **{"@id": "dtmi:com:gen:B;1", "extends": "dtmi:com:gen:I;1"})
        yield f"cycle-extends-v{version}", [a, b]
        yield f"cycle-self-v{version}", [_iface(version, [], extends="dtmi:com:gen:I;1")]
        comp = {"@type": "Component", "name": "c", "schema": "dtmi:com:gen:I;1"}
        yield f"cycle-component-v{version}", [_iface(version, [comp])]
        loop = {"@id": "dtmi:com:gen:S;1", "@type": "Object"}
        loop["fields"] = [{"name": "f", "schema": "dtmi:com:gen:S;1"}]
        tel = {"@type": "Telemetry", "name": "t", "schema": "dtmi:com:gen:S;1"}
        yield f"cycle-schema-v{version}", [_iface(version, [tel], schemas=[loop])]
        for depth in (10, 11, 12):
            chain = [_iface(version, [])]
            for k in range(1, depth):
                chain[-1]["extends"] = f"dtmi:com:gen:E{k};1"
                chain.append(dict(_iface(version, []), **{"@id": f"dtmi:com:gen:E{k};1"}))
            yield f"extends-depth-{depth}-v{version}", chain
        for leaf in ("integer", "EnumInt", "Array", "Map", "point", "polygon"):
            for depth in (4, 5, 6):
                s = KINDS[leaf]
                for i in range(depth):
                    s = {"@type": "Object", "fields": [{"name": f"f{i}", "schema": s}]}
                tel = {"@type": "Telemetry", "name": "t", "schema": s}
                yield f"depth-{leaf}-{depth}-v{version}", [_iface(version, [tel])]


def generated(bases: dict[str, list[Any]], seed: int = 1, per_base: int = 12) -> list[Any]:
    """All generated mutants: (id, list of Interface documents)."""
    rng = random.Random(seed)
    out = list(schema_cases(rng, 6))
    for tag, docs in sorted(bases.items()):
        out.extend(base_cases(docs, tag, rng, per_base))
        out.extend(shape_cases(docs, tag))
    out.extend(structure_cases())
    return out


def load_bases(root: Path, oracle: dict[str, Any]) -> dict[str, list[Any]]:
    """The self-contained model sets the mutants of `oracle.json` were made from."""
    out: dict[str, list[Any]] = {}
    for tag, files in oracle["bases"].items():
        docs = []
        for f in files:
            rel = f.split("dtdl/models/", 1)[1]
            docs.append(json.loads((root / rel).read_text(encoding="utf-8-sig")))
        out[tag] = docs
    return out
