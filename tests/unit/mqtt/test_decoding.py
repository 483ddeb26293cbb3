"""JSON / number / CSV / IoT Hub decoding and bad input: counted per topic, never raised."""

from __future__ import annotations

import json

import numpy as np
import pytest

from twinbench.errors import ConfigError
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.rules import load_profile, rules_from_settings
from twinbench.mqtt.topictree import TopicTree, numeric_fields, render_payload


def feed(dec, msgs):
    n = len(msgs)
    return dec.feed([t for t, _ in msgs], [p for _, p in msgs], np.arange(n, dtype=np.int64),
                    [False] * n)  # fmt: skip


def cols(chunks, device, name):
    return np.concatenate([c.column(name) for c in chunks if c.device == device and name in
                           c.channels])  # fmt: skip


def test_json_paths_device_field_and_time():
    dec = MqttDecoder(rules_from_settings({"format": "json", "pattern": "site/+/up",
                      "device_field": "$.id", "channels": "t=$.env.temp, v=$.v[1]",
                      "time_field": "$.ts", "time_unit": "s"}))  # fmt: skip
    msgs = [("site/a/up", json.dumps({"id": f"b{i % 2}", "ts": i, "env": {"temp": i * 1.5},
                                      "v": [0, -i]}).encode()) for i in range(6)]  # fmt: skip
    chunks = feed(dec, msgs)
    assert list(cols(chunks, "b1", "t")) == [1.5, 4.5, 7.5]
    assert list(cols(chunks, "b0", "v")) == [0, -2, -4]
    b1 = next(c for c in chunks if c.device == "b1")
    assert list(b1.t_ns) == [1_000_000_000, 3_000_000_000, 5_000_000_000]


def test_bad_json_is_counted_per_topic_and_the_rest_decodes():
    dec = MqttDecoder(rules_from_settings({"pattern": "f/{device}"}), max_payload=100)
    msgs = [("f/a", b'{"x": 1}'), ("f/a", b'{"x": '), ("f/a", b'{"x": "hot"}'),
            ("f/b", b"x" * 101), ("f/a", b'{"x": 4}'), ("g/zz", b"1"), ("f/c", b"1e3"),
            ("f/c", b"abc"), ("f/a", b"[1, {]")]  # fmt: skip
    chunks = feed(dec, msgs)
    assert list(cols(chunks, "a", "x")) == [1.0, 4.0]
    assert list(cols(chunks, "c", "value")) == [1000.0]
    assert dec.counters.bad == {
        "f/a": {"malformed_json": 2, "wrong_type": 1},
        "f/b": {"oversize": 1},
        "g/zz": {"unmatched": 1},
        "f/c": {"wrong_type": 1},
    }
    assert dec.counters.messages["f/a"] == 5


def test_csv_columns():
    dec = MqttDecoder(rules_from_settings({"format": "csv", "pattern": "c/{device}",
                                           "columns": "a,b"}))  # fmt: skip
    chunks = feed(dec, [("c/x", b"1,2\n3,4"), ("c/x", b"5,6,7"), ("c/x", b"8,oops")])
    assert list(cols(chunks, "x", "b")) == [2, 4]
    assert dec.counters.bad["c/x"] == {"wrong_columns": 1, "wrong_type": 1}


def test_iothub_telemetry_components_twin_and_methods():
    events = []
    dec = MqttDecoder(rules_from_settings({"format": "iothub"}),
                      event=lambda *a, **k: events.append((a, k)))  # fmt: skip
    chunks = feed(dec, [
        ("devices/th1/messages/events/%24.sub=thermostat1&%24.ct=application%2Fjson",
         b'{"temperature": 21.5}'),
        ("devices/th1/messages/events/", b'{"workingSet": 12}'),
        ("$iothub/twin/PATCH/properties/reported/?$rid=7", b'{"fw": "1.2"}'),
        ("$iothub/methods/POST/reboot/?$rid=42", b'{"delay": 3}'),
    ])  # fmt: skip
    assert cols(chunks, "th1", "thermostat1.temperature")[0] == 21.5
    assert cols(chunks, "th1", "workingSet")[0] == 12
    kinds = [(a[0], k["name"], k["rid"], k["payload"]) for a, k in events]
    assert kinds == [("twin", "PATCH/properties/reported", "7", {"fw": "1.2"}),
                     ("command", "reboot", "42", {"delay": 3})]  # fmt: skip


