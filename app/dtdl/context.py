"""JSON-LD contexts of DTDL documents: the language version and the extensions in force."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from twinbench.dtdl.dtmi import is_dtmi

DTDL_CONTEXT = re.compile(r"^dtmi:dtdl:context(?:;(.*))?$")
# extension context -> (name, versions it exists in, DTDL versions it works with)
EXTENSIONS: dict[str, tuple[set[int], set[int]]] = {
    "dtmi:dtdl:extension:layering": ({1}, {2, 3}),
    "dtmi:dtdl:extension:quantitativeTypes": ({1}, {3}),
    "dtmi:dtdl:extension:annotation": ({1, 2}, {3}),
    "dtmi:dtdl:extension:overriding": ({1, 2}, {3}),
    "dtmi:dtdl:extension:historization": ({1, 2}, {2, 3}),
    "dtmi:dtdl:extension:mqtt": ({1, 2, 3}, {3}),
    "dtmi:dtdl:extension:requirement": ({1}, {3}),
    "dtmi:iotcentral:context": ({2}, {2}),
}


@dataclass(frozen=True)
class Context:
    """The context in force for an element: DTDL version, extensions, unresolved affiliates."""

    version: int = 0
    extensions: frozenset[str] = frozenset()
    incomplete: bool = False  # an unknown affiliate context was allowed in

    def has(self, ext: str) -> bool:
        """Whether extension `ext` (short name, e.g. 'quantitativeTypes') is in force."""
        return ext in self.extensions


@dataclass
class ContextResult:
    """The outcome of reading one @context value: the new context and the problems found."""

    context: Context
    problems: list[tuple[str, str, Any]] = field(default_factory=list)  # (code, message, value)


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")
_SCHEMES = frozenset({"dtmi", "http", "https", "urn", "file"})


def _local_terms(defs: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Problems with local term definitions (which DTDL disallows anyway)."""
    out: list[tuple[str, str, Any]] = []
    for term, definition in defs.items():
        if term == "":
            out.append(("localTermEmpty", "a local term is empty", term))
            continue
        if term.startswith("@") or ":" in term:
            out.append(("localTermInvalid", f"local term {term!r} is invalid", term))
            continue
        if term in _SCHEMES:
            out.append(("localTermSchemePrefix", f"local term {term!r} is a URI scheme", term))
            continue
        if isinstance(definition, dict):
            if "@id" not in definition:
                out.append(("termDefinitionMissingIdProperty", f"{term!r} has no @id", term))
            elif not isinstance(definition["@id"], str):
                out.append(("termDefinitionIdPropertyNotString", f"{term!r}: @id", term))
            continue
        if not isinstance(definition, str):
            out.append(("termDefinitionNotStringOrObject", f"{term!r}: bad definition", term))
            continue
        if definition.startswith("dtmi:"):
            base = definition[:-1] if definition.endswith(":") else definition
            if not is_dtmi(base):
                out.append(("localTermDefinitionInvalidDtmi", f"{term!r}: {definition!r}", term))
        elif not _URI.match(definition):
            out.append(("localTermDefinitionInvalidUri", f"{term!r}: {definition!r}", term))
    return out


# what the DTDL context entry itself can get wrong
_DTDL_PROBLEMS = frozenset(
    {
        "unrecognizedContextVersion",
        "disallowedContextVersion",
        "invalidContextFragment",
        "disallowedContextFragment",
    }
)


def _short(base: str) -> str:
    return "iotcentral" if base.startswith("dtmi:iotcentral:") else base.rsplit(":", 1)[-1]


