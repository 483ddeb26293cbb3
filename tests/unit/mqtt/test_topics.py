"""Topic patterns, MQTT wildcard matching, IoT Hub topic parsing, shared-subscription filters."""

from __future__ import annotations

import pytest

from twinbench.drivers.mqtt.client import subscription_filters
from twinbench.drivers.mqtt.tls import ConnectError
from twinbench.mqtt.topics import PatternError, compile_pattern, parse_iothub, topic_matches


def test_patterns_capture_and_filter():
    p = compile_pattern("site/{site}/+/{device}/#")
    assert p.filter == "site/+/+/+/#"
    assert p.match("site/s1/x/d7") == {"site": "s1", "device": "d7"}
    assert p.match("site/s1/x/d7/a/b") == {"site": "s1", "device": "d7"}
    assert p.match("site/s1/x") is None
    for bad in ("a/#/b", "a/b+", "a/{x}/{x}", "a/{1x}", ""):
        with pytest.raises(PatternError):
            compile_pattern(bad)


@pytest.mark.parametrize(
    ("filt", "topic", "ok"),
    [("a/#", "a", True), ("a/+/c", "a/b/c", True), ("a/+", "a/b/c", False),
     ("#", "$SYS/x", False), ("$share/g/a/#", "a/b", True), ("+/+", "/x", True)],
)  # fmt: skip
def test_wildcards(filt, topic, ok):
    assert topic_matches(filt, topic) is ok


def test_iothub_topics():
    t = parse_iothub("devices/dev%201/messages/events/%24.sub=th1&k=v")
    assert (t.kind, t.device, t.component, dict(t.properties)["k"]) == (
        "telemetry", "dev 1", "th1", "v")  # fmt: skip
    m = parse_iothub("$iothub/methods/POST/reboot/?$rid=42")
    assert (m.kind, m.name, m.rid) == ("method", "reboot", "42")
    r = parse_iothub("$iothub/twin/res/200/?$rid=3&$version=4")
    assert (r.kind, r.rid) == ("twin-response", "3")
    assert parse_iothub("other/x").kind == "unknown"


def test_shared_subscription_filters():
    cfg = {"topics": "fleet/#, lab/+/v", "share_group": "g1", "format": "iothub"}
    assert subscription_filters(cfg) == [
        "$share/g1/fleet/#", "$share/g1/lab/+/v", "$share/g1/$iothub/twin/#",
        "$share/g1/$iothub/methods/#"]  # fmt: skip
    with pytest.raises(ConnectError, match="share_group 'a/b'"):
        subscription_filters({"topics": "#", "share_group": "a/b"})
