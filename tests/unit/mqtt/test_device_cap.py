"""Devices from topics on purpose: no pattern, no devices; a cap per driver; Make device."""

from __future__ import annotations

import numpy as np

from twinbench.hub import Hub
from twinbench.model import Channel, Chunk, Device
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.rules import rules_from_settings, subtree_rule
from twinbench.mqtt.topictree import TopicTree


def feed(dec, msgs):
    n = len(msgs)
    return dec.feed([t for t, _ in msgs], [p for _, p in msgs], np.arange(n, dtype=np.int64),
                    [False] * n)  # fmt: skip


def test_without_a_pattern_topics_feed_the_tree_but_make_no_device():
    declared = []
    dec = MqttDecoder(rules_from_settings({"topics": "#"}), declare=declared.append)
    dec.tree = TopicTree()
    chunks = feed(dec, [(f"lab/d{i}/temp", b"21.5") for i in range(50)])
    assert chunks == [] and declared == []
    assert len(dec.tree.topics) == 50
    assert dec.counters.bad == {}  # not matching a rule that does not exist is not bad


def test_protocols_and_device_field_still_name_their_devices():
    assert [r.pattern.text for r in rules_from_settings({"format": "iothub"})] == [
        "devices/{device}/messages/events/#"
    ]
    assert [r.pattern.text for r in rules_from_settings({"device_field": "$.id"})] == ["#"]
    assert rules_from_settings({"format": "json"}) == []


def test_the_cap_refuses_new_devices_and_counts_them_once():
    declared = []
    events = []
    dec = MqttDecoder(rules_from_settings({"pattern": "lab/{device}/t"}), declare=declared.append,
                      event=lambda *a, **k: events.append(a), max_devices=3)  # fmt: skip
    msgs = [(f"lab/d{i}/t", b"1") for i in range(5)]
    chunks = feed(dec, msgs) + feed(dec, msgs)
    assert sorted({c.device for c in chunks}) == ["d0", "d1", "d2"]
    assert sorted(d.id for d in declared) == ["d0", "d1", "d2"]
    assert dec.cap.stats() == {"max_devices": 3, "devices": 3, "refused_devices": 2,
                               "refused_samples": 4}  # fmt: skip
    assert len(events) == 1 and "device cap 3 reached" in events[0][2]
    # what the user plots by hand is never refused
    dec.watch("lab/d4/t", "$")
    assert {c.device for c in feed(dec, [("lab/d4/t", b"2")])} == {"topic:lab/d4/t"}


def test_make_device_on_a_subtree_one_device_or_one_per_child():
    dec = MqttDecoder(rules_from_settings({}))
    assert feed(dec, [("plant/a/x", b"1")]) == []
    dec.add_rule(subtree_rule("plant", per_child=True))
    dec.add_rule(subtree_rule("rig/r1", per_child=False))
    chunks = feed(dec, [("plant/a/x", b"1"), ("plant/b/x", b'{"v": 2}'), ("rig/r1/y", b"3")])
    assert sorted(c.device for c in chunks) == ["a", "b", "r1"]


def test_the_hub_refuses_devices_beyond_its_cap_and_counts_them():
    hub = Hub()
    hub.max_devices = 2
    for i in range(3):
        hub.declare(Device(f"d{i}", "x", (Channel("a"),)))
    sub = hub.subscribe("s")
    hub.publish(Chunk("d9", ("a",), np.arange(4), np.zeros((4, 1))))
    assert sorted(hub.devices) == ["d0", "d1"]
    assert hub.refused_devices == 2 and hub.refused_samples == 4
    assert len(sub) == 0
