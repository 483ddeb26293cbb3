"""Binding declarations and their evaluation: values, bad input, missing channels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twinbench.errors import ConfigError
from twinbench.events import EventLog
from twinbench.visuals.bindings import (
    Binding,
    default_bindings,
    load_view_config,
    parse_binding,
    parse_view_config,
)
from twinbench.visuals.live import Evaluator
from twinbench.visuals.rotations import (
    check_quaternion,
    colormap,
    euler_to_quat,
    quat_to_euler,
    quat_to_matrix,
)

Q = ("qw", "qx", "qy", "qz")


def test_profile_section_round_trip(tmp_path):
    path = tmp_path / "rig.toml"
    path.write_text(
        """
[view3d]
[[view3d.devices]]
device = "rig"
model = "builtin:motor_rig"
position = [1.0, 0.0, 0.0]

[[view3d.bindings]]
kind = "orientation"
device = "rig"
form = "euler"
channels = ["roll", "pitch", "yaw"]
units = "deg"
order = "xyz"

[[view3d.bindings]]
kind = "color"
device = "rig"
part = "motor"
channels = ["temp"]
colormap = "hot"
range = [0, 100]
"""
    )
    cfg = load_view_config(str(path))
    assert cfg.devices[0].position == (1.0, 0.0, 0.0)
    o, c = cfg.bindings
    assert (o.form, o.units, o.order) == ("euler", "deg", "xyz")
    assert (c.part, c.colormap, c.range) == ("motor", "hot", (0.0, 100.0))
    assert "rig.toml: [[view3d.bindings]] #2" in c.origin


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ({"kind": "spin", "device": "d"}, "'kind' must be one of"),
        ({"kind": "orientation", "device": "d", "channels": ["a", "b"]}, "takes 4 channels"),
        ({"kind": "color", "device": "d", "channels": ["t"], "colormap": "x"}, "'colormap'"),
        ({"kind": "color", "device": "d", "channels": ["t"], "range": [1, 1]}, "'range'"),
        ({"kind": "orientation", "device": "d", "channels": Q, "order": "xxy"}, "'order'"),
        ({"kind": "imu", "device": "d", "channels": ["a"] * 5}, "6 or 9 channels"),
        ({"kind": "label", "device": "d", "colour": "red"}, "unknown key 'colour'"),
        ({"kind": "label", "device": ""}, "'device'"),
    ],
)
def test_bad_binding_names_origin_and_key(item, needle):
    with pytest.raises(ConfigError) as exc:
        parse_binding(dict(item, channels=list(item.get("channels", ["x"]))), "p.toml: #3")
    assert needle in str(exc.value)
    assert str(exc.value).startswith("p.toml: #3")


def test_bad_toml_and_unknown_section_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[view3d\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        load_view_config(str(bad))
    with pytest.raises(ConfigError, match="unknown key 'binding'"):
        parse_view_config({"binding": []}, "x.toml")
    with pytest.raises(ConfigError, match="no such profile"):
        load_view_config(str(tmp_path / "nope.toml"))


def test_quaternion_checks():
    q, why = check_quaternion([2.0, 0, 0, 0])
    assert q is None and "not unit" in why and "norm 2" in why
    q, why = check_quaternion([math.nan, 0, 0, 0])
    assert q is None and "not finite" in why
    q, why = check_quaternion([0, 0, 0, 0])
    assert q is None
    q, _ = check_quaternion([1.01, 0, 0, 0])
    assert q is not None and np.isclose(np.linalg.norm(q), 1.0)


def test_euler_conventions_and_matrix():
    q = euler_to_quat(0.1, -0.2, 0.3)
    assert np.allclose(quat_to_euler(q), [0.1, -0.2, 0.3])
    yaw90 = quat_to_matrix(euler_to_quat(0, 0, np.pi / 2))
    assert np.allclose(yaw90 @ [1, 0, 0], [0, 1, 0])
    # a different axis order gives a different rotation for the same angles
    assert not np.allclose(euler_to_quat(0.5, 0.5, 0, "xyz"), euler_to_quat(0.5, 0.5, 0, "yxz"))


def test_colormap_range_is_clipped():
    assert colormap("thermal", 500.0, 20, 90) == colormap("thermal", 90.0, 20, 90)
    r, g, b, _ = colormap("thermal", 90.0, 20, 90)
    assert r > 0.9 and g < 0.1 and b < 0.1
    r, g, b, _ = colormap("thermal", 20.0, 20, 90)
    assert b > 0.9 and r < 0.2


def test_evaluator_keeps_previous_pose_on_bad_quaternion():
    ev = Evaluator(bindings=[Binding("orientation", "d", "", Q, origin="p")])
    good = dict(zip(Q, euler_to_quat(0, 0, 0.5), strict=True))
    st = ev.evaluate({"d": good}, 0.0)["d"]
    assert np.allclose(quat_to_euler(st.rotation)[2], 0.5)
    for bad, needle in (({"qw": math.nan}, "not finite"), ({"qw": 3.0}, "not unit")):
        st = ev.evaluate({"d": dict(good, **bad)}, 0.0)["d"]
        assert np.allclose(quat_to_euler(st.rotation)[2], 0.5)
        assert needle in ev.messages[0] and "previous pose kept" in ev.messages[0]
    ev.evaluate({"d": good}, 0.0)
    assert 0 not in ev.messages


def test_euler_binding_in_degrees():
    b = Binding("orientation", "d", "", ("r", "p", "y"), form="euler", units="deg")
    st = Evaluator(bindings=[b]).evaluate({"d": {"r": 0.0, "p": 0.0, "y": 90.0}}, 0.0)["d"]
    assert np.allclose(np.degrees(quat_to_euler(st.rotation)), [0, 0, 90])


def test_binding_to_missing_channel_is_reported_and_inactive():
    ev = Evaluator(
        bindings=[
            Binding("color", "d", "motor", ("tmp",), origin="rig.toml: #1"),
            Binding("label", "d", "motor", ("rpm",), origin="rig.toml: #2"),
        ]
    )
    problems = ev.check_channels("d", ("temperature", "rpm"))
    assert problems == [
        "rig.toml: #1: color of d/motor: channel 'tmp' does not exist on device 'd'; "
        "binding inactive"
    ]
    st = ev.evaluate({"d": {"temperature": 50.0, "rpm": 1200.0}}, 0.0)["d/motor"]
    assert st.color is None and st.label == "rpm 1200.0"


def test_alarm_blinks_while_raised_and_hides_when_asked():
    log = EventLog()
    ev = Evaluator(
        bindings=[
            Binding("alarm", "d", "motor"),
            Binding("alarm", "d", "shaft", rule="overspeed", mode="hide"),
        ]
    )
    log.listen(ev.alarms.on_event)
    assert ev.evaluate({"d": {}}, 0.1)["d/motor"].visible
    log.emit("alarm", "d", "hot", rule="overtemp", severity="major", state="raised", value=99.0)
    on, off = ev.evaluate({"d": {}}, 0.1), ev.evaluate({"d": {}}, 0.3)
    assert on["d/motor"].visible and not off["d/motor"].visible
    assert on["d/motor"].color == (1.0, 0.1, 0.1, 1.0)
    assert on["d/shaft"].visible  # a different rule
    log.emit("alarm", "d", "fast", rule="overspeed", severity="warning", state="acked", value=1.0)
    assert not ev.evaluate({"d": {}}, 0.1)["d/shaft"].visible
    log.emit("alarm", "d", "ok", rule="overtemp", severity="major", state="cleared", value=50.0)
    assert ev.evaluate({"d": {}}, 0.3)["d/motor"].visible


def test_default_bindings_follow_the_sim_channels():
    from twinbench.drivers.sim.model import BASE_CHANNELS

    names = [c.name for c in BASE_CHANNELS]
    kinds = {(b.kind, b.part, b.channels) for b in default_bindings("sim", names)}
    assert ("orientation", "", Q) in kinds
    assert ("color", "motor", ("temperature",)) in kinds
    assert ("label", "motor", ("temperature", "rpm")) in kinds
    euler = default_bindings("x", ["roll", "pitch", "yaw"])[0]
    assert (euler.kind, euler.form) == ("orientation", "euler")


def test_position_binding_scales_and_keeps_last_good_value():
    ev = Evaluator(bindings=[Binding("position", "d", "", ("x", "y", "z"), scale=0.001)])
    st = ev.evaluate({"d": {"x": 100.0, "y": -50.0, "z": 0.0}}, 0.0)["d"]
    assert np.allclose(st.position, [0.1, -0.05, 0.0])
    st = ev.evaluate({"d": {"x": math.nan, "y": 0.0, "z": 0.0}}, 0.0)["d"]
    assert st.position is None and "not finite" in ev.messages[0]


def test_binding_to_a_part_the_model_lacks_is_reported():
    ev = Evaluator(bindings=[Binding("color", "d", "rotor", ("t",), origin="p.toml: #1")])
    (msg,) = ev.check_parts("d", ["base", "motor"])
    assert msg == (
        "p.toml: #1: color of d/rotor: the model has no part 'rotor' (parts: base, motor); "
        "binding inactive"
    )
    assert ev.evaluate({"d": {"t": 1.0}}, 0.0) == {}


def test_hub_latest_reads_the_last_row_of_each_layout():
    from twinbench.hub import Hub
    from twinbench.model import Chunk
    from twinbench.visuals.live import hub_latest

    hub = Hub()
    hub.publish(Chunk("d", ("a", "b"), np.array([1, 2]), np.array([[1.0, 2.0], [3.0, 4.0]])))
    hub.publish(Chunk("d", ("c",), np.array([3]), np.array([[9.0]])))
    assert hub_latest(hub) == {"d": {"a": 3.0, "b": 4.0, "c": 9.0}}
