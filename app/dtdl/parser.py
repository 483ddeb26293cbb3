"""Reads DTDL v2/v3 JSON-LD documents into elements, recording every broken rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from twinbench.dtdl import cotypes as ct
from twinbench.dtdl.context import Context, read_context
from twinbench.dtdl.dtmi import (
    MAX_INTERFACE_DTMI,
    MAX_USER_DTMI,
    RESERVED_PREFIXES,
    child_id,
    is_dtmi,
    is_user_dtmi,
    is_valid_for,
)
from twinbench.dtdl.issues import Issue
from twinbench.dtdl.literals import ABSENT, check_langstring, check_literal
from twinbench.dtdl.metamodel import (
    GEOSPATIAL,
    METAMODEL,
    PRIMITIVES_V2,
    PRIMITIVES_V3,
    ElementClass,
    Prop,
)
from twinbench.dtdl.units import V2_SEMANTIC_TYPES, V2_UNITS, V3_SEMANTIC_TYPES, V3_UNITS

_KNOWN_TERMS = frozenset(
    {n for v in METAMODEL.values() for c in v.values() for n in (c.name, *c.props)}
)
_UNIT_TYPES = frozenset(V2_UNITS) | frozenset(V3_UNITS)
_CLASS_TERMS = frozenset(
    {
        "Unit",
        "UnitType",
        "Schema",
        "ComplexSchema",
        "Content",
        "Entity",
        "NamedEntity",
        "PrimitiveSchema",
        "NumericSchema",
        "TemporalSchema",
        "SemanticType",
        "CommandType",
        "LatentType",
        "AdjunctType",
        "Boolean",
        "Date",
        "DateTime",
        "Double",
        "Duration",
        "Float",
        "Integer",
        "Long",
        "String",
        "Time",
        "Byte",
        "Bytes",
        "Decimal",
        "Short",
        "UnsignedByte",
        "UnsignedInteger",
        "UnsignedLong",
        "UnsignedShort",
        "Uuid",
        "CommandPayload",
        "CommandRequest",
        "CommandResponse",
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
    }
)
_V2_TERMS = _KNOWN_TERMS | _CLASS_TERMS | frozenset(V2_SEMANTIC_TYPES) | frozenset(V2_UNITS)


_ALIAS = __import__("re").compile(
    r"^dtmi:dtdl:(?:property|extension:\w+:v\d+:property|extension:\w+:v\d+:\w+):(\w+)(?:;\d+)?$"
)


def _alias(key: str) -> str:
    """`dtmi:dtdl:property:name;3` -> `name` (the full IRI of a DTDL property)."""
    m = _ALIAS.match(key)
    return m.group(1) if m else key


def _known(term: str, version: int, ctx: Context) -> bool:
    """Whether a term is defined by the language (or an extension in force)."""
    if term in _KNOWN_TERMS or term in _CLASS_TERMS or term in ct.ADJUNCT:
        return True
    if version == 2 or "quantitativeTypes" in ctx.extensions:
        return term in _V2_TERMS or term in V3_UNITS or term in V3_SEMANTIC_TYPES
    return False


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


class Parser:
    """Walks JSON documents, building elements and collecting issues."""

    def __init__(self, *, allow_undefined_extensions: bool = True, max_version: int = 3) -> None:
        self.allow_undefined = allow_undefined_extensions
        self.max_version = max_version
        self.elements: dict[str, Element] = {}
        self.duplicates: list[Element] = []
        self.refs: list[Reference] = []
        self.issues: list[Issue] = []
        self.file = ""
        self._ctx_exts: frozenset[str] = frozenset()
        self._layer = False

    # -- reporting -------------------------------------------------------------------------
    def issue(self, code: str, msg: str, element: str = "", path: str = "", prop: str = "") -> None:
        """Record a broken rule."""
        self.issues.append(Issue(code, msg, element, path, self.file, prop))

    # -- documents -------------------------------------------------------------------------
    def add_document(self, doc: Any, file: str = "") -> None:
        """Parse one JSON document: an Interface, or a list of them."""
        self.file = file
        items = doc if isinstance(doc, list) else [doc]
        for i, item in enumerate(items):
            path = f"$[{i}]" if isinstance(doc, list) else "$"
            if not isinstance(item, dict):
                self.issue("notJsonObject", "a top-level item is not a JSON object", path=path)
                continue
            if "@graph" in item:
                if "@context" not in item:
                    self.issue("missingContext", "the document has no @context", path=path)
                if "@context" in item or not isinstance(item["@graph"], list):
                    self.issue("topLevelGraphDisallowed", "@graph is not allowed", path=path)
                continue
            if "@context" not in item:
                self.issue("missingContext", "the document has no @context", path=path)
                continue
            self.element(item, None, None, None, path, None, top=True)

    # -- elements --------------------------------------------------------------------------
    def element(
        self,
        obj: dict[str, Any],
        ctx: Context | None,
        parent: Element | None,
        prop: Prop | None,
        path: str,
        index_name: str | None,
        top: bool = False,
    ) -> Element | None:
        """Parse one element object; returns it (or None when it is hopeless)."""
        if "@context" in obj:
            res = read_context(
                obj["@context"],
                ctx if not top else None,
                allow_undefined=self.allow_undefined,
                max_version=self.max_version,
            )
            for code, msg, _val in res.problems:
                self.issue(code, msg, path=path)
            if res.problems and (top or res.context.version == 0):
                return None
            if (
                ctx is not None
                and not top
                and ctx.version == 3
                and res.context.version == 2
                and prop is not None
                and prop.name == "schemas"
            ):
                self.issue(
                    "disallowedVersionDefinition",
                    "a DTDL v2 schema inside a v3 Interface",
                    path=path,
                )
                return None
            ctx = res.context
        assert ctx is not None
        self._ctx_exts = ctx.extensions
        version = ctx.version
        if version == 0:
            return None
        model = METAMODEL[version]
        pid = parent.id if parent else ""
        # @type
        raw_type = obj.get("@type")
        types = (
            raw_type if isinstance(raw_type, list) else [raw_type] if raw_type is not None else []
        )
        material = [t for t in types if isinstance(t, str) and t in model]
        if raw_type is None and prop is not None and prop.infer:
            material = [prop.infer]
        if not material:
            other = METAMODEL[5 - version] if version in (2, 3) else {}
            if top:
                eid0 = obj.get("@id") if isinstance(obj.get("@id"), str) else pid
                self.issue(
                    "typeNotRootable", "a top-level element must be an Interface", eid0, path
                )
            if set(obj) == {"@id"} and prop is not None:
                self.issue(
                    "idReference",
                    f"{prop.name!r}: write the DTMI, not {{'@id': ...}}",
                    pid,
                    path,
                    prop.name,
                )
                return None
            if any(isinstance(t, str) and t in other for t in types):
                return None
            for t in types:
                if isinstance(t, str) and ":" not in t and not _known(t, version, ctx):
                    self.issue("typeUndefinedTerm", f"type {t!r} is not defined", pid, path)
            self.issue(
                "badType",
                f"element at {path} has no DTDL type",
                pid,
                path,
                prop.name if prop else "",
            )
            return None
        if len(material) > 1 and len(set(material)) > 1:
            self.issue("multipleMaterialTypes", f"types {material} conflict", pid, path)
            return None
        cls = model[material[0]]
        allowed = prop.classes if prop else ("Interface",)
        if top and cls.name != "Interface":
            eid = obj.get("@id") if isinstance(obj.get("@id"), str) else path
            self.issue("typeNotRootable", f"{cls.name} may not stand at the top level", eid, path)
            return None
        if prop is not None and cls.name not in allowed:
            self.issue("badType", f"{prop.name!r} may not hold a {cls.name}", pid, path, prop.name)
            return None
        # @id
        explicit = "@id" in obj
        if explicit:
            eid = obj["@id"]
            if not isinstance(eid, str):
                self.issue("idNotString", "@id must be a string", pid, path)
                return None
            self._layer = "Layer" in types
            if not self._check_id(eid, cls.name, version, pid, path):
                return None
        else:
            needs_id = (
                top
                or (prop is not None and prop.name in ("schemas", "extends"))
                or (prop is not None and prop.name == "schema" and cls.name == "Interface")
            )
            if needs_id:
                self.issue(
                    "missingTopLevelId" if top else "missingRequiredId",
                    f"{cls.name} needs an @id here",
                    pid,
                    path,
                    prop.name if prop else "",
                )
                return None
            name = obj.get("name") if prop is not None and prop.plural else None
            if prop is not None and prop.plural and not isinstance(name, str):
                name = index_name
            eid = child_id(pid, prop.name if prop else "", name if isinstance(name, str) else None)
        el = Element(
            eid,
            cls.name,
            version,
            parent=parent.id if parent else None,
            parent_prop=prop.name if prop else None,
            file=self.file,
            path=path,
            explicit_id=explicit,
            context=ctx,
        )
        # co-types
        extra_props: dict[str, Prop] = {}
        rejected: set[str] = set()
        conflict = False
        undefined_cotype = False
        cot: list[str] = []
        unit_type = None
        for t in types:
            if t == cls.name or t is None:
                continue
            if not isinstance(t, str):
                self.issue("typeNotDtmiNorTerm", f"@type entry {t!r} is not a string", eid, path)
                continue
            if t in model:
                self.issue("multipleMaterialTypes", f"types {cls.name} and {t} conflict", eid, path)
                continue
            found = ct.lookup(t, cls.name, version, ctx.extensions)
            if isinstance(found, str):
                for code in found.split():
                    self.issue(code, f"co-type {t!r} does not fit a {cls.name}", eid, path)
                rejected |= ct.props_of(t, version, ctx.extensions)
                continue
            if found is None:
                if t in _UNIT_TYPES or t in _CLASS_TERMS:
                    self.issue(
                        "multipleMaterialTypes", f"{t!r} cannot co-type a {cls.name}", eid, path
                    )
                    continue
                if (t in _KNOWN_TERMS or t.startswith("dtmi:dtdl:")) and not ctx.incomplete:
                    self.issue("typeIrrelevantDtmiOrTerm", f"{t!r} is not a co-type", eid, path)
                    continue
                if t.startswith("dtmi:"):
                    if not is_dtmi(t.split("#")[0]):
                        self.issue(
                            "typeInvalidDtmi", f"co-type {t!r} is not a valid DTMI", eid, path
                        )
                        continue
                elif ":" in t or "/" in t:
                    if version == 3:
                        self.issue(
                            "typeNotDtmiNorTerm", f"co-type {t!r} is not a DTMI or term", eid, path
                        )
                        continue
                elif version == 3 and not ctx.incomplete:
                    self.issue("typeUndefinedTerm", f"co-type {t!r} is not defined", eid, path)
                undefined_cotype = True
                cot.append(t)
                continue
            cot.append(found.name)
            if found.name == "Layer":
                el.layer = True
            for p in found.props:
                extra_props[p.name] = p
            if found.unit_type:
                if unit_type and unit_type != found.unit_type:
                    self.issue(
                        "conflictingSupplementalTypes", f"{eid}: semantic types conflict", eid, path
                    )
                    unit_type = None
                    conflict = True
                elif not conflict:
                    unit_type = found.unit_type
        el.cotypes = tuple(cot)
        props = dict(cls.props)
        if not unit_type:
            props.pop("unit", None)
        props.update(extra_props)
        # properties
        seen_keys: set[str] = set()
        for key0, raw in obj.items():
            key = _alias(key0)
            if key in seen_keys:
                self.issue("duplicatePropertyName", f"{key!r} is given twice", eid, path, key)
                continue
            seen_keys.add(key)
            if key.startswith("@"):
                if key == "@graph" and not top:
                    self.issue("graphDisallowed", "@graph is not allowed here", eid, path)
                elif key not in ("@id", "@type", "@context") and version == 3:
                    code = "topLevelKeywordDisallowed" if top else "keywordDisallowed"
                    self.issue(code, f"keyword {key!r} is not allowed", eid, path)
                continue
            p = props.get(key)
            if p is None and key in rejected:
                self.issue(
                    "noTypeThatAllows", f"{cls.name} has no property {key!r}", eid, path, key
                )
                continue
            if p is None:
                self._undefined_property(key, el, undefined_cotype, ctx, path)
                continue
            self._value(el, p, raw, ctx, f"{path}.{key}")
        for p in props.values():
            if p.required and p.name not in obj:
                if p.name in extra_props and p.name not in cls.props:
                    code = (
                        "missingSupplementalObjectProperty"
                        if p.kind == "term"
                        else ("missingSupplementalLiteralProperty")
                    )
                elif p.kind in ("object", "term") and p.name != "name":
                    code = "missingObjectProperty"
                elif p.name == "name" and prop is not None and prop.plural and not explicit:
                    code = "missingDtmiSegPropertyValue"
                else:
                    code = "missingLiteralProperty"
                if el.layer:
                    continue
                self.issue(code, f"{cls.name} {eid} needs {p.name!r}", eid, path, p.name)
                if (
                    code == "missingLiteralProperty"
                    and p.name == "name"
                    and prop is not None
                    and (
                        prop.plural
                        and prop.name in ("contents", "fields", "enumValues", "properties")
                    )
                ):
                    self.issue("missingDictKeyPropertyValue", f"{eid} needs a name", eid, path)
            elif p.default is not None and p.name not in el.values:
                el.values[p.name] = p.default
        if unit_type and "unit" in el.values:
            unit = el.values["unit"]
            if unit not in ct.units_of(version, unit_type):
                self.issue("wrongParent", f"unit {unit!r} is not a {unit_type}", eid, path, "unit")
        self._store(el)
        return el

    def _check_id(self, eid: str, cls: str, version: int, pid: str, path: str) -> bool:
        base = eid.split("#")[0]
        if "#" in eid and is_valid_for(base, version) and is_user_dtmi(base):
            self.issue("invalidId", f"@id {eid!r}: fragments are not allowed", pid, path)
            if "layering" in self._ctx_exts and not self._layer:
                self.issue(
                    "disallowedIdFragment", f"@id {eid!r} has a fragment but no Layer", pid, path
                )
            return True
        if not is_valid_for(base, version) or not is_user_dtmi(base):
            self.issue("invalidId", f"@id {eid!r} is not a valid DTMI", pid, path)
            return False
        if eid.startswith(RESERVED_PREFIXES) or (
            eid.startswith("dtmi:iotcentral:") and "iotcentral" in self._ctx_exts
        ):
            self.issue("reservedId", f"@id {eid!r} uses a reserved prefix", pid, path)
            return False
        if len(eid) > MAX_USER_DTMI:
            self.issue("idTooLong", f"@id is longer than {MAX_USER_DTMI}", pid, path)
            return False
        if cls == "Interface" and len(eid) > MAX_INTERFACE_DTMI:
            self.issue(
                "idTooLongForType",
                f"an Interface @id is longer than {MAX_INTERFACE_DTMI}",
                pid,
                path,
            )
            return False
        return True

    def _undefined_property(
        self, key: str, el: Element, undefined_cotype: bool, ctx: Context, path: str
    ) -> None:
        if key.startswith("dtmi:"):
            kind = "propertyInvalidDtmi" if not is_dtmi(key) else "propertyIrrelevantDtmiOrTerm"
        elif ":" in key or "/" in key:
            kind = "propertyNotDtmiNorTerm"
        elif _known(key, el.version, ctx) or key in ("unit", "annotates", "overrides", "ttl"):
            kind = "propertyIrrelevantDtmiOrTerm"
        else:
            kind = "propertyUndefinedTerm"
        if undefined_cotype:
            if el.version == 2:
                return
            if ctx.incomplete and kind in ("propertyUndefinedTerm", "propertyIrrelevantDtmiOrTerm"):
                return
            if ctx.incomplete:
                self.issue("typeUndefinedTerm", f"{el.cls} has an undefined co-type", el.id, path)
            self.issue(kind, f"property {key!r} is not defined for {el.cls}", el.id, path, key)
            return
        self.issue("noTypeThatAllows", f"{el.cls} has no property {key!r}", el.id, path, key)
        self.issue(kind, f"property {key!r} is not defined", el.id, path, key)

    # -- values ----------------------------------------------------------------------------
    def _value(self, el: Element, p: Prop, raw: Any, ctx: Context, path: str) -> None:
        if p.kind in ("string", "boolean", "integer", "literal"):
            val, probs = check_literal(p, raw, el.version)
            for code, msg in probs:
                self.issue(code, msg, el.id, path, p.name)
            if not probs and val is not ABSENT:
                el.values[p.name] = val
            return
        if p.kind == "langstring":
            val, probs = check_langstring(p, raw, el.version)
            for code, msg in probs:
                self.issue(code, msg, el.id, path, p.name)
            if not probs:
                el.values[p.name] = val
            return
        if p.kind == "literal":
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                self.issue(
                    "literalNotValid",
                    f"{p.name!r} must be an integer or a string",
                    el.id,
                    path,
                    p.name,
                )
                return
            el.values[p.name] = raw
            return
        values = raw if isinstance(raw, list) else [raw]
        if p.kind in ("term", "dtmi"):
            if raw == [] and not p.required:
                return
            if raw is None:
                self.issue("propertyValueNull", f"{p.name!r} may not be null", el.id, path, p.name)
                return
            if len(values) != 1:
                self.issue(
                    "objectMultipleValues", f"{p.name!r} takes one value", el.id, path, p.name
                )
                return
            v = values[0]
            if isinstance(v, dict) and p.kind == "term":
                self.issue("badType", f"{p.name!r} must be one of its terms", el.id, path, p.name)
                return
            if not isinstance(v, str):
                self.issue(
                    "refNotStringOrObject" if p.kind == "dtmi" else "badDtmiOrTerm",
                    f"{p.name!r} must be a string",
                    el.id,
                    path,
                    p.name,
                )
                return
            if p.kind == "term":
                if p.choices and v not in p.choices:
                    self.issue(
                        "incorrectPropertyValue"
                        if (p.name == "valueSchema" and _known(v, el.version, ctx))
                        or v in PRIMITIVES_V3
                        else "badDtmiOrTerm",
                        f"{p.name!r} must be one of {', '.join(p.choices)}",
                        el.id,
                        path,
                        p.name,
                    )
                    return
                if p.name == "unit" and v not in ct.all_units(el.version):
                    self.issue("badType", f"{v!r} is not a unit", el.id, path, p.name)
                    return
            elif not is_valid_for(v, el.version):
                self.issue(
                    "badDtmiOrTerm", f"{p.name!r} {v!r} is not a valid DTMI", el.id, path, p.name
                )
                return
            el.values[p.name] = v
            return
        # object-valued properties
        if raw is None:
            self.issue("propertyValueNull", f"{p.name!r} may not be null", el.id, path, p.name)
            return
        if not p.plural and len(values) != 1:
            code = "objectCountBelowMin" if not values else "objectMultipleValues"
            self.issue(code, f"{p.name!r} takes exactly one value", el.id, path, p.name)
            return
        if p.max_count is not None and len(values) > p.max_count:
            self.issue(
                "objectCountAboveMax",
                f"{p.name!r} holds more than {p.max_count}",
                el.id,
                path,
                p.name,
            )
        if p.min_count is not None and len(values) < p.min_count:
            self.issue(
                "objectCountBelowMin",
                f"{p.name!r} needs at least {p.min_count}",
                el.id,
                path,
                p.name,
            )
        ids: list[str] = []
        prims = PRIMITIVES_V2 if el.version == 2 else PRIMITIVES_V3
        for i, v in enumerate(values):
            vpath = f"{path}[{i}]" if isinstance(raw, list) else path
            if isinstance(v, str):
                if p.schema and (
                    v in prims
                    or v in GEOSPATIAL
                    or (
                        el.version == 2
                        and "iotcentral" in ctx.extensions
                        and v in ct.IOTCENTRAL_SCHEMAS
                    )
                    or ("Override" in el.cotypes and (v in _UNIT_TYPES or v.endswith("Unit")))
                ):
                    ids.append(v)
                elif is_dtmi(v.split("#")[0]) and v.startswith("dtmi:"):
                    if not is_valid_for(v, el.version):
                        self.issue(
                            "badDtmiOrTerm", f"{v!r} is not a valid DTMI", el.id, vpath, p.name
                        )
                        continue
                    ids.append(v)
                    self.refs.append(
                        Reference(v, el.id, p.name, p.classes, p.schema, self.file, vpath)
                    )
                elif v in _CLASS_TERMS:
                    self.issue(
                        "badType",
                        f"{p.name!r}: {v!r} is a class, not a schema",
                        el.id,
                        vpath,
                        p.name,
                    )
                else:
                    self.issue(
                        "badDtmiOrTerm",
                        f"{p.name!r}: {v!r} is neither a schema nor a DTMI",
                        el.id,
                        vpath,
                        p.name,
                    )
                    if not p.plural:
                        self.issue(
                            "objectCountBelowMin",
                            f"{p.name!r} has no valid value",
                            el.id,
                            vpath,
                            p.name,
                        )
            elif isinstance(v, dict):
                n_before = len(self.issues)
                child = self.element(v, ctx, el, p, vpath, str(i))
                if child is not None:
                    ids.append(child.id)
                elif (
                    p.required
                    and not p.plural
                    and any(x.code == "badType" for x in self.issues[n_before:])
                ):
                    self.issue(
                        "objectCountBelowMin",
                        f"{p.name!r} has no valid value",
                        el.id,
                        vpath,
                        p.name,
                    )
            else:
                self.issue(
                    "refNotStringOrObject",
                    f"{p.name!r} value is not a string or object",
                    el.id,
                    vpath,
                    p.name,
                )
        el.values[p.name] = ids if p.plural else (ids[0] if ids else None)

    def _store(self, el: Element) -> None:
        old = self.elements.get(el.id)
        if old is not None:
            if el.layer or old.layer:
                for k, v in el.values.items():
                    old.values.setdefault(k, v)
                return
            self.duplicates.append(el)
            if el.explicit_id or (not old.explicit_id and el.parent != old.parent):
                self.issue("duplicateDefinition", f"{el.id} is defined twice", el.id, el.path)
            return
        self.elements[el.id] = el


def parse_documents(
    docs: Iterable[tuple[str, Any]],
    *,
    allow_undefined_extensions: bool = True,
    resolve: Callable[[list[str]], list[tuple[str, Any]]] | None = None,
    max_version: int = 3,
) -> Parser:
    """Parse (file, JSON) pairs, then fetch unresolved references through `resolve`."""
    parser = Parser(allow_undefined_extensions=allow_undefined_extensions, max_version=max_version)
    for file, doc in docs:
        parser.add_document(doc, file)
    if resolve is not None:
        seen: set[str] = set()
        while True:
            missing = sorted(
                {r.target for r in parser.refs if r.target not in parser.elements} - seen
            )
            if not missing:
                break
            seen.update(missing)
            for file, doc in resolve(missing):
                parser.add_document(doc, file)
    return parser


def element_class(version: int, name: str) -> ElementClass:
    """The metamodel class `name` of DTDL `version`."""
    return METAMODEL[version][name]
