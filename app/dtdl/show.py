"""What the parser understood of an Interface, as a JSON-ready tree and as indented text."""

from __future__ import annotations

from typing import Any

from twinbench.dtdl.model import Content, Interface, ModelSet, Schema


def ancestors(models: ModelSet, iface: Interface) -> list[str]:
    """Every Interface `iface` extends, directly or not, nearest first, each once."""
    out: list[str] = []
    todo = list(iface.extends)
    while todo:
        cur = todo.pop(0)
        if cur in out:
            continue
        out.append(cur)
        if cur in models:
            todo.extend(models[cur].extends)
    return out


def schema_tree(s: Schema | None) -> Any:
    """A schema as JSON: a primitive name, or a dict for Enum/Object/Map/Array."""
    if s is None:
        return None
    if s.kind == "Enum":
        return {"kind": "Enum", "id": s.id, "values": [{"name": n, "value": v} for n, v in s.enum]}
    if s.kind == "Object":
        fields = []
        for name, sub in s.fields:
            sem, unit = s.field_unit(name)
            f: dict[str, Any] = {"name": name, "schema": schema_tree(sub)}
            if sem:
                f["semanticType"] = sem
            if unit:
                f["unit"] = unit
            fields.append(f)
        return {"kind": "Object", "id": s.id, "fields": fields}
    if s.kind in ("Map", "Array"):
        key = "mapValue" if s.kind == "Map" else "elementSchema"
        return {"kind": s.kind, "id": s.id, key: schema_tree(s.element)}
    return s.kind


def content_tree(c: Content) -> dict[str, Any]:
    """One content as JSON, with only the facts that apply to its kind."""
    out: dict[str, Any] = {"kind": c.kind, "name": c.name, "id": c.id}
    if c.kind in ("Telemetry", "Property"):
        out["schema"] = schema_tree(c.schema)
    if c.semantic:
        out["semanticType"] = c.semantic
    if c.unit:
        out["unit"] = c.unit
    if c.kind == "Property":
        out["writable"] = c.writable
    if c.kind == "Command":
        for key, payload in (("request", c.request), ("response", c.response)):
            if payload is not None:
                out[key] = {"name": payload[0], "schema": schema_tree(payload[1])}
    if c.kind == "Component":
        out["schema"] = c.interface
    if c.display_name:
        out["displayName"] = c.display_name
    return out


def interface_tree(models: ModelSet, dtmi: str) -> dict[str, Any]:
    """The Interface `dtmi` as JSON: version, flattened extends, contents, and its components."""
    iface = models[dtmi]
    out: dict[str, Any] = {
        "id": iface.id,
        "dtdlVersion": iface.version,
        "displayName": iface.display_name,
        "extends": ancestors(models, iface),
        "contents": [content_tree(c) for c in iface.contents],
    }
    comps = {c.interface for c in iface.of("Component") if c.interface in models}
    out["components"] = {d: interface_tree(models, d) for d in sorted(comps)}
    return out


def _schema_text(s: Any) -> str:
    return s if isinstance(s, str) else s["kind"] if isinstance(s, dict) else "?"


def _tags(d: dict[str, Any]) -> str:
    tags = [d[k] for k in ("semanticType", "unit") if d.get(k)]
    if d.get("writable"):
        tags.append("writable")
    return f" [{', '.join(tags)}]" if tags else ""


def _schema_lines(s: Any, indent: str) -> list[str]:
    if not isinstance(s, dict):
        return []
    out: list[str] = []
    if s["kind"] == "Enum":
        out.extend(f"{indent}{v['name']} = {v['value']!r}" for v in s["values"])
    elif s["kind"] == "Object":
        for f in s["fields"]:
            out.append(f"{indent}{f['name']}: {_schema_text(f['schema'])}{_tags(f)}")
            out.extend(_schema_lines(f["schema"], indent + "  "))
    else:
        sub = s.get("mapValue", s.get("elementSchema"))
        label = "value" if s["kind"] == "Map" else "element"
        out.append(f"{indent}{label}: {_schema_text(sub)}")
        out.extend(_schema_lines(sub, indent + "  "))
    return out


def render(tree: dict[str, Any], indent: str = "") -> list[str]:
    """An interface tree as indented text lines."""
    head = f"{indent}{tree['id']} (DTDL v{tree['dtdlVersion']})"
    out = [head + (f" {tree['displayName']!r}" if tree["displayName"] else "")]
    if tree["extends"]:
        out.append(f"{indent}  extends: {', '.join(tree['extends'])}")
    for c in tree["contents"]:
        schema = c.get("schema")
        what = f": {_schema_text(schema)}" if schema is not None else ""
        out.append(f"{indent}  {c['kind']} {c['name']}{what}{_tags(c)}")
        if c["kind"] != "Component":
            out.extend(_schema_lines(schema, indent + "    "))
        for key in ("request", "response"):
            if key in c:
                p = c[key]
                out.append(f"{indent}    {key} {p['name']}: {_schema_text(p['schema'])}")
                out.extend(_schema_lines(p["schema"], indent + "      "))
    for sub in tree["components"].values():
        out.extend(render(sub, indent + "  "))
    return out
