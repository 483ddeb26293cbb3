"""Cases where TwinBench once disagreed with the official DTDLParser 1.1.3; the expected verdicts
and ValidationIDs below are the official parser's answers (WASM build, default options)."""

from typing import Any

import pytest

from twinbench.dtdl import validate_documents

ENUM = {"@type": "Enum", "valueSchema": "integer", "enumValues": [{"name": "a", "enumValue": 1}]}
IC = "dtmi:iotcentral:context;2"


def iface(schema: Any, version: int = 3, kind: str = "Telemetry", **extra: Any) -> dict:
    """An Interface holding one content; `cotype`, `unit` and `context` go in `extra`."""
    cot = extra.pop("cotype", None)
    content = {"@type": [kind, cot] if cot else kind, "name": "t", "schema": schema, **extra}
    ctx = [f"dtmi:dtdl:context;{version}", *extra_ctx(content)]
    return {
        "@context": ctx if len(ctx) > 1 else ctx[0],
        "@id": "dtmi:com:x;1",
        "@type": "Interface",
        "contents": [content],
    }


def extra_ctx(content: dict) -> list[str]:
    return [content.pop("context")] if "context" in content else []


def nest(depth: int, leaf: Any) -> Any:
    for i in range(depth):
        leaf = {"@type": "Object", "fields": [{"name": f"f{i}", "schema": leaf}]}
    return leaf


def ids(doc: dict, **options: Any) -> set[str]:
    result = validate_documents([("t.json", doc)], **options)
    assert not result.unresolved
    return {i.code for i in result.issues}


@pytest.mark.parametrize("schema", ["bytes", "uuid", "unsignedInteger", "short", "decimal"])
def test_v4_primitives_are_undefined_terms_in_v3(schema):
    assert ids(iface(schema, 3)) == {"badDtmiOrTerm", "objectCountBelowMin"}
    assert ids(iface("long", 3)) == set()


def test_duplicate_field_and_enum_value_names():
    fields = {"@type": "Object", "fields": [{"name": "a", "schema": "double"}] * 2}
    assert ids(iface(fields)) == {"nonUniquePropertyValue"}
    twice = dict(ENUM, enumValues=[{"name": "a", "enumValue": 1}, {"name": "a", "enumValue": 2}])
    assert ids(iface(twice)) == {"nonUniquePropertyValue"}


def test_geospatial_schema_on_a_v2_property_holds_an_array():
    assert ids(iface("point", 2, "Property")) == {"excludedType"}
    assert ids(iface("point", 2, "Telemetry")) == set()
    assert ids(iface("point", 3, "Property")) == set()


@pytest.mark.parametrize(
    ("leaf", "deepest_ok"),
    [(ENUM, 5), ("integer", 5), ({"@type": "Array", "elementSchema": "integer"}, 4),
     ("point", 3), ("lineString", 2), ("polygon", 1), ("multiPolygon", 0)],
)  # fmt: skip
def test_schema_depth_counts_as_the_official_parser(leaf, deepest_ok):
    assert ids(iface(nest(deepest_ok, leaf), 2)) == set()
    assert ids(iface(nest(deepest_ok + 1, leaf), 3)) == {"excessiveDepthWide"}


def test_undefined_extension_default_is_per_version():
    v2 = iface("integer", 2, context="dtmi:foo:ext;1")
    v3 = iface("integer", 3, context="dtmi:foo:ext;1")
    assert ids(v2) == set()
    assert ids(v3) == {"unresolvableContextSpecifier"}
    assert ids(v3, allow_undefined_extensions=True) == set()
    assert ids(v2, allow_undefined_extensions=False) == {"unresolvableContextSpecifier"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (dict(schema=ENUM, kind="Property", cotype="State"), set()),
        (dict(schema="integer", kind="Property", cotype="State"), {"notRequiredType"}),
        (dict(schema="double", kind="Property", cotype="Event"), set()),
        (dict(schema=ENUM, cotype="Event"), {"notRequiredType"}),
        (dict(schema="date", cotype="Event"), {"notRequiredType"}),
        (dict(schema="vector", cotype="AccelerationVector", unit="metrePerSecondSquared"), set()),
        (dict(schema="vector", cotype="VelocityVector", unit="metrePerSecond"), set()),
        (dict(schema="vector", cotype="AccelerationVector"), set()),
        (dict(schema="vector", cotype="AccelerationVector", unit="metrePerSecond"),
         {"notRequiredType"}),
        (dict(schema="double", cotype="VelocityVector", unit="metrePerSecond"),
         {"notRequiredValue"}),
        (dict(schema="point", kind="Property", cotype="Location"), {"excludedType"}),
        (dict(schema="statetype", cotype="State"), {"badDtmiOrTerm", "objectCountBelowMin"}),
    ],
)  # fmt: skip
def test_iot_central_semantic_types(content, expected):
    schema = content.pop("schema")
    kind = content.pop("kind", "Telemetry")
    assert ids(iface(schema, 2, kind, context=IC, **content)) == expected


