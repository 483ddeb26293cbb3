"""The shipped motor rig model, its binding, and desired values checked against the schema."""

import json

import pytest

from twinbench.dtdl import loads
from twinbench.twin import TwinDocument, TwinError, default_binding
from twinbench.twin.binding import binding_from


@pytest.fixture
def rig():
    b = default_binding("sim")
    assert b is not None
    return b


def test_sim_model_ships_telemetry_properties_commands(rig):
    iface = rig.interface
    tele = {c.name: c.unit for c in iface.of("Telemetry")}
    assert tele["temperature"] == "degreeCelsius" and tele["rpm"] == "revolutionPerMinute"
    assert set(tele) >= {"temperature", "current", "rpm", "vibration", "voltage", "orientation"}
    assert set(rig.writable()) == {"targetSpeed", "alarmTemperature", "mode"}
    assert {c.name for c in iface.of("Command")} == {"reboot", "selfTest"}
    assert rig.composites["orientation"] == ("qw", "qx", "qy", "qz")


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"targetSpeed": "fast"}, "not a number"),
        ({"mode": "turbo"}, "not one of"),
        ({"serialNumber": "X"}, "read-only"),
        ({"nope": 1}, "no property"),
        ({"targetSpeed": 7000}, "outside 0..6000"),
        ({"targetSpeed": 100, "mode": 3}, "mode"),
    ],
)
def test_wrong_desired_values_refused_nothing_applied(rig, patch, needle):
    doc = TwinDocument("sim")
    doc.validator = rig.check_desired
    doc.patch_desired({"targetSpeed": 1000})
    before = json.dumps(doc.to_json(), sort_keys=True)
    with pytest.raises(TwinError, match=needle):
        doc.patch_desired(patch)
    assert json.dumps(doc.to_json(), sort_keys=True) == before


def test_component_patches_check_the_component_interface():
    doc = [
        {
            "@context": "dtmi:dtdl:context;2",
            "@id": "dtmi:x:Inner;1",
            "@type": "Interface",
            "contents": [
                {"@type": "Property", "name": "level", "schema": "integer", "writable": True}
            ],
        },
        {
            "@context": "dtmi:dtdl:context;2",
            "@id": "dtmi:x:Outer;1",
            "@type": "Interface",
            "contents": [{"@type": "Component", "name": "tank", "schema": "dtmi:x:Inner;1"}],
        },
    ]
    b = binding_from(loads(json.dumps(doc)), {"model": "dtmi:x:Outer;1"})
    b.check_desired({"tank": {"__t": "c", "level": 3}})
    with pytest.raises(TwinError, match="tank.level"):
        b.check_desired({"tank": {"level": "high"}})
