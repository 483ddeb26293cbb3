"""Reads DTDL v2/v3 JSON-LD documents into elements, recording every broken rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from twinbench.dtdl.elements import Element, Reference
from twinbench.dtdl.issues import Issue
from twinbench.dtdl.layers import merge
from twinbench.dtdl.metamodel import METAMODEL, ElementClass, Prop
from twinbench.dtdl.terms import CLASS_TERMS, KNOWN_TERMS, UNIT_TYPES, alias, known
from twinbench.dtdl.values import ValueReader

__all__ = ["Element", "Parser", "Reference", "parse_documents"]


class Parser(ValueReader):
    """Walks JSON documents, building elements and collecting issues."""

    def __init__(
        self, *, allow_undefined_extensions: bool | None = None, max_version: int = 3
    ) -> None:
        self.allow_undefined = allow_undefined_extensions
        self.max_version = max_version
        self.elements: dict[str, Element] = {}
        self.duplicates: list[Element] = []
        self.refs: list[Reference] = []
        self.issues: list[Issue] = []
        self.deferred: list[Issue] = []  # rules checked on the whole model (checks.py)
        self.halted_at: int | None = None  # issues after the first unidentified element
        self.file = ""
        self._ctx_exts: frozenset[str] = frozenset()
        self._layer = False

    # -- reporting -------------------------------------------------------------------------
    def issue(self, code: str, msg: str, element: str = "", path: str = "", prop: str = "") -> None:
        """Record a broken rule."""
        self.issues.append(Issue(code, msg, element, path, self.file, prop))

    def unidentified(self, code: str, msg: str, element: str, path: str, prop: str = "") -> None:
        """Record an element that cannot be identified: DTDLParser 1.1 stops at the first."""
        self.issue(code, msg, element, path, prop)
        if self.halted_at is None:
            self.halted_at = len(self.issues)

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
                graph = item["@graph"]
                if "@context" in item or (isinstance(graph, dict) and "@context" in graph):
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
            if res.problems:
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
        if prop is not None and "@id" not in obj:
            # DTDLParser 1.1 first needs an identifier: given, or made from the name
            if prop.name in ("schemas", "extends") or prop.classes == ("Interface",):
                self.issue("missingRequiredId", f"{prop.name!r} needs an @id", pid, path, prop.name)
                return None
            if prop.plural and "name" not in obj:
                self.unidentified(
                    "missingDtmiSegPropertyValue",
                    f"{prop.name!r}: an element without @id needs a name",
                    pid,
                    path,
                    prop.name,
                )
                return None
        # @type
        raw_type = obj.get("@type")
        types = (
            raw_type if isinstance(raw_type, list) else [raw_type] if raw_type is not None else []
        )
        material = [t for t in types if isinstance(t, str) and t in model]
        if "@type" not in obj and prop is not None and prop.infer:
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
            if top and any(isinstance(t, str) and t in other for t in types):
                return None
            undefined = False
            for t in types:
                if isinstance(t, str) and t.startswith("dtmi:") and not top:
                    self.issue("typeIrrelevantDtmiOrTerm", f"{t!r} is no DTDL type", pid, path)
                    undefined = True
                    continue
                if version == 2 or top:
                    break  # v2 leaves undefined types alone; a root reports typeNotRootable
                if isinstance(t, str) and ":" not in t and not known(t, version, ctx):
                    self.issue("typeUndefinedTerm", f"type {t!r} is not defined", pid, path)
                    undefined = True
            if not top and not undefined:
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
            if not isinstance(eid, str) or not eid:
                self.issue("idNotString", "@id must be a non-empty string", pid, path)
                return None
            self._layer = "Layer" in types
            if not self._check_id(eid, cls.name, version, pid, path):
                return None
            eid, _sep, frag_text = eid.partition("#")
            frag: str | None = frag_text if _sep else None
            if parent is not None and frag != parent.fragment and "layering" in self._ctx_exts:
                self.issue(
                    "mismatchedLayers", f"{eid} and its parent are in different layers", pid, path
                )
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
            frag = parent.fragment if parent is not None else None
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
        el.inferred = raw_type is None
        el.fragment = frag
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
                if t == "Override" and found == "invalidCotype" and "ValueAnnotation" in types:
                    found = ct.ADJUNCT[t]  # still read as an override, to check it fully
                else:
                    would_add = ct.props_of(t, version, ctx.extensions)
                    rejected |= would_add
                    if would_add == {"unit"} and "unit" not in obj:  # still named as missing
                        msg = f"{cls.name} {eid} needs 'unit' for {t!r}"
                        self.issue("missingSupplementalObjectProperty", msg, eid, path, "unit")
                    continue
            if found is None:
                if t in UNIT_TYPES or t in CLASS_TERMS:
                    code = (
                        "multipleMaterialTypes"
                        if version == 2 or t in CLASS_TERMS
                        else "typeIrrelevantDtmiOrTerm"
                    )
                    self.issue(code, f"{t!r} cannot co-type a {cls.name}", eid, path)
                    if t in UNIT_TYPES:
                        self.issue("badType", f"{t!r} is a unit type", eid, path)
                    continue
                if (t in KNOWN_TERMS or t.startswith("dtmi:dtdl:")) and not ctx.incomplete:
                    self.issue("typeIrrelevantDtmiOrTerm", f"{t!r} is not a co-type", eid, path)
                    continue
                if t.startswith("dtmi:"):
                    if not is_dtmi(t.split("#")[0]):
                        self.issue(
                            "typeInvalidDtmi", f"co-type {t!r} is not a valid DTMI", eid, path
                        )
                        continue
                elif ":" in t:
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
        el.open_terms = undefined_cotype and version == 3
        props = dict(cls.props)
        if not unit_type:
            props.pop("unit", None)
        props.update(extra_props)
        # properties
        seen_keys: set[str] = set()
        skip: set[str] = set()
        if not explicit and prop is not None and prop.plural and not _segment_ok(obj):
            # the name would become a segment of the generated @id: DTDLParser 1.1 says so alone
            self.unidentified(
                "dtmiSegPropertyNotStringOrNumber",
                f"{cls.name} 'name' must be a string to identify it",
                eid,
                path,
                "name",
            )
            skip.add("name")
        for key0, raw in obj.items():
            key = alias(key0)
            if key != key0 and key not in props:
                key = key0
            if key != key0 and key not in props:
                key = key0
            if key in seen_keys:
                self.issue("duplicatePropertyName", f"{key!r} is given twice", eid, path, key)
                continue
            seen_keys.add(key)
            if key in skip:
                continue
            if key.startswith("@"):
                if key == "@graph" and not top:
                    self.issue("graphDisallowed", "@graph is not allowed here", eid, path)
                elif key not in ("@id", "@type", "@context") and version == 3:
                    code = "topLevelKeywordDisallowed" if top else "keywordDisallowed"
                    self.issue(code, f"keyword {key!r} is not allowed", eid, path)
                continue
            p = props.get(key)
            if p is None and key in rejected:
                continue  # the co-type that would allow it is refused: reported once, above
            if p is None:
                self._undefined_property(key, el, undefined_cotype, ctx, path)
                continue
            self._value(el, p, raw, ctx, f"{path}.{key}")
        for p in props.values():
            if p.required and p.name not in obj and not (p.name == "schema" and el.fragment):
                if (
                    el.fragment is None
                    and p.name in extra_props
                    and (p.name not in cls.props or p.name == "unit")
                ):
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
                self.issue(code, f"{cls.name} {eid} needs {p.name!r}", eid, path, p.name)
            elif p.default is not None and p.name not in el.values:
                el.values[p.name] = p.default
        if unit_type and "unit" in el.values:
            unit = el.values["unit"]
            if unit not in ct.units_of(version, unit_type):
                self.issue(
                    "notRequiredType" if version == 2 else "wrongParent",
                    f"unit {unit!r} is not a {unit_type}",
                    eid,
                    path,
                    "unit",
                )
        el.specs = props
        if not self._store(el):
            return None
        return el

    def _check_id(self, eid: str, cls: str, version: int, pid: str, path: str) -> bool:
        base = eid.split("#")[0]
        if "#" in eid and is_valid_for(base, version) and is_user_dtmi(base):
            report = self.issue if "layering" in self._ctx_exts else self.unidentified
            report("invalidId", f"@id {eid!r}: fragments are not allowed", pid, path)
            if "layering" in self._ctx_exts and not self._layer and not eid.endswith("#"):
                self.issue(
                    "disallowedIdFragment", f"@id {eid!r} has a fragment but no Layer", pid, path
                )
            return True
        if not is_valid_for(base, version) or not is_user_dtmi(base):
            self.unidentified("invalidId", f"@id {eid!r} is not a valid DTMI", pid, path)
            return False
        if eid.startswith(RESERVED_PREFIXES) or (
            eid.startswith("dtmi:iotcentral:") and "iotcentral" in self._ctx_exts
        ):
            self.unidentified("reservedId", f"@id {eid!r} uses a reserved prefix", pid, path)
            return False
        if len(eid) > MAX_USER_DTMI:
            self.unidentified("idTooLong", f"@id is longer than {MAX_USER_DTMI}", pid, path)
            return False
        if cls == "Interface" and len(eid) > MAX_INTERFACE_DTMI:
            self.issue(
                "idTooLongForType",
                f"an Interface @id is longer than {MAX_INTERFACE_DTMI}",
                pid,
                path,
            )  # the Interface is still read, and its other problems reported
        return True

    def _store(self, el: Element) -> bool:
        """Keep an element (merging layers); False when it cannot be merged."""
        old = self.elements.get(el.id)
        if old is not None:
            if el.fragment != old.fragment:
                return merge(self, old, el)
            self.duplicates.append(el)
            if el.explicit_id or (not old.explicit_id and el.parent != old.parent):
                self.issue("duplicateDefinition", f"{el.id} is defined twice", el.id, el.path)
            return True
        self.elements[el.id] = el
        return True


def _segment_ok(obj: dict[str, Any]) -> bool:
    """Whether an element's `name` can serve as a segment of its generated @id."""
    if "name" not in obj:
        return True
    v = obj["name"]
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, dict) and "@value" in v:
        return True
    return isinstance(v, str | int | float) and not isinstance(v, bool)


def parse_documents(
    docs: Iterable[tuple[str, Any]],
    *,
    allow_undefined_extensions: bool | None = None,
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
