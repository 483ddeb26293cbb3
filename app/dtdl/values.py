"""Reading property values of DTDL elements: literals, terms, references and inline objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinbench.dtdl import cotypes as ct
from twinbench.dtdl.context import Context
from twinbench.dtdl.dtmi import is_dtmi, is_valid_for
from twinbench.dtdl.elements import Element, Reference
from twinbench.dtdl.literals import ABSENT, check_langstring, check_literal
from twinbench.dtdl.metamodel import (
    ALL_PRIMITIVES,
    GEOSPATIAL,
    METAMODEL,
    PRIMITIVES_V2,
    PRIMITIVES_V3,
    Prop,
)
from twinbench.dtdl.terms import CLASS_TERMS, UNIT_TYPES, V2_TERMS, known

if TYPE_CHECKING:
    from twinbench.dtdl.issues import Issue


class ValueReader:
    """Mixin of the parser: checks each property value and records references."""

    issues: list[Issue]
    refs: list[Reference]
    file: str

    def issue(self, code: str, msg: str, element: str = "", path: str = "", prop: str = "") -> None:
        """Record a broken rule (implemented by the parser)."""
        raise NotImplementedError

    def element(self, *args: Any, **kwargs: Any) -> Element | None:
        """Parse an inline element (implemented by the parser)."""
        raise NotImplementedError

    def _undefined_property(
        self, key: str, el: Element, undefined_cotype: bool, ctx: Context, path: str
    ) -> None:
        if el.fragment is not None and not undefined_cotype:
            self.issue("noTypeThatAllows", f"{el.cls} has no property {key!r}", el.id, path, key)
            return
        if key.startswith("dtmi:"):
            kind = "propertyInvalidDtmi" if not is_dtmi(key) else "propertyIrrelevantDtmiOrTerm"
        elif ":" in key or "/" in key:
            kind = "propertyNotDtmiNorTerm"
        elif known(key, el.version, ctx):
            kind = "propertyIrrelevantDtmiOrTerm"
        else:
            kind = "propertyUndefinedTerm"
        if undefined_cotype:
            # the undefined co-type may define a term: DTDLParser 1.1 reports the co-type alone;
            # where it allowed an undefined extension in, a key no context can define is wrong
            undefinable = kind in ("propertyInvalidDtmi", "propertyNotDtmiNorTerm")
            if el.version == 3 and ctx.incomplete and undefinable:
                self.issue("typeUndefinedTerm", f"{el.cls} has an undefined co-type", el.id, path)
                self.issue(kind, f"property {key!r} is not defined for {el.cls}", el.id, path, key)
            return
        if key in ct.extension_props(ctx.extensions):
            self.issue(
                "propertyIrrelevantDtmiOrTerm",
                f"{el.cls} has no property {key!r}",
                el.id,
                path,
                key,
            )
            return
        # DTDLParser 1.1 names the rule once: by the element's type in v2, by the term in v3
        if el.version == 2:
            self.issue("noTypeThatAllows", f"{el.cls} has no property {key!r}", el.id, path, key)
        else:
            self.issue(kind, f"{el.cls} has no property {key!r}", el.id, path, key)

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
                code = "objectCountBelowMin" if not values else "objectMultipleValues"
                self.issue(code, f"{p.name!r} takes one value", el.id, path, p.name)
                return
            v = values[0]
            if isinstance(v, dict) and p.name == "unit":
                self.issue(
                    "refObjectNotAllowed", "a unit must be named, not defined", el.id, path, p.name
                )
                self.issue("objectCountBelowMin", "no valid unit", el.id, path, p.name)
                return
            if isinstance(v, dict) and p.kind == "term":
                self.issue("badType", f"{p.name!r} must be one of its terms", el.id, path, p.name)
                return
            if p.kind == "dtmi" and not isinstance(v, str):
                self.issue(
                    "identifierNotString", f"{p.name!r} must be a DTMI string", el.id, path, p.name
                )
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
            if p.kind == "term" and v.startswith("dtmi:") and v not in p.choices:
                # a DTMI where a term belongs: resolved first, refused once found (checks.py)
                if is_valid_for(v, el.version):
                    self.refs.append(Reference(v, el.id, p.name, (), False, self.file, path))
                else:
                    self.issue("badDtmiOrTerm", f"{v!r} is not a valid DTMI", el.id, path, p.name)
                    self.issue("objectCountBelowMin", f"no valid {p.name!r}", el.id, path, p.name)
                return
            if p.kind == "term":
                if p.name == "schema" and el.cls == "MapKey" and v not in p.choices:
                    if known(v, el.version, ctx) or v in PRIMITIVES_V2:
                        self.issue(
                            "badType", f"a map key must be a string, not {v!r}", el.id, path, p.name
                        )
                    else:
                        self.issue(
                            "badDtmiOrTerm", f"{v!r} is not a DTDL term", el.id, path, p.name
                        )
                        self.issue(
                            "objectCountBelowMin", "no valid map key schema", el.id, path, p.name
                        )
                    return
                if p.choices and v not in p.choices:
                    self.issue(
                        "incorrectPropertyValue"
                        if (p.name == "valueSchema" and known(v, el.version, ctx))
                        or v in ALL_PRIMITIVES
                        else "badDtmiOrTerm",
                        f"{p.name!r} must be one of {', '.join(p.choices)}",
                        el.id,
                        path,
                        p.name,
                    )
                    return
                if p.name == "unit" and v not in ct.all_units(el.version):
                    code = "notRequiredType" if el.version == 2 else "wrongParent"
                    self.issue(code, f"{v!r} is not a unit", el.id, path, p.name)
                    return
            elif not is_valid_for(v, el.version):
                self.issue(
                    "identifierNotDtmi",
                    f"{p.name!r} {v!r} is not a valid DTMI",
                    el.id,
                    path,
                    p.name,
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
                    or ("Override" in el.cotypes and (v in UNIT_TYPES or v.endswith("Unit")))
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
                elif (
                    v in CLASS_TERMS
                    or v in METAMODEL[el.version]
                    or (el.version == 2 and (v in V2_TERMS or v in ct.all_units(2)))
                ):
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
                    and any(
                        x.code in ("badType", "incompatibleType", "typeUndefinedTerm")
                        for x in self.issues[n_before:]
                    )
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
                if not p.plural and p.required:
                    self.issue(
                        "objectCountBelowMin",
                        f"{p.name!r} has no valid value",
                        el.id,
                        vpath,
                        p.name,
                    )
        if p.min_count is not None and len(values) >= p.min_count > len(ids):
            self.issue(
                "objectCountBelowMin", f"{p.name!r} has too few valid values", el.id, path, p.name
            )
        el.values[p.name] = ids if p.plural else (ids[0] if ids else None)
