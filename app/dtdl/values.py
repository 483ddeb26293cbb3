"""Reading property values of DTDL elements: literals, terms, references and inline objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twinbench.dtdl import cotypes as ct
from twinbench.dtdl.context import Context
from twinbench.dtdl.dtmi import is_dtmi, is_valid_for
from twinbench.dtdl.elements import Element, Reference
from twinbench.dtdl.issues import Issue
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


class ValueReader:
    """Mixin of the parser: checks each property value and records references."""

    issues: list[Issue]
    deferred: list[Issue]
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
            code = "inferredTypeDoesNotAllow" if el.inferred else "noTypeThatAllows"
            self.issue(code, f"{el.cls} has no property {key!r}", el.id, path, key)
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
            self._term_value(el, p, raw, ctx, path)
            return
        # object-valued properties
        if raw is None:
            self.issue("refNotStringOrObject", f"{p.name!r} may not be null", el.id, path, p.name)
            if p.required:
                self.issue("objectCountBelowMin", f"{p.name!r} has no value", el.id, path, p.name)
            return
        if not p.plural and not values:
            if p.required:
                self.issue("objectCountBelowMin", f"{p.name!r} has no value", el.id, path, p.name)
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
        no_value = False  # some value was no schema, term or DTMI at all
        unnamed = False  # some element had neither @id nor name
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
                    or (
                        "Override" in el.cotypes
                        and "overriding" in ctx.extensions
                        and (v in UNIT_TYPES or v.endswith("Unit"))
                    )
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
                elif self._is_term(v, el, ctx):
                    # a term naming something else: refused once the model is whole (checks.py)
                    msg = f"{p.name!r}: {v!r} may not stand here"
                    self.defer("badType", msg, el.id, vpath, p.name)
                elif not el.open_terms:
                    self.issue(
                        "badDtmiOrTerm",
                        f"{p.name!r}: {v!r} is neither a schema nor a DTMI",
                        el.id,
                        vpath,
                        p.name,
                    )
                    no_value = True
            elif isinstance(v, dict):
                n_before = len(self.issues)
                child = self.element(v, ctx, el, p, vpath, str(i))
                if child is not None:
                    ids.append(child.id)
                elif any(x.code == "missingDtmiSegPropertyValue" for x in self.issues[n_before:]):
                    unnamed = True
                elif (
                    p.required
                    and not p.plural
                    and any(
                        x.code
                        in (
                            "badType",
                            "incompatibleType",
                            "typeUndefinedTerm",
                            "typeIrrelevantDtmiOrTerm",
                        )
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
                no_value = True
        if not p.plural and p.required and no_value and not ids:
            self.issue("objectCountBelowMin", f"{p.name!r} has no valid value", el.id, path, p.name)
        if not p.plural and len(ids) > 1:
            self.issue("objectMultipleValues", f"{p.name!r} takes one value", el.id, path, p.name)
        if p.min_count is not None and len(values) >= p.min_count > len(ids) and not unnamed:
            self.issue(
                "objectCountBelowMin", f"{p.name!r} has too few valid values", el.id, path, p.name
            )
        el.values[p.name] = ids if p.plural else (ids[0] if ids else None)

    def _is_term(self, v: str, el: Element, ctx: Context) -> bool:
        """Whether `v` is a term the element's context defines (a class, unit, schema...)."""
        return (
            v in CLASS_TERMS
            or v in METAMODEL[el.version]
            or v in PRIMITIVES_V2
            or v in GEOSPATIAL
            or known(v, el.version, ctx)
            or (el.version == 2 and (v in V2_TERMS or v in ct.all_units(2)))
            or ("quantitativeTypes" in ctx.extensions and v in ct.all_units(3))
        )

    def defer(self, code: str, msg: str, element: str, path: str, prop: str) -> None:
        """Record a rule broken that DTDLParser 1.1 checks only on a whole, resolved model."""
        self.deferred.append(Issue(code, msg, element, path, self.file, prop))

    def _term_value(self, el: Element, p: Prop, raw: Any, ctx: Context, path: str) -> None:
        """A value naming a term (unit, valueSchema, a map key's schema) or a DTMI (target)."""

        def say(code: str, msg: str) -> None:
            self.issue(code, msg, el.id, path, p.name)

        if raw == [] and not p.required:
            return
        if p.kind == "dtmi":
            v = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
            if isinstance(v, list):
                say("identifierMultipleValues" if v else "identifierNotString", "one DTMI")
            elif not isinstance(v, str):
                say("identifierNotString", f"{p.name!r} must be a DTMI string")
            elif not is_valid_for(v, el.version) and not self._is_term(v, el, ctx):
                say("identifierNotDtmi", f"{p.name!r} {v!r} is not a valid DTMI")
            else:
                el.values[p.name] = v
            return
        if raw is None:
            say("refNotStringOrObject", f"{p.name!r} may not be null")
            say("objectCountBelowMin", f"{p.name!r} has no value")
            return
        values = raw if isinstance(raw, list) else [raw]
        good: list[str] = []
        no_value = not values
        for v in values:
            ok, missing = self._one_term(el, p, v, ctx, say)
            if ok:
                good.append(v)
            no_value = no_value or missing
        if len(good) > 1:
            say("objectMultipleValues", f"{p.name!r} takes one value")
        elif good:
            el.values[p.name] = good[0]
        elif no_value:
            say("objectCountBelowMin", f"{p.name!r} has no valid value")

    def _one_term(
        self, el: Element, p: Prop, v: Any, ctx: Context, say: Callable[[str, str], None]
    ) -> tuple[bool, bool]:
        """Check one term value: (valid, counts as no value at all)."""
        if isinstance(v, dict):
            if p.name == "unit":
                code = "badType" if el.version == 2 else "refObjectNotAllowed"
                say(code, "a unit must be named, not defined")
                return False, True
            say("missingRequiredId" if "@id" not in v else "badType", f"{p.name!r}: not a term")
            return False, False
        if not isinstance(v, str):
            say("refNotStringOrObject", f"{p.name!r} must be a term, not {v!r}")
            return False, True
        if v in p.choices:
            return True, False
        if v.startswith("dtmi:"):
            # a DTMI where a term belongs: resolved first, refused once found (checks.py)
            if is_valid_for(v, el.version):
                self.refs.append(Reference(v, el.id, p.name, (), False, self.file, el.path))
                return False, False
            say("badDtmiOrTerm", f"{v!r} is not a valid DTMI")
            return False, True
        if not self._is_term(v, el, ctx):
            if el.open_terms:
                return False, False
            say("badDtmiOrTerm", f"{v!r} is not a DTDL term")
            return False, True
        if p.name == "unit":
            if v in ct.all_units(el.version):
                return True, False
            say("notRequiredType" if el.version == 2 else "wrongParent", f"{v!r} is not a unit")
        elif v in ALL_PRIMITIVES and el.cls != "MapKey":
            say("incorrectPropertyValue", f"{p.name!r} must be one of {', '.join(p.choices)}")
        else:
            say("badType", f"{p.name!r} may not be {v!r}")
        return False, False
