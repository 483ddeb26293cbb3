"""Co-types: semantic types (with units) and the adjunct types of DTDL extensions."""

from __future__ import annotations

from dataclasses import dataclass

from twinbench.dtdl.metamodel import Prop
from twinbench.dtdl.units import V2_SEMANTIC_TYPES, V2_UNITS, V3_SEMANTIC_TYPES, V3_UNITS

IOTCENTRAL_TYPES = {
    "Location": ("Telemetry", "Property"),
    "Event": ("Telemetry", "Property"),
    "State": ("Telemetry", "Property"),
    "AccelerationVector": ("Telemetry", "Property"),
    "VelocityVector": ("Telemetry", "Property"),
}
# the vectors take an optional unit of this unit type
IOTCENTRAL_UNIT_TYPES = {"AccelerationVector": "AccelerationUnit", "VelocityVector": "VelocityUnit"}
IOTCENTRAL_SCHEMAS = frozenset({"vector", "geopoint"})
# iotcentral semantic types constrain the schema: (schema terms or a class, ValidationID)
IOTCENTRAL_SCHEMA_RULE = {
    "AccelerationVector": ("vector", "notRequiredValue"),
    "VelocityVector": ("vector", "notRequiredValue"),
    "Location": (
        "geopoint point lineString polygon multiPoint multiLineString multiPolygon",
        "notRequiredValue",
    ),
    "Event": ("integer long float double string", "notRequiredType"),
    "State": ("Enum", "notRequiredType"),
}


@dataclass(frozen=True)
class Cotype:
    """An adjunct type: the extension that defines it, where it applies, what it adds."""

    name: str
    extension: str  # "" for core semantic types of DTDL v2
    applies: tuple[str, ...]
    props: tuple[Prop, ...] = ()
    dtdl_versions: tuple[int, ...] = (2, 3)
    unit_type: str | None = None  # semantic types: the unit type of `unit`


_SEM_V2 = ("Telemetry", "Property")
_SEM_V3 = ("Telemetry", "Property", "Field", "MapValue", "CommandRequest", "CommandResponse")
_UNIT = Prop("unit", "term", required=True)

_ADJUNCT = [
    Cotype(
        "Historized",
        "historization",
        ("Property", "Telemetry"),
        (),
        (3,),
    ),
    Cotype(
        "Layer",
        "layering",
        ("Interface", "Telemetry", "Property", "Command", "Relationship", "Component"),
    ),
    Cotype(
        "ValueAnnotation",
        "annotation",
        ("Property", "Telemetry"),
        (Prop("annotates", "string", required=True),),
        (3,),
    ),
    Cotype(
        "Override",
        "overriding",
        ("Property",),
        (Prop("overrides", "string", required=True),),
        (3,),
    ),
    Cotype(
        "Mqtt",
        "mqtt",
        ("Interface",),
        (
            Prop("payloadFormat", "string", required=True),
            Prop("telemetryTopic", "string"),
            Prop("commandTopic", "string"),
            Prop("telemetryServiceGroupId", "string"),
            Prop("commandServiceGroupId", "string"),
        ),
        (3,),
    ),
    Cotype(
        "Indexed",
        "mqtt",
        ("Telemetry", "Property", "Command", "Field"),
        (Prop("index", "integer", required=True, min_value=0),),
        (3,),
    ),
    Cotype("Idempotent", "mqtt", ("Command",), (), (3,)),
    Cotype("Cacheable", "mqtt", ("Command",), (Prop("ttl", "string", required=True),), (3,)),
    Cotype("Required", "requirement", ("Field",), (), (3,)),
]
ADJUNCT = {c.name: c for c in _ADJUNCT}


def semantic_types(version: int, extensions: frozenset[str]) -> dict[str, str]:
    """Semantic type -> unit type, as available under this version and these extensions."""
    if version == 2:
        return V2_SEMANTIC_TYPES
    return V3_SEMANTIC_TYPES if "quantitativeTypes" in extensions else {}


def units_of(version: int, unit_type: str) -> frozenset[str]:
    """The units of a unit type."""
    table = V2_UNITS if version == 2 else V3_UNITS
    return table.get(unit_type, frozenset())


def all_units(version: int) -> frozenset[str]:
    """Every unit name of a version."""
    table = V2_UNITS if version == 2 else V3_UNITS
    out: set[str] = set()
    for units in table.values():
        out |= units
    return frozenset(out)


def lookup(
    term: str, material: str, version: int, extensions: frozenset[str]
) -> Cotype | str | None:
    """Resolve a co-type term: a Cotype, None when undefined, or an error code."""
    if term == "SemanticType":
        return "abstractSupplementalType"
    sem = semantic_types(version, extensions)
    if term in sem:
        applies = _SEM_V2 if version == 2 else _SEM_V3
        if material not in applies:
            return "invalidCotype"
        return Cotype(term, "", applies, (_UNIT,), unit_type=sem[term])
    if version == 2 and "iotcentral" in extensions and term in IOTCENTRAL_TYPES:
        if material not in IOTCENTRAL_TYPES[term]:
            return "invalidCotype"
        unit_type = IOTCENTRAL_UNIT_TYPES.get(term)
        props = (Prop("unit", "term"),) if unit_type else ()
        return Cotype(term, "iotcentral", IOTCENTRAL_TYPES[term], props, unit_type=unit_type)
    adj = ADJUNCT.get(term)
    if adj is not None and adj.extension in extensions:
        if material not in adj.applies:
            return "invalidCotype"
        if version not in adj.dtdl_versions:
            return "invalidCotypeVersion"
        return adj
    return None


def props_of(term: str, version: int, extensions: frozenset[str]) -> set[str]:
    """Properties a co-type would add (for telling apart properties of a rejected co-type)."""
    if term in semantic_types(version, extensions) or term in V2_SEMANTIC_TYPES:
        return {"unit"}
    adj = ADJUNCT.get(term)
    return {p.name for p in adj.props} if adj is not None else set()


def extension_props(extensions: frozenset[str]) -> set[str]:
    """Property names the extensions in force define on their co-types."""
    return {p.name for c in ADJUNCT.values() if c.extension in extensions for p in c.props}