def test_v2_leaves_undefined_cotypes_alone():
    # 8 public IoT Plug and Play models use IoT Central's Event without its context
    assert ids(iface("string", 2, cotype="Event")) == set()
    assert ids(iface("string", 3, cotype="Event")) == {"typeUndefinedTerm"}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (iface("integer", 3, unit="metre", cotype="Temperature",
               context="dtmi:dtdl:extension:quantitativeTypes;1"), {"wrongParent"}),
        (iface("integer", 2, unit="metre", cotype="Temperature"), {"notRequiredType"}),
        (iface("integer", 2, kind="Command", unit="metre"), {"noTypeThatAllows"}),
        (iface("integer", 3, writable=True), {"propertyIrrelevantDtmiOrTerm"}),
        (iface("integer", 3, foo=1), {"propertyUndefinedTerm"}),
        (iface("integer", 2, name=None), {"dtmiSegPropertyNotStringOrNumber"}),
        (iface("integer", 2, name=True), {"dtmiSegPropertyNotStringOrNumber"}),
        (iface("integer", 2, name=42), {"stringNotString"}),
        (iface("Telemetry", 3), {"badType"}),
        (iface("byte", 2), {"badType"}),
    ],
)  # fmt: skip
def test_one_validation_id_per_problem_as_dtdlparser_1_1(doc, expected):
    assert ids(doc) == expected


def verdict(doc: dict) -> tuple[str, set[str]]:
    result = validate_documents([("t.json", doc)])
    if result.issues:
        return "Parsing", {i.code for i in result.issues}
    return ("Resolution", set()) if result.unresolved else ("valid", set())


def content(c: dict, version: int = 2, ctx: Any = None) -> dict:
    return {
        "@context": ctx or f"dtmi:dtdl:context;{version}",
        "@id": "dtmi:com:x;1",
        "@type": "Interface",
        "contents": [c],
    }


TEMP = ["Telemetry", "Temperature"]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (content({"@type": "Command", "name": "c", "request": []}), ("valid", set())),
        (content({"@type": "Relationship", "name": "r", "target": "double"}), ("valid", set())),
        (content({"@type": TEMP, "name": "t", "schema": "dtmi:com:s;1", "unit": "kelvin"}),
         ("Resolution", set())),
        (content({"@type": "Telemetry", "name": "t", "schema": {
            "@type": "Enum", "valueSchema": "dtmi:com:s;1",
            "enumValues": [{"name": "a", "enumValue": 1}]}}), ("Resolution", set())),
        (content({"@type": "Command", "name": "c", "request": {
            "@type": "CommandPayload", "name": "p", "schema": "double"}}, 3),
         ("Parsing", {"badType"})),
        (content({"@type": "Telemetry", "name": "t", "schema": "double"}, ctx=[
            "dtmi:com:unknown;1", "dtmi:dtdl:context;2"]), ("Parsing", {"missingDtdlContext"})),
        (content({"@type": "Telemetry", "name": "t", "schema": "double"}, ctx=[
            "dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"]), ("valid", set())),
        (content({"@type": "Telemetry", "name": "t", "schema": "double",
                  "displayName": {"@type": "Object", "fields": []}}),
         ("Parsing", {"langMapObjKeyword", "langStringInvalidCode", "langStringValueNotString"})),
        (content({"@type": "Component", "name": "c", "schema": "double", "unit": "kelvin"}),
         ("Parsing", {"noTypeThatAllows"})),
        (content({"@type": "Component", "name": "c", "schema": "double"}),
         ("Parsing", {"badType"})),
    ],
)  # fmt: skip
def test_verdicts_found_by_mutating_the_public_corpus(doc, expected):
    """Rules the official parser showed on mutated IoT Plug and Play models."""
    assert verdict(doc) == expected
