"""The mqtt driver against a real mosquitto: decoding, reconnects, sessions, publishing."""

from __future__ import annotations

import json
import signal

import pytest

from twinbench.errors import TwinBenchError


def test_json_fleet_becomes_devices(broker, mq):
    rt, col = mq.start({"port": broker.port, "pattern": "fleet/{device}/telemetry", "qos": 1})
    pub = mq.publisher(broker.port)
    try:
        for i in range(50):
            for d in ("a", "b"):
                pub.publish(f"fleet/{d}/telemetry", json.dumps({"seq": i, "temp": 20 + i}), qos=1)
        pub.publish("other/x", b"{}", qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: len(col.column("b", "seq")) == 50)
        assert list(col.column("a", "seq")) == list(range(50))
        assert col.column("a", "temp")[-1] == 69
        assert rt.hub.devices["a"].device.driver == "mqtt"
        drv = rt.drivers[0]
        assert mq.wait_for(lambda: drv.decoder.counters.bad.get("other/x"))
        assert drv.decoder.counters.bad["other/x"] == {"unmatched": 1}
        assert drv.tree.topics["fleet/a/telemetry"].count == 50
    finally:
        mq.close(pub)
        rt.stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_reconnects_and_resubscribes_after_broker_restart(broker, mq, protocol):
    rt, col = mq.start(
        {"port": broker.port, "protocol": protocol, "topics": "lab/+/v", "format": "number",
         "pattern": "lab/{device}/v", "reconnect_min": 1, "reconnect_max": 2}
    )  # fmt: skip
    try:
        pub = mq.publisher(broker.port)
        pub.publish("lab/x/v", b"1.5", qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: len(col.column("x", "value")) == 1)
        mq.close(pub)
        broker.restart(signal.SIGKILL, down_s=0.5)
        drv = rt.drivers[0]
        assert mq.wait_for(lambda: drv.conn.reconnects >= 1, 15)
        pub = mq.publisher(broker.port)
        pub.publish("lab/x/v", b"2.5", qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: len(col.column("x", "value")) == 2)
        assert list(col.column("x", "value")) == [1.5, 2.5]
        kinds = [e.message for e in rt.events.recent if e.kind == "connection"]
        assert any("reconnecting" in m for m in kinds)
        mq.close(pub)
    finally:
        rt.stop()


def test_persistent_session_gets_messages_sent_while_away(broker, mq):
    settings = {"port": broker.port, "client_id": "bench-persist", "clean_session": False,
                "qos": 1, "topics": "p/#", "pattern": "p/{device}", "format": "json"}  # fmt: skip
    rt, col = mq.start(settings)
    rt.stop()
    pub = mq.publisher(broker.port)
    for i in range(20):
        pub.publish("p/dev", json.dumps({"n": i}), qos=1).wait_for_publish(5)
    mq.close(pub)
    rt, col = mq.start(settings)
    try:
        assert mq.wait_for(lambda: len(col.column("dev", "n")) == 20)
        assert list(col.column("dev", "n")) == list(range(20))
    finally:
        rt.stop()


def test_publish_service_with_properties(broker, mq):
    rt, col = mq.start({"port": broker.port, "topics": "echo/#", "pattern": "echo/{device}"})
    try:
        publish = rt.services["mqtt_publish"]
        publish("echo/e1", {"v": 3.25}, qos=1, retain=True,
                properties={"ContentType": "application/json", "UserProperty": {"k": "v"}}
                ).wait_for_publish(5)  # fmt: skip
        assert mq.wait_for(lambda: len(col.column("e1", "v")) == 1)
        assert col.column("e1", "v")[0] == 3.25
        with pytest.raises(ValueError, match="NoSuchProperty"):
            publish("echo/e1", b"1", properties={"NoSuchProperty": 1})
    finally:
        rt.stop()
    assert "mqtt_publish" not in rt.services


def test_refused_connection_is_a_clear_error(broker, mq):
    port = broker.port
    broker.stop()
    with pytest.raises(TwinBenchError, match=f"127.0.0.1:{port} refused"):
        mq.start({"host": "127.0.0.1", "port": port})


def test_garbage_on_the_wire_is_counted_never_fatal(broker, mq):
    rt, col = mq.start({"port": broker.port, "pattern": "g/{device}", "max_payload": 1000,
                        "qos": 1})  # fmt: skip
    pub = mq.publisher(broker.port)
    try:
        for topic, payload in [
            ("g/a", b'{"x": '), ("g/a", b"x" * 2000), ("g/a", b'{"x": [1]}'),
            ("spBv1.0/grp/NDATA/node", b"\x08\x80\xd0"), ("nomatch/1", b"1"),
            ("g/a", bytes(range(256))), ("g/a", b'{"x": 2}'),
        ]:  # fmt: skip
            pub.publish(topic, payload, qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: list(col.column("a", "x")) == [2.0])
        drv = rt.drivers[0]
        assert mq.wait_for(lambda: "nomatch/1" in drv.decoder.counters.bad)
        bad = drv.stats()["bad"]
        assert bad["g/a"] == {"malformed_json": 1, "oversize": 1, "wrong_type": 2}
        assert bad["spBv1.0/grp/NDATA/node"] == {"truncated_protobuf": 1}
        assert bad["nomatch/1"] == {"unmatched": 1}
        assert drv.errors == 0
    finally:
        mq.close(pub)
        rt.stop()
    ev = [e for e in rt.events.recent if e.kind == "mqtt"]
    assert "g/a: malformed_json=1, oversize=1, wrong_type=2" in ev[-1].message
