"""Terms the DTDL language defines: element properties, classes, semantic types and units."""

from __future__ import annotations

import re

from twinbench.dtdl import cotypes as ct
from twinbench.dtdl.context import Context
from twinbench.dtdl.metamodel import METAMODEL
from twinbench.dtdl.units import V2_SEMANTIC_TYPES, V2_UNITS, V3_SEMANTIC_TYPES, V3_UNITS

KNOWN_TERMS = frozenset(
    {n for v in METAMODEL.values() for c in v.values() for n in (c.name, *c.props)}
)
UNIT_TYPES = frozenset(V2_UNITS) | frozenset(V3_UNITS)
CLASS_TERMS = frozenset(
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
V2_TERMS = KNOWN_TERMS | CLASS_TERMS | frozenset(V2_SEMANTIC_TYPES) | frozenset(V2_UNITS)


_ALIAS = re.compile(
    r"^dtmi:dtdl:(?:property|extension:\w+:v\d+:property|extension:\w+:v\d+:\w+):(\w+)(?:;\d+)?$"
)


def alias(key: str) -> str:
    """`dtmi:dtdl:property:name;3` -> `name` (the full IRI of a DTDL property)."""
    m = _ALIAS.match(key)
    return m.group(1) if m else key


def known(term: str, version: int, ctx: Context) -> bool:
    """Whether a term is defined by the language (or an extension in force)."""
    if term == "unit" and version == 3:
        return "quantitativeTypes" in ctx.extensions
    if term in KNOWN_TERMS or term in CLASS_TERMS or term in ct.ADJUNCT:
        return True
    if version == 2 or "quantitativeTypes" in ctx.extensions:
        return term in V2_TERMS or term in V3_UNITS or term in V3_SEMANTIC_TYPES
    return False
