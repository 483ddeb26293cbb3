"""What MQTT fleets send: IoT Hub string fields, ISO and epoch times, Sparkplug rebirths."""

from __future__ import annotations

import json

import numpy as np
import pytest

from twinbench.mqtt import sparkplug_pb as pb
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.rules import rules_from_settings

ARRIVAL = 1_765_000_000_000_000_000  # ns: the messages' arrival time


def feed(dec, msgs):
    n = len(msgs)
    t = np.full(n, ARRIVAL, np.int64) + np.arange(n)
    return dec.feed([m[0] for m in msgs], [m[1] for m in msgs], t, [False] * n)


def test_iothub_string_fields_are_not_errors():
    dec = MqttDecoder(rules_from_settings({"format": "iothub"}))
    msgs = [
        ("devices/d1/messages/events/", json.dumps(
            {"ts": "2025-12-06T10:00:00.5Z", "deviceId": "d1", "temp": 20.0 + i, "ok": True}
        ).encode())
        for i in range(5)
    ]  # fmt: skip
    chunks = feed(dec, msgs)
    c = next(c for c in chunks if c.device == "d1")
    assert set(c.channels) == {"temp", "ok"}
    assert c.column("temp").tolist() == [20.0, 21.0, 22.0, 23.0, 24.0]
    assert dec.counters.bad == {}


def test_message_with_nothing_usable_is_bad():
    dec = MqttDecoder(rules_from_settings({"format": "json", "pattern": "f/{device}"}))
    feed(dec, [("f/a", b'{"x": 1}'), ("f/a", b'{"name": "only text"}')])
    assert dec.counters.bad == {"f/a": {"wrong_type": 1}}


ISO = "2025-12-06T10:00:00.250Z"
ISO_NS = 1_765_015_200_250_000_000


@pytest.mark.parametrize(
    "ts",
    [
        ISO,
        "2025-12-06T11:00:00.250+01:00",
        1_765_015_200.25,  # s
        1_765_015_200_250,  # ms
        1_765_015_200_250_000,  # us
        1_765_015_200_250_000_000,  # ns
    ],
)
def test_time_field_iso_and_epoch_units_by_magnitude(ts):
    dec = MqttDecoder(rules_from_settings({"format": "json", "pattern": "f/{device}",
                                           "time_field": "$.ts"}))  # fmt: skip
    chunks = feed(dec, [("f/a", json.dumps({"ts": ts, "v": 1.0}).encode())] * 3)
    c = next(c for c in chunks if c.device == "f/a" or c.device == "a")
    assert c.channels == ("v",)
    assert abs(int(c.t_ns[0]) - ISO_NS) < 1000, int(c.t_ns[0])
    assert dec.time_fallbacks == 0


def test_time_field_iso_with_device_field_and_nested_path():
    dec = MqttDecoder(rules_from_settings({"format": "json", "pattern": "f/+",
                      "device_field": "$.id", "time_field": "$.meta.ts"}))  # fmt: skip
    chunks = feed(dec, [("f/x", json.dumps({"id": "b", "meta": {"ts": ISO}, "v": 2}).encode())])
    c = next(c for c in chunks if c.device == "b")
    assert int(c.t_ns[0]) == ISO_NS and c.channels == ("v",)


def test_bad_or_missing_time_falls_back_to_arrival_and_is_counted():
    dec = MqttDecoder(rules_from_settings({"format": "json", "pattern": "f/{device}",
                                           "time_field": "$.ts"}))  # fmt: skip
    msgs = [("f/a", b'{"ts": "yesterday", "v": 1}'), ("f/a", b'{"v": 2}'),
            ("f/a", json.dumps({"ts": ISO, "v": 3}).encode())]  # fmt: skip
    chunks = feed(dec, msgs)
    t = np.concatenate([c.t_ns for c in chunks if c.device == "a"])
    v = np.concatenate([c.column("v") for c in chunks if c.device == "a"])
    got = sorted(zip(v.tolist(), t.tolist(), strict=True))
    assert got == [(1, ARRIVAL), (2, ARRIVAL + 1), (3, ISO_NS)]
    assert dec.time_fallbacks == 2
    assert dec.counters.bad == {}


def birth(seq: int, metrics: list[tuple[str, int]], bd: int = 0) -> bytes:
    ms = [pb.Metric(name="bdSeq", datatype=pb.INT64, value=bd)] if bd >= 0 else []
    ms += [pb.Metric(name=n, alias=a, datatype=pb.DOUBLE, value=0.0) for n, a in metrics]
    return pb.encode_payload(pb.Payload(timestamp=1, seq=seq, metrics=ms))


def ddata(seq: int, alias: int, value: float) -> bytes:
    m = pb.Metric(alias=alias, datatype=pb.DOUBLE, value=value)
    return pb.encode_payload(pb.Payload(timestamp=2, seq=seq, metrics=[m]))


def sparkplug():
    published: list = []
    dec = MqttDecoder(rules_from_settings({"format": "sparkplug"}),
                      publish=lambda t, p: published.append(t))  # fmt: skip
    dec.sparkplug.rebirth_interval_s = 0
    return dec, published


NB, DB, DD = "spBv1.0/g/NBIRTH/n", "spBv1.0/g/DBIRTH/n/d", "spBv1.0/g/DDATA/n/d"


def test_rebirth_replaces_the_device_alias_map():
    dec, published = sparkplug()
    feed(dec, [(NB, birth(0, [])), (DB, birth(1, [("temp", 1), ("rpm", 2)], -1)),
               (DD, ddata(2, 1, 20.0))])  # fmt: skip
    # rebirth: the device now has only `pressure` on alias 3; alias 1 is gone
    feed(dec, [(NB, birth(0, [], 1)), (DB, birth(1, [("pressure", 3)], -1))])
    chunks = feed(dec, [(DD, ddata(2, 1, 99.0)), (DD, ddata(3, 3, 5.0))])
    got = {(n, float(v)) for c in chunks for n, v in zip(c.channels, c.values[-1], strict=True)}
    assert ("temp", 99.0) not in got and ("pressure", 5.0) in got
    assert dec.counters.bad[DD] == {"unknown_alias": 1}
    assert published[-1] == "spBv1.0/g/NCMD/n"


def test_alias_of_another_device_is_unknown():
    dec, _ = sparkplug()
    feed(dec, [(NB, birth(0, [])), (DB, birth(1, [("temp", 1)], -1)),
               ("spBv1.0/g/DBIRTH/n/e", birth(2, [("rpm", 2)], -1))])  # fmt: skip
    chunks = feed(dec, [(DD, ddata(3, 2, 7.0))])  # alias 2 belongs to device e
    assert not [c for c in chunks if "rpm" in c.channels and c.device == "g/n/d"]
    assert dec.counters.bad[DD] == {"unknown_alias": 1}


def test_nbirth_clears_every_device_alias_of_the_node():
    dec, _ = sparkplug()
    feed(dec, [(NB, birth(0, [])), (DB, birth(1, [("temp", 1)], -1))])
    feed(dec, [(NB, birth(0, [], 1))])  # node rebirth: devices must rebirth too
    chunks = feed(dec, [(DD, ddata(1, 1, 7.0))])
    assert not [c for c in chunks if "temp" in c.channels]
    assert dec.counters.bad[DD] == {"unknown_alias": 1}
