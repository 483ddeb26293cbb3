"""Whole-model rules checked once every document is parsed: references, extends, depth, names."""

from __future__ import annotations

from twinbench.dtdl.metamodel import COMPLEX, NUMERIC
from twinbench.dtdl.parser import Element, Parser

_SCHEMA_KEYS = {"Array": ("elementSchema",), "Map": ("mapValue",), "Object": ("fields",)}
_SUB_SCHEMA = {"MapValue": "schema", "Field": "schema"}
# the geospatial schemas are Objects holding nested Arrays: their depth, as the parser counts it
_GEO_DEPTH = {
    "point": 2,
    "lineString": 3,
    "multiPoint": 3,
    "polygon": 4,
    "multiLineString": 4,
    "multiPolygon": 5,
}


def check_all(p: Parser, unresolved_ok: bool = False) -> list[str]:
    """Apply the whole-model rules; returns the DTMIs that no document defines.

    DTDLParser 1.1 works in stages and stops at the first that finds a problem: elements parsed
    one by one (parser.py, and names here), then references resolved (an unresolved one is a
    Resolution error) and checked for their types, then the rules on the whole model.
    """
    _names(p)
    parsed_clean = not p.issues
    staged = len(p.issues)
    p.issues.extend(p.deferred)
    unresolved = _references(p)
    referenced = len(p.issues)
    _extends(p)
    _schemas(p)
    _components(p)
    _narrow_recursion(p)
    _semantics(p)
    from twinbench.dtdl.extchecks import check_extensions

    check_extensions(
        p,
        {e.id: inherited_contents(p, e) for e in list(p.elements.values()) if e.cls == "Interface"},
    )
    late = p.issues[staged:]
    if unresolved or not parsed_clean:
        # co-type pairs excepted: DTDLParser 1.1 checks those while parsing
        p.issues[staged:] = [i for i in late if i.code == "missingCocotype"]
    elif referenced > staged:
        rest = p.issues[referenced:]
        p.issues[referenced:] = [i for i in rest if i.code == "missingCocotype"]
    if p.halted_at is not None:  # DTDLParser 1.1 stops at the first element it cannot identify
        del p.issues[p.halted_at :]
    return unresolved


def _references(p: Parser) -> list[str]:
    missing: list[str] = []
    for r in p.refs:
        el = p.elements.get(r.target)
        if el is None:
            if r.target.startswith(("dtmi:dtdl:", "dtmi:standard:", "dtmi:iotcentral:")):
                p.file = r.file
                p.issue(
                    "undefinedReservedId",
                    f"{r.target} is reserved and defined nowhere",
                    r.source,
                    r.path,
                    r.prop,
                )
            elif r.target not in missing:
                missing.append(r.target)
            continue
        if el.cls not in r.classes:
            p.file = r.file
            src = p.elements.get(r.source)
            v2 = src is not None and src.version == 2
            p.issue(
                ("notRequiredType" if v2 else "wrongParent") if r.prop == "unit" else "badType",
                f"{r.prop!r} refers to {r.target}, a {el.cls}, not a {' or '.join(r.classes)}",
                r.source,
                r.path,
                r.prop,
            )
            continue
        src = p.elements.get(r.source)
        if src is None:
            continue
        if el.cls == "Interface" and src.version == 2 and el.version == 3:
            p.file = r.file
            p.issue(
                "disallowedVersionReference",
                f"a DTDL v2 element refers to the v3 {el.id}",
                r.source,
                r.path,
                r.prop,
            )
        elif el.cls != "Interface" and _partition(p, el) != _partition(p, src):
            p.file = r.file
            p.issue(
                "crossPartitionReference",
                f"{r.prop!r} refers to {r.target}, defined in another Interface",
                r.source,
                r.path,
                r.prop,
            )
    return missing


def _partition(p: Parser, el: Element) -> str:
    """The Interface an element is defined in (itself for an Interface)."""
    cur: Element | None = el
    while cur is not None and cur.cls != "Interface":
        cur = p.elements.get(cur.parent or "")
    return cur.id if cur is not None else ""


def _parents_extends(p: Parser, el: Element) -> list[str]:
    return [x for x in (el.get("extends") or []) if x in p.elements]


def _extends(p: Parser) -> None:
    for el in list(p.elements.values()):
        if el.cls != "Interface":
            continue
        # depth and cycles, depth-first
        stack = [(el.id, 1, (el.id,))]
        seen: set[str] = set()
        while stack:
            cur, depth, trail = stack.pop()
            for nxt in _parents_extends(p, p.elements[cur]):
                if nxt in trail:
                    p.file = el.file
                    p.issue(
                        "recursiveStructureNarrow",
                        f"{el.id} extends itself through {nxt}",
                        el.id,
                        el.path,
                        "extends",
                    )
                    return
                if depth + 1 > 11:
                    p.file = el.file
                    p.issue(
                        "excessiveDepthNarrow",
                        f"{el.id}: extends is deeper than 10 levels",
                        el.id,
                        el.path,
                        "extends",
                    )
                    stack.clear()
                    break
                if (nxt, depth) not in seen:
                    seen.add(nxt)
                    stack.append((nxt, depth + 1, (*trail, nxt)))


