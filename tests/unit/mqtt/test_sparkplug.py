"""Sparkplug B: golden bytes, alias maps, sequence wrap, gaps and unknown aliases, deaths."""

from __future__ import annotations

import numpy as np
import pytest

from twinbench.mqtt import sparkplug_pb as pb
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.rules import rules_from_settings

DDATA = bytes.fromhex("0880d095ffbc31121410011880d095ffbc31200a6900000000008035401803")
NBIRTH = bytes.fromhex(
    "0880d095ffbc31120b0a05626453657120045800121a0a144e6f646520436f6e74726f6c2f52656269727468"
    "200b7000121a0a0b74656d70657261747572651001200a6900000000000034401800"
)


def test_golden_bytes_round_trip():
    d = pb.decode_payload(DDATA)
    assert (d.timestamp, d.seq) == (1700000000000, 3)
    assert d.metrics == [pb.Metric(alias=1, timestamp=1700000000000, datatype=10, value=21.5)]
    assert pb.encode_payload(d) == DDATA
    b = pb.decode_payload(NBIRTH)
    assert [(m.name, m.datatype, m.value) for m in b.metrics] == [
        ("bdSeq", 4, 0), ("Node Control/Rebirth", 11, False), ("temperature", 10, 20.0)
    ]  # fmt: skip
    assert b.metrics[2].alias == 1 and b.seq == 0
    assert pb.encode_payload(b) == NBIRTH


def test_signed_ints_and_truncation():
    m = pb.Metric(name="x", datatype=pb.INT32, value=-5)
    p = pb.decode_payload(pb.encode_payload(pb.Payload(metrics=[m])))
    assert p.metrics[0].value == -5
    for cut in range(1, len(DDATA)):
        try:
            pb.decode_payload(DDATA[:cut])
        except pb.DecodeError:
            continue


class Harness:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []
        self.states: list[tuple[str, str]] = []
        self.dec = MqttDecoder(
            rules_from_settings({"format": "sparkplug"}),
            status=lambda d, s, m: self.states.append((d, s)),
            publish=lambda t, p: self.published.append((t, p)),
        )
        self.dec.sparkplug.rebirth_interval_s = 0

    def feed(self, *msgs: tuple[str, bytes]):
        topics = [t for t, _ in msgs]
        return self.dec.feed(
            topics, [p for _, p in msgs], np.arange(len(msgs)), [False] * len(msgs)
        )


def data(seq: int, value: float, alias: int = 1) -> bytes:
    m = pb.Metric(alias=alias, timestamp=1700000000000 + seq, datatype=pb.DOUBLE, value=value)
    return pb.encode_payload(pb.Payload(timestamp=1700000000000 + seq, seq=seq, metrics=[m]))


NB, ND = "spBv1.0/g/NBIRTH/n1", "spBv1.0/g/NDATA/n1"


def test_golden_ddata_decodes_with_birth_aliases():
    h = Harness()
    chunks = h.feed((NB, NBIRTH), ("spBv1.0/g/NDATA/n1", DDATA.replace(b"\x18\x03", b"\x18\x01")))
    got = [c for c in chunks if c.device == "g/n1"]
    assert got[-1].channels == ("temperature",)
    assert got[-1].values[-1, 0] == 21.5
    assert got[-1].t_ns[-1] == 1700000000000 * 1_000_000
    assert h.published == []


def test_seq_wraps_without_rebirth_and_gap_requests_one():
    h = Harness()
    msgs = [(NB, NBIRTH)] + [(ND, data(s % 256, float(s))) for s in range(1, 300)]
    chunks = h.feed(*msgs)
    vals = np.concatenate([c.column("temperature") for c in chunks if c.device == "g/n1"])
    assert len(vals) == 300 and vals[-1] == 299.0
    assert h.published == [] and h.dec.counters.bad == {}
    h.feed((ND, data(50, 1.0)))  # 299 % 256 = 43 -> expected 44
    assert h.dec.counters.bad[ND] == {"seq_gap": 1}
    topic, payload = h.published[-1]
    assert topic == "spBv1.0/g/NCMD/n1"
    m = pb.decode_payload(payload).metrics[0]
    assert (m.name, m.datatype, m.value) == ("Node Control/Rebirth", pb.BOOLEAN, True)


def test_unknown_alias_and_data_before_birth_request_rebirth():
    h = Harness()
    h.feed((ND, data(1, 1.0)))
    assert h.dec.counters.bad[ND] == {"no_birth": 1} and len(h.published) == 1
    h.feed((NB, NBIRTH), (ND, data(1, 2.0, alias=99)))
    assert h.dec.counters.bad[ND] == {"no_birth": 1, "unknown_alias": 1}
    assert len(h.published) == 2


def test_ndeath_with_matching_bdseq_marks_node_and_devices_offline():
    h = Harness()
    dbirth = pb.encode_payload(pb.Payload(seq=1, metrics=[
        pb.Metric(name="rpm", alias=7, datatype=pb.FLOAT, value=1.0)]))  # fmt: skip
    death = lambda bd: pb.encode_payload(  # noqa: E731
        pb.Payload(metrics=[pb.Metric(name="bdSeq", datatype=pb.INT64, value=bd)])
    )
    h.feed((NB, NBIRTH), ("spBv1.0/g/DBIRTH/n1/d1", dbirth))
    h.feed(("spBv1.0/g/NDEATH/n1", death(5)))
    assert ("g/n1", "offline") not in h.states
    assert h.dec.counters.bad["spBv1.0/g/NDEATH/n1"] == {"stale_ndeath": 1}
    h.feed(("spBv1.0/g/NDEATH/n1", death(0)))
    assert ("g/n1", "offline") in h.states and ("g/n1/d1", "offline") in h.states


@pytest.mark.parametrize("cut", [3, 10, 20, 30])
def test_truncated_protobuf_is_counted(cut):
    h = Harness()
    h.feed((NB, NBIRTH), (ND, DDATA[:cut]))
    assert h.dec.counters.bad[ND].get("truncated_protobuf", 0) == 1


def test_sparkplug_only_under_its_namespace():
    dec = MqttDecoder(rules_from_settings({"format": "sparkplug"}))
    dec.feed(["other/NBIRTH/x"], [NBIRTH], np.zeros(1, np.int64), [False])
    assert dec.counters.bad["other/NBIRTH/x"] == {"unmatched": 1}
