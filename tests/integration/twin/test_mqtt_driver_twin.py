"""The `mqtt` driver carries twin traffic: IoT Hub twin/method topics through a real mosquitto."""

import json

import paho.mqtt.client as mqtt
import pytest

from tests.integration.mqtt.conftest import wait_for
from twinbench.runtime import Runtime
from twinbench.twin import CommandTimeout, TwinService
from twinbench.twin.mqtt_transport import IotHubTwinTransport
from twinbench.twin.profiles import IotHubTopics


class Board:
    """A board on the broker: telemetry, desired acknowledgements, `reboot`, its own reports."""

    def __init__(self, port, device="dev1"):
        self.device = device
        self.hub_answers = []
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=device)
        self.c.on_message = self.on_message
        subscribed = []
        self.c.on_subscribe = lambda *a: subscribed.append(1)
        self.c.connect("127.0.0.1", port)
        self.c.subscribe(
            [
                (f"{device}/$iothub/twin/PATCH/properties/desired/#", 1),
                (f"{device}/$iothub/methods/POST/#", 1),
                (f"{device}/$iothub/twin/res/#", 1),
            ]
        )
        self.c.loop_start()
        assert wait_for(lambda: subscribed)

    def telemetry(self, rpm):
        self.c.publish(f"fleet/{self.device}/data", json.dumps({"rpm": rpm}), qos=1)

    def report(self, patch, rid):
        topic = f"{self.device}/" + IotHubTopics.REPORTED.format(rid=rid)
        self.c.publish(topic, json.dumps(patch), qos=1)

    def on_message(self, _c, _u, msg):
        info = IotHubTopics.parse(msg.topic[len(self.device) + 1 :])
        if info["kind"] == "twin_response":
            self.hub_answers.append(msg.topic)
            return
        body = json.loads(msg.payload) if msg.payload else None
        if info["kind"] == "desired":
            rid, version = body.pop("$rid"), body.pop("$version")
            ack = {
                k: {"value": v, "ac": 200 if v <= 4500 else 400, "av": version, "ad": "ok"}
                for k, v in body.items()
            }
            self.report(ack, rid)
        elif info["name"] == "reboot":
            topic = IotHubTopics.METHOD_RES.format(status=200, rid=info["rid"])
            self.c.publish(f"{self.device}/{topic}", json.dumps({"rebooted": True}), qos=1)

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def running(broker):
    board = Board(broker)
    rt = Runtime()
    drv = rt.add_driver(
        "mqtt",
        {
            "host": "127.0.0.1",
            "port": broker,
            "topics": "fleet/#",
            "pattern": "fleet/{device}/data",
            "format": "json",
            "qos": 1,
        },
    )
    svc = TwinService(rt, timeout=5.0, auto_bind=False)
    rt.start()
    try:
        yield rt, svc, drv, board
    finally:
        rt.stop()
        board.close()


def test_mqtt_devices_use_the_iothub_topics(running):
    rt, svc, drv, board = running
    assert wait_for(lambda: (board.telemetry(100), "dev1" in rt.hub.devices)[1], 10)
    assert isinstance(svc.transport.for_device("dev1"), IotHubTwinTransport)
    reply = svc.set_desired("dev1", {"targetSpeed": 1500})
    assert reply["targetSpeed"]["ac"] == 200
    st = svc.twin("dev1").property_status("targetSpeed")
    assert st.state == "accepted" and st.reported == 1500
    svc.set_desired("dev1", {"targetSpeed": 5000})
    assert svc.twin("dev1").property_status("targetSpeed").state == "rejected"
    assert svc.invoke("dev1", "reboot", 0) == {"status": 200, "payload": {"rebooted": True}}
    with pytest.raises(CommandTimeout, match="dev1: hang"):
        svc.invoke("dev1", "hang", None, timeout=0.3)
    # the board reports on its own: the twin's reported section follows, the hub answers 204
    board.report({"firmwareVersion": "2.0.1"}, rid="900")
    twin = svc.twin("dev1")
    assert wait_for(lambda: twin.reported.values.get("firmwareVersion") == "2.0.1")
    assert wait_for(lambda: board.hub_answers)
    assert board.hub_answers[0].startswith("dev1/$iothub/twin/res/204/?$rid=900&$version=")
    assert int(board.hub_answers[0].rpartition("=")[2]) == twin.reported.version
    # twin traffic never became telemetry or "unmatched" topics
    bad = drv.decoder.counters.snapshot()
    assert not any("$iothub" in t for t in bad), bad
    assert {c.name for c in rt.hub.devices["dev1"].device.channels} <= {"rpm"}
    events = [e for e in rt.events.recent if e.kind == "twin" and e.device == "dev1"]
    assert any(e.data.get("property") == "firmwareVersion" for e in events)