def inherited_contents(p: Parser, iface: Element) -> list[Element]:
    """Contents of an Interface including those of the Interfaces it extends (each once)."""
    out: list[Element] = []
    seen: set[str] = set()
    todo = [iface.id]
    while todo:
        cur = todo.pop(0)
        if cur in seen or cur not in p.elements:
            continue
        seen.add(cur)
        el = p.elements[cur]
        out.extend(p.elements[c] for c in (el.get("contents") or []) if c in p.elements)
        todo.extend(el.get("extends") or [])
    return out


def _names(p: Parser) -> None:
    for el in list(p.elements.values()):
        if el.cls == "Interface":
            own_list = list(el.get("contents") or [])
            own = set(own_list)
            dup_explicit = {d.id for d in p.duplicates if d.explicit_id}
            if len(own) < len(own_list) and not own & dup_explicit:  # generated ids collided
                p.file = el.file
                p.issue(
                    "nonUniquePropertyValue",
                    f"{el.id}: a name is used twice in contents",
                    el.id,
                    el.path,
                    "contents",
                )
                continue
            names: dict[str, str] = {}
            for c in inherited_contents(p, el):
                n = c.get("name")
                if n is None:
                    continue
                other = p.elements.get(names.get(n, ""))
                layered = any(
                    x.explicit_id and x.fragment and not x.layer
                    for x in (c, other)
                    if x is not None
                )
                if other is not None and other.id != c.id and not layered:
                    code = (
                        "nonUniquePropertyValue"
                        if c.id in own and names[n] in own
                        else ("nonUniqueImportedPropertyValue")
                    )
                    p.file = el.file
                    p.issue(
                        code,
                        f"{el.id}: name {n!r} is used twice in contents",
                        el.id,
                        el.path,
                        "contents",
                    )
                    break
                names[n] = c.id
        dup_ids = {d.id for d in p.duplicates if d.explicit_id}
        for key in ("fields", "enumValues", "properties"):
            listed = list(el.get(key) or [])
            if len(set(listed)) < len(listed) and not set(listed) & dup_ids:
                # two children with one name got one generated @id
                p.file = el.file
                p.issue(
                    "nonUniquePropertyValue", f"{el.id}: {key} repeat a name", el.id, el.path, key
                )
                continue
            kids = [p.elements[k] for k in dict.fromkeys(listed) if k in p.elements]
            _unique(p, el, key, [k.get("name") for k in kids])
            if key == "enumValues":
                _unique(p, el, key, [k.get("enumValue") for k in kids])
                vs = el.get("valueSchema")
                for k in kids:
                    v = k.get("enumValue")
                    if v is None or vs is None:
                        continue
                    ok = isinstance(v, str) if vs == "string" else isinstance(v, int)
                    if not ok:
                        p.file = el.file
                        p.issue(
                            "nonConformantDatatype",
                            f"enumValue {v!r} is not {vs}",
                            k.id,
                            k.path,
                            "enumValue",
                        )


def _unique(p: Parser, el: Element, key: str, values: list[object]) -> None:
    seen: set[object] = set()
    for v in values:
        if v is None:
            continue
        if v in seen:
            p.file = el.file
            p.issue("nonUniquePropertyValue", f"{el.id}: {key} repeats {v!r}", el.id, el.path, key)
            return
        seen.add(v)


def _schema_children(p: Parser, el: Element) -> list[str]:
    out: list[str] = []
    for key in _SCHEMA_KEYS.get(el.cls, ()):
        val = el.get(key)
        for v in val if isinstance(val, list) else [val]:
            sub = p.elements.get(v) if isinstance(v, str) else None
            if sub is not None and sub.cls in _SUB_SCHEMA:
                v = sub.get("schema")
            if isinstance(v, str):
                out.append(v)
    return out


def _schema_depth(p: Parser, sid: str, trail: tuple[str, ...]) -> int:
    """Nesting depth of Arrays, Maps and Objects (an Enum adds none; geospatial ones do)."""
    if sid in _GEO_DEPTH:
        return _GEO_DEPTH[sid]
    el = p.elements.get(sid)
    if el is None or el.cls not in COMPLEX or el.cls == "Enum":
        return 0
    if sid in trail:
        raise RecursionError(sid)
    kids = _schema_children(p, el)
    return 1 + max((_schema_depth(p, k, (*trail, sid)) for k in kids), default=0)


def schema_contains(p: Parser, sid: str, cls: str, trail: tuple[str, ...] = ()) -> bool:
    """Whether schema `sid` is or contains a schema of class `cls`."""
    if cls in ("Array", "Object") and sid in _GEO_DEPTH:
        return True
    el = p.elements.get(sid)
    if el is None or sid in trail:
        return False
    if el.cls == cls:
        return True
    return any(schema_contains(p, k, cls, (*trail, sid)) for k in _schema_children(p, el))


