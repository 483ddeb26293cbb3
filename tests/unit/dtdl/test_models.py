"""Loading real interfaces, resolving them from a repository, and the rules with clear errors."""

import json

import pytest

from twinbench.dtdl import DtdlError, Repository, load_models, loads
from twinbench.dtdl.dtmi import model_path


def test_model_path_follows_repository_layout():
    assert model_path("dtmi:com:example:Thermostat;1") == "dtmi/com/example/thermostat-1.json"
    with pytest.raises(ValueError):
        model_path("dtmi:com:example")


def test_thermostat_resolves_from_repository(dtdl_fixtures):
    repo = dtdl_fixtures / "models"
    controller = repo / "dtmi" / "com" / "example" / "temperaturecontroller-1.json"
    models = load_models([controller], repository=repo)
    tc = models["dtmi:com:example:TemperatureController;1"]
    comps = {c.name: c.interface for c in tc.of("Component")}
    assert comps["thermostat1"] == "dtmi:com:example:Thermostat;1"
    assert "dtmi:com:example:Thermostat;1" in models
    thermo = models["dtmi:com:example:Thermostat;1"]
    temp = thermo.get("temperature")
    assert temp is not None and temp.unit == "degreeCelsius" and temp.kind == "Telemetry"
    target = thermo.get("targetTemperature")
    assert target is not None and target.writable
    cmd = thermo.get("getMaxMinReport")
    assert cmd is not None and cmd.request is not None and cmd.response is not None


def test_unresolved_reference_names_the_dtmi(dtdl_fixtures, tmp_path):
    src = dtdl_fixtures / "models" / "dtmi" / "com" / "example" / "temperaturecontroller-1.json"
    f = tmp_path / "tc.json"
    f.write_text(src.read_text(encoding="utf-8-sig"))
    with pytest.raises(DtdlError) as err:
        load_models([f], repository=tmp_path)
    assert "dtmi:com:example:Thermostat;1" in str(err.value)
    assert str(f) in str(err.value)


def test_every_fixture_model_is_valid(dtdl_fixtures):
    repo = dtdl_fixtures / "models"
    models = load_models([repo / "dtmi"], repository=repo)
    assert len(models.interfaces) >= 10


def test_bad_name_error_names_element_path_and_rule():
    doc = {
        "@context": "dtmi:dtdl:context;3",
        "@id": "dtmi:x:y;1",
        "@type": "Interface",
        "contents": [{"@type": "Telemetry", "name": "1bad", "schema": "double"}],
    }
    with pytest.raises(DtdlError) as err:
        loads(json.dumps(doc), "m.json")
    text = str(err.value)
    assert "m.json" in text and "dtmi:x:y:_contents:__1bad;1" in text and "contents[0].name" in text
    assert "stringInvalid" in text


def test_invalid_json_names_line(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{\n  "@context": "dtmi:dtdl:context;2",\n  oops\n}')
    with pytest.raises(DtdlError) as err:
        load_models([f])
    assert "bad.json" in str(err.value) and "line 3" in str(err.value)


def test_schema_check_types_values():
    doc = {
        "@context": "dtmi:dtdl:context;2",
        "@id": "dtmi:x:y;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Property", "name": "speed", "schema": "integer", "writable": True},
            {
                "@type": "Property",
                "name": "mode",
                "writable": True,
                "schema": {
                    "@type": "Enum",
                    "valueSchema": "string",
                    "enumValues": [{"name": "auto", "enumValue": "auto"}],
                },
            },
        ],
    }
    iface = loads(json.dumps(doc))["dtmi:x:y;1"]
    speed = iface.get("speed").schema
    assert speed.check(3) is None and speed.check("3") and speed.check(2**40)
    mode = iface.get("mode").schema
    assert mode.check("auto") is None and mode.check("manual")


def test_repository_fetch_skips_missing(tmp_path):
    assert Repository(tmp_path).fetch(["dtmi:a:b;1"]) == []