def read_context(
    value: Any,
    parent: Context | None,
    *,
    allow_undefined: bool | None = None,
    max_version: int = 3,
) -> ContextResult:
    """Interpret an @context value, inheriting from the parent context.

    `allow_undefined` None is the official default: undefined extensions allowed in DTDL v2 only.
    """
    ctx = parent or Context()
    out = ContextResult(ctx)
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        if parent is None:
            out.problems.append(("emptyContext", "@context is an empty list", None))
        return out
    version = ctx.version
    exts = set(ctx.extensions)
    incomplete = ctx.incomplete
    saw_affiliate = False
    saw_dtdl = False
    premature = False
    for i, item in enumerate(items):
        if isinstance(item, dict):
            # DTDLParser 1.1 names one problem: the misplacement, a malformed term definition,
            # or else that local definitions are not allowed at all
            specific = [p for p in _local_terms(item) if p[0].startswith("termDefinition")]
            if i != len(items) - 1:
                specific.insert(0, ("localContextNotLast", "a local context must come last", None))
            out.problems.extend(
                specific
                or [("disallowedLocalContext", "local term definitions are not allowed", None)]
            )
            continue
        if not isinstance(item, str):
            out.problems.append(
                ("invalidContext", f"@context entry {item!r} is not a string", item)
            )
            continue
        spec, _, frag = item.partition("#")
        m = DTDL_CONTEXT.match(spec)
        if m:
            if frag:
                known_frag = frag in ("limitless", "limits")
                code = "disallowedContextFragment" if known_frag else "invalidContextFragment"
                out.problems.append((code, f"context {item!r} may not have a fragment", item))
            ver = m.group(1)
            if ver is None or ver == "":
                code = (
                    "invalidContextSpecifierForVersion" if version == 2 else "missingContextVersion"
                )
                out.problems.append((code, f"context {item!r} has no version", item))
                continue
            if not ver.isdigit() or int(ver) not in (2, 3, 4):
                out.problems.append(
                    ("unrecognizedContextVersion", f"DTDL context version {ver!r} is unknown", item)
                )
                continue
            if ctx.version == 2 and int(ver) == 3:
                out.problems.append(
                    ("disallowedVersionDefinition", "a DTDL v3 element inside a v2 one", item)
                )
                continue
            if int(ver) > max_version:
                out.problems.append(
                    ("disallowedContextVersion", f"DTDL version {ver} is not allowed here", item)
                )
                continue
            if saw_affiliate and saw_dtdl:
                out.problems.append(
                    ("dtdlContextFollowsAffiliate", "the DTDL context must come first", item)
                )
            elif saw_affiliate and int(ver) >= 3:
                code = "missingDtdlContext" if parent is None else "dtdlContextFollowsAffiliate"
                out.problems.append((code, "the DTDL context must come first", item))
            if not saw_affiliate:
                exts = set()
            saw_dtdl = True
            version = int(ver)
            continue
        saw_affiliate = True
        if not saw_dtdl and EXTENSIONS.get(spec.partition(";")[0]) is None:
            premature = True  # an unknown context before DTDL's: no DTDL context to read it by
        if not spec.startswith("dtmi:"):
            out.problems.append(
                ("nonDtmiContextSpecifier", f"context {item!r} is not a DTMI", item)
            )
            continue
        base, semi, ver = spec.partition(";")
        if not is_dtmi(base) and not is_dtmi(spec):
            out.problems.append(
                ("invalidContextSpecifier", f"context {item!r} is not a valid DTMI", item)
            )
            continue
        if not semi:
            code = "invalidContextSpecifierForVersion" if version == 2 else "missingContextVersion"
            out.problems.append((code, f"context {item!r} has no version", item))
            continue
        if "." in ver and version == 2:
            out.problems.append(
                (
                    "invalidContextSpecifierForVersion",
                    f"context {item!r}: minor versions need DTDL v3",
                    item,
                )
            )
            continue
        known = EXTENSIONS.get(base)
        major = ver.split(".")[0]
        if known is not None and major.isdigit() and int(major) in known[0]:
            exts.add(_short(base))
            continue
        if not (version == 2 if allow_undefined is None else allow_undefined):
            code = "unresolvableContextVersion" if known else "unresolvableContextSpecifier"
            out.problems.append((code, f"context {item!r} cannot be resolved", item))
            continue
        incomplete = True
    if parent is None:
        # a document's context must open with the DTDL context; DTDLParser 1.1 reports a
        # non-string entry, else a context that does not open so, else what the DTDL one holds
        bad = [p for p in out.problems if p[0] == "invalidContext"]
        dtdl = [p for p in out.problems if p[0] in _DTDL_PROBLEMS]
        if bad or dtdl:
            out.problems = bad or dtdl
        elif version == 0 or premature:
            out.problems = [("missingDtdlContext", "@context names no DTDL version first", None)]
    out.context = replace(ctx, version=version, extensions=frozenset(exts), incomplete=incomplete)
    return out
