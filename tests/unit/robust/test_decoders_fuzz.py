"""Every decoder's public API takes random bytes without raising: garbage is counted, not fatal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinbench.ble.decoders import make_decoder
from twinbench.decode.pipeline import make_pipeline
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.rules import make_rule
from twinbench.mqtt.sparkplug_pb import DecodeError, decode_payload

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = [
    {"name": "seq", "type": "uint16"},
    {"name": "a", "type": "int16", "scale": 0.5},
    {"name": "b", "type": "float32"},
]
PIPELINES = {
    f"{f}+{d}": {
        "framing": {"type": f, **({"length": 8} if f == "fixed" else {}), **extra},
        "decoder": {"type": d, **({"fields": FIELDS, "sequence": "seq"} if d == "binary" else {})},
        **({"checksum": {"type": "crc-16/xmodem"}} if f == "start_end" else {}),
    }
    for f, extra in [
        ("end", {}),
        ("start_end", {"start": "$", "end": ";"}),
        ("start", {"start": "AB"}),
        ("fixed", {}),
        ("length", {"sync": "C0DE", "size": 2}),
        ("cobs", {}),
        ("slip", {}),
        ("message", {}),
    ]
    for d in ("csv", "quickplot", "keyvalue", "jsonl", "binary")
}
# the two inputs the issue names, plus byte soup shaped like each decoder's input
SEEN = [b"x\n1\nabc,def\n", b"\x01\x00\x01\x00"]
soup = st.lists(
    st.one_of(
        st.binary(max_size=64),
        st.sampled_from(
            [b"\n", b",", b";", b"$", b":", b"=", b"\x00", b"\xc0", b"\xdb", b"{", b"}", b"AB"]
        ),
        st.from_regex(rb"[-+0-9.e,:= a-z\n]{0,30}", fullmatch=True),
    ),
    max_size=20,
).map(b"".join)


@pytest.mark.parametrize("name", sorted(PIPELINES))
@FAST
@given(chunks=st.lists(st.one_of(soup, st.sampled_from(SEEN)), min_size=1, max_size=4))
def test_byte_pipelines_never_raise(name, chunks):
    p = make_pipeline(PIPELINES[name])
    for i, data in enumerate(chunks):
        c = p.feed(data, 1_000 + i)
        if c is not None:
            assert c.values.shape == (len(c.t_ns), len(c.channels))
    assert min(p.loss().values()) >= 0


@pytest.mark.parametrize("spec", ["hr", "battery", "raw", "struct:seq:u32,temp:i16*0.01", ""])
@FAST
@given(payloads=st.lists(st.binary(max_size=24), min_size=1, max_size=8))
def test_ble_decoders_never_raise(spec, payloads):
    uuid = {"hr": "2a37", "battery": "2a19", "": "2a6e"}.get(spec, "12345678")
    dec = make_decoder(uuid, spec)
    blocks, stats = dec.decode(payloads, np.arange(len(payloads), dtype=np.int64))
    assert stats.ok + stats.problems >= 0
    for b in blocks:
        assert len(b.t_ns) == b.values.shape[0]


@pytest.mark.parametrize("fmt", ["auto", "json", "number", "csv", "iothub", "sparkplug"])
@FAST
@given(
    payloads=st.lists(
        st.one_of(soup, st.binary(max_size=40), st.just(b'{"a": {"b": [1, 2]}, "c": 1e999}')),
        min_size=1,
        max_size=6,
    )
)
def test_mqtt_decoder_never_raises(fmt, payloads):
    extra = {"columns": "a,b"} if fmt == "csv" else {}
    rule = make_rule({"topic": "t/{device}", "format": fmt, **extra})
    dec = MqttDecoder([rule])
    topics = [f"t/d{i % 2}" for i in range(len(payloads))]
    for c in dec.feed(topics, payloads, np.arange(len(payloads), dtype=np.int64)):
        assert c.values.shape == (len(c.t_ns), len(c.channels))


@FAST
@given(data=st.binary(max_size=80))
def test_sparkplug_raises_only_its_decode_error(data):
    try:
        decode_payload(data)
    except DecodeError:
        pass