def test_profile_rules_and_errors(tmp_path):
    prof = tmp_path / "p.toml"
    prof.write_text('[[mqtt.devices]]\ntopic = "lab/{room}/{device}"\ndevice = "{room}-{device}"'
                    '\nformat = "number"\n')  # fmt: skip
    dec = MqttDecoder(load_profile(str(prof)))
    chunks = feed(dec, [("lab/r1/t", b"4")])
    assert chunks[0].device == "r1-t"
    prof.write_text('[[mqtt.devices]]\ntopic = "a/#/b"\n')
    with pytest.raises(
        ConfigError, match=r"p.toml: mqtt.devices\[0\].topic: .*'#' must be the last"
    ):
        load_profile(str(prof))
    prof.write_text('[[mqtt.devices]]\ntopic = "a"\ncolour = 1\n')
    with pytest.raises(ConfigError, match=r"mqtt.devices\[0\].colour: unknown key"):
        load_profile(str(prof))
    prof.write_text("[[mqtt.devices]\n")
    with pytest.raises(ConfigError, match=r"p.toml: .*line 1"):
        load_profile(str(prof))


def test_topic_tree_and_watch_plot():
    dec = MqttDecoder(rules_from_settings({"pattern": "t/{device}"}))
    dec.tree = TopicTree()
    dev = dec.watch("t/a", "$.env.x")
    chunks = feed(dec, [("t/a", b'{"env": {"x": 1}}'), ("t/a", b'{"env": {"x": 2}}'),
                        ("t/b/c", b"\x00\x01")])  # fmt: skip
    assert list(cols(chunks, dev, "$.env.x")) == [1, 2]
    snap = {s.topic: s for s in dec.tree.snapshot()}
    assert snap["t/a"].count == 2 and snap["t/a"].last_payload == b'{"env": {"x": 2}}'
    assert [s.topic for s in dec.tree.snapshot("B/C")] == ["t/b/c"]
    root = dec.tree.tree()
    assert root.children["t"].total() == 3
    assert render_payload(b"\x00\x01")[0] == "hex"
    assert render_payload(b'{"a":1}') == ("json", '{\n  "a": 1\n}')
    assert numeric_fields(b'{"env": {"x": 2}, "s": "t"}') == {"$.env.x": 2.0}


@pytest.mark.parametrize("settings", [{}, {"channels": "x=$.x"}])
def test_lists_where_numbers_belong_are_wrong_types_in_any_batch(settings):
    for batch in ([b'{"x": [1]}'], [b'{"x": [1, 2]}', b'{"x": [3, 4]}']):
        dec = MqttDecoder(rules_from_settings({"pattern": "g/{device}", **settings}))
        chunks = feed(dec, [("g/a", p) for p in batch])
        assert all(np.isnan(c.values).all() for c in chunks)
        assert dec.counters.bad["g/a"] == {"wrong_type": len(batch)}


def test_auto_format_is_sniffed_per_message():
    dec = MqttDecoder(rules_from_settings({"pattern": "g/{device}"}))
    chunks = feed(dec, [("g/a", bytes(range(256))), ("g/a", b' {"x": 2}'), ("g/a", b"7"),
                        ("g/a", b"[1]")])  # fmt: skip
    assert list(cols(chunks, "a", "x")) == [2.0]
    assert sorted(cols(chunks, "a", "value")) == [1.0, 7.0]
    assert dec.counters.bad["g/a"] == {"wrong_type": 1}
