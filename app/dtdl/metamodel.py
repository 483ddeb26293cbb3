"""The DTDL v2 and v3 metamodels: element classes, their properties and the limits of each."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PRIMITIVES_V2 = frozenset(
    [
        "boolean",
        "date",
        "dateTime",
        "double",
        "duration",
        "float",
        "integer",
        "long",
        "string",
        "time",
    ]
)
# DTDLParser 1.1 knows these only from DTDL v4: under v3 they are undefined terms (badDtmiOrTerm)
PRIMITIVES_V4_ONLY = frozenset(
    [
        "byte",
        "bytes",
        "decimal",
        "short",
        "unsignedByte",
        "unsignedInteger",
        "unsignedLong",
        "unsignedShort",
        "uuid",
    ]
)
PRIMITIVES_V3 = PRIMITIVES_V2
ALL_PRIMITIVES = PRIMITIVES_V2 | PRIMITIVES_V4_ONLY
GEOSPATIAL = frozenset(
    ["point", "lineString", "polygon", "multiPoint", "multiLineString", "multiPolygon"]
)
NUMERIC = frozenset(
    [
        "double",
        "float",
        "integer",
        "long",
        "byte",
        "short",
        "decimal",
        "unsignedByte",
        "unsignedShort",
        "unsignedInteger",
        "unsignedLong",
    ]
)
COMPLEX = ("Array", "Enum", "Map", "Object")
CONTENTS = ("Command", "Component", "Property", "Relationship", "Telemetry")
SCHEMA_CLASSES = (*COMPLEX,)


@dataclass(frozen=True)
class Prop:
    """One property of an element class: its value kind, cardinality and limits."""

    name: str
    kind: str  # string, langstring, boolean, integer, dtmi, object, literal, term
    required: bool = False
    plural: bool = False
    classes: tuple[str, ...] = ()  # allowed classes of object values
    infer: str | None = None  # class assumed when an inline object has no @type
    schema: bool = False  # a value may also be a primitive schema term
    max_len: int | None = None
    pattern: bool = False  # must follow the name rules
    min_value: int | None = None
    max_value: int | None = None
    max_count: int | None = None
    min_count: int | None = None
    choices: tuple[str, ...] = ()
    default: object = None


@dataclass(frozen=True)
class ElementClass:
    """A DTDL element class: its properties and whether it may stand at the top level."""

    name: str
    props: dict[str, Prop] = field(default_factory=dict)
    rootable: bool = False
    semantic: bool = False  # may be co-typed with a semantic type (and then carries `unit`)
    named: bool = False


def _common(version: int) -> list[Prop]:
    disp = 64 if version == 2 else 512
    return [
        Prop("comment", "string", max_len=512),
        Prop("description", "langstring", max_len=512),
        Prop("displayName", "langstring", max_len=disp),
    ]


def _cls(
    name: str, version: int, props: list[Prop], *, rootable: bool = False, semantic: bool = False
) -> ElementClass:
    all_props = {p.name: p for p in (*_common(version), *props)}
    return ElementClass(name, all_props, rootable, semantic, "name" in all_props)


def build(version: int) -> dict[str, ElementClass]:
    """The element classes of DTDL `version` (2 or 3)."""
    name_len = 64 if version == 2 else 512
    name = Prop("name", "string", required=True, max_len=name_len, pattern=True)
    schema = Prop("schema", "object", required=True, classes=COMPLEX, schema=True)
    v2 = version == 2
    payload = "CommandPayload" if v2 else None
    classes = [
        _cls(
            "Interface",
            version,
            [
                Prop(
                    "contents",
                    "object",
                    plural=True,
                    classes=CONTENTS,
                    max_count=300 if v2 else None,
                ),
                Prop(
                    "extends",
                    "object",
                    plural=True,
                    classes=("Interface",),
                    max_count=2 if v2 else 12,
                ),
                Prop("schemas", "object", plural=True, classes=COMPLEX),
            ],
            rootable=True,
        ),
        _cls("Telemetry", version, [name, schema, Prop("unit", "term")], semantic=True),
        _cls(
            "Property",
            version,
            [name, schema, Prop("unit", "term"), Prop("writable", "boolean", default=False)],
            semantic=True,
        ),
        _cls(
            "Command",
            version,
            [
                name,
                Prop("commandType", "term", choices=("synchronous", "asynchronous")),
                Prop(
                    "request",
                    "object",
                    classes=(payload or "CommandRequest",),
                    infer=payload or "CommandRequest",
                ),
                Prop(
                    "response",
                    "object",
                    classes=(payload or "CommandResponse",),
                    infer=payload or "CommandResponse",
                ),
            ],
        ),
        _cls(
            "Relationship",
            version,
            [
                name,
                Prop("maxMultiplicity", "integer", min_value=1, max_value=500 if v2 else None),
                Prop("minMultiplicity", "integer", min_value=0, max_value=0),
                Prop(
                    "properties",
                    "object",
                    plural=True,
                    classes=("Property",),
                    max_count=300 if v2 else None,
                ),
                Prop("target", "dtmi", classes=("Interface",)),
                Prop("writable", "boolean", default=False),
            ],
        ),
        _cls(
            "Component",
            version,
            [name, Prop("schema", "object", required=True, classes=("Interface",))],
        ),
        _cls(
            "Array",
            version,
            [Prop("elementSchema", "object", required=True, classes=COMPLEX, schema=True)],
            rootable=not v2,
        ),
        _cls(
            "Enum",
            version,
            [
                Prop(
                    "enumValues",
                    "object",
                    plural=True,
                    classes=("EnumValue",),
                    infer="EnumValue",
                    required=v2,
                    max_count=100 if v2 else None,
                    min_count=1 if v2 else None,
                ),
                Prop("valueSchema", "term", required=True, choices=("integer", "string")),
            ],
            rootable=not v2,
        ),
        _cls("EnumValue", version, [name, Prop("enumValue", "literal", required=True)]),
        _cls(
            "Map",
            version,
            [
                Prop("mapKey", "object", required=True, classes=("MapKey",), infer="MapKey"),
                Prop("mapValue", "object", required=True, classes=("MapValue",), infer="MapValue"),
            ],
            rootable=not v2,
        ),
        _cls("MapKey", version, [name, Prop("schema", "term", required=True, choices=("string",))]),
        _cls("MapValue", version, [name, schema], semantic=not v2),
        _cls(
            "Object",
            version,
            [
                Prop(
                    "fields",
                    "object",
                    plural=True,
                    classes=("Field",),
                    infer="Field",
                    required=v2,
                    max_count=30 if v2 else None,
                    min_count=1 if v2 else None,
                )
            ],
            rootable=not v2,
        ),
        _cls("Field", version, [name, schema], semantic=not v2),
    ]
    if v2:
        classes.append(_cls("CommandPayload", version, [name, schema]))
    else:
        classes.append(_cls("CommandRequest", version, [name, schema], semantic=True))
        classes.append(
            _cls(
                "CommandResponse",
                version,
                [name, schema, Prop("nullable", "boolean")],
                semantic=True,
            )
        )
    out = {c.name: c for c in classes}
    if v2:
        out["Array"] = replace(out["Array"], rootable=False)
    return out


METAMODEL: dict[int, dict[str, ElementClass]] = {2: build(2), 3: build(3)}
DEPTH_LIMIT = 5
EXTENDS_DEPTH = 10