def _schemas(p: Parser) -> None:
    for el in list(p.elements.values()):
        if el.cls not in COMPLEX:
            continue
        try:
            depth = _schema_depth(p, el.id, ())
        except RecursionError:
            p.file = el.file
            p.issue("recursiveStructureWide", f"schema {el.id} contains itself", el.id, el.path)
            continue
        if depth > 5 and (el.parent is None or p.elements.get(el.parent, el).cls not in COMPLEX):
            p.file = el.file
            p.issue(
                "excessiveDepthWide", f"schema {el.id} nests deeper than 5 levels", el.id, el.path
            )
    for el in list(p.elements.values()):
        if el.cls == "Property" and el.version == 2:
            s = el.get("schema")
            if isinstance(s, str) and schema_contains(p, s, "Array"):
                p.file = el.file
                p.issue(
                    "excludedType",
                    f"Property {el.id}: a v2 Property schema may not contain an Array",
                    el.id,
                    el.path,
                    "schema",
                )


_NARROW_KEYS = ("contents", "fields", "enumValues", "request", "response", "properties")
_NARROW_KEYS += ("schema", "elementSchema", "mapValue", "extends")


def _cycle_members(graph: dict[str, list[str]]) -> set[str]:
    """Nodes that lie on a cycle (strongly connected components of two or more, or self-loops)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in graph:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(graph[nxt])))
    back: dict[str, list[str]] = {n: [] for n in graph}
    for n, outs in graph.items():
        for m in outs:
            back[m].append(n)
    out: set[str] = set()
    done: set[str] = set()
    for root in reversed(order):
        if root in done:
            continue
        comp, todo = [], [root]
        done.add(root)
        while todo:
            n = todo.pop()
            comp.append(n)
            for m in back[n]:
                if m not in done:
                    done.add(m)
                    todo.append(m)
        if len(comp) > 1 or root in graph[root]:
            out.update(comp)
    return out


def _narrow_recursion(p: Parser) -> None:
    """DTDL v3: no element may contain itself through contents, fields, schemas and the like."""
    graph: dict[str, list[str]] = {}
    for el in p.elements.values():
        if el.version != 3:
            continue
        outs: list[str] = []
        for key in _NARROW_KEYS:
            val = el.get(key)
            for v in val if isinstance(val, list) else [val]:
                if isinstance(v, str) and v in p.elements and p.elements[v].version == 3:
                    outs.append(v)
        graph[el.id] = outs
    # only what an Interface holds counts (a schema merely listed in `schemas` does not)
    reach = {e for e in graph if p.elements[e].cls == "Interface"}
    todo = list(reach)
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt in graph and nxt not in reach:
                reach.add(nxt)
                todo.append(nxt)
    graph = {e: [v for v in outs if v in reach] for e, outs in graph.items() if e in reach}
    members = _cycle_members(graph)
    if members:  # reported once, on an Interface of the cycle where there is one
        el = min((p.elements[m] for m in members), key=lambda e: (e.cls != "Interface", e.id))
        p.file = el.file
        p.issue("recursiveStructureNarrow", f"{el.id} contains itself", el.id, el.path, "contents")


def _components(p: Parser) -> None:
    for el in list(p.elements.values()):
        if el.cls != "Component":
            continue
        target = p.elements.get(el.get("schema") or "")
        if target is None:
            continue
        if any(c.cls == "Component" for c in inherited_contents(p, target)):
            p.file = el.file
            p.issue(
                "excludedType",
                f"Component {el.id}: its Interface holds a Component",
                el.id,
                el.path,
                "schema",
            )


def _iotcentral(p: Parser, el: Element) -> None:
    from twinbench.dtdl.cotypes import IOTCENTRAL_SCHEMA_RULE

    for cot in el.cotypes:
        if cot not in IOTCENTRAL_SCHEMA_RULE or "iotcentral" not in el.context.extensions:
            continue
        need, code = IOTCENTRAL_SCHEMA_RULE[cot]
        s = el.get("schema")
        target = p.elements.get(s) if isinstance(s, str) else None
        ok = s is None or s in need.split() or (target is not None and target.cls == need)
        if not ok:
            p.file = el.file
            p.issue(
                code,
                f"{el.id}: a {cot} needs schema {' or '.join(need.split())}",
                el.id,
                el.path,
                "schema",
            )


def _semantics(p: Parser) -> None:
    from twinbench.dtdl.cotypes import IOTCENTRAL_UNIT_TYPES

    for el in list(p.elements.values()):
        _iotcentral(p, el)
        if "unit" not in el.values or set(el.cotypes) & set(IOTCENTRAL_UNIT_TYPES):
            continue
        s = el.get("schema")
        if isinstance(s, str) and s not in NUMERIC:
            p.file = el.file
            p.issue(
                "notRequiredType",
                f"{el.id}: a semantic type needs a numeric schema",
                el.id,
                el.path,
                "schema",
            )
