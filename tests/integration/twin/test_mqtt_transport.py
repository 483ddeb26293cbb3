"""The MQTT twin transport against a real mosquitto on a loopback port, with a board client."""

import json
import time

import paho.mqtt.client as mqtt
import pytest

from twinbench.runtime import Runtime
from twinbench.twin import CommandTimeout, TwinService
from twinbench.twin.binding import default_binding
from twinbench.twin.mqtt_transport import MqttTwinTransport
from twinbench.twin.profiles import IotHubTopics


class Board:
    """A device on the broker: acknowledges desired patches, answers `reboot`, ignores `hang`."""

    def __init__(self, port, device="dev1"):
        self.device = device
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=device)
        self.c.on_message = self.on_message
        self.c.connect("127.0.0.1", port)
        self.c.subscribe(f"{device}/$iothub/twin/PATCH/properties/desired/#", qos=1)
        self.c.subscribe(f"{device}/$iothub/methods/POST/#", qos=1)
        self.c.loop_start()
        time.sleep(0.2)

    def on_message(self, _c, _u, msg):
        info = IotHubTopics.parse(msg.topic[len(self.device) + 1 :])
        body = json.loads(msg.payload)
        if info["kind"] == "desired":
            rid, version = body.pop("$rid"), body.pop("$version")
            ack = {k: {"value": v, "ac": 200, "av": version, "ad": "ok"} for k, v in body.items()}
            self.c.publish(
                f"{self.device}/" + IotHubTopics.REPORTED.format(rid=rid), json.dumps(ack), qos=1
            )
        elif info["name"] == "reboot":
            topic = IotHubTopics.METHOD_RES.format(status=200, rid=info["rid"])
            self.c.publish(f"{self.device}/{topic}", json.dumps({"rebooted": True}), qos=1)
        self.c.publish(f"{self.device}/$iothub/methods/res/200/", b"not json", qos=1)

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def test_desired_and_methods_over_mqtt(broker):
    board = Board(broker)
    transport = MqttTwinTransport("127.0.0.1", broker, tls=False)
    rt = Runtime()
    svc = TwinService(rt, transport=transport, timeout=5.0, auto_bind=False)
    try:
        svc.bind("dev1", default_binding("sim"))
        svc.set_desired("dev1", {"targetSpeed": 1500})
        st = svc.twin("dev1").property_status("targetSpeed")
        assert st.state == "accepted" and st.reported == 1500
        assert st.ack_version == svc.twin("dev1").desired.version
        res = svc.invoke("dev1", "reboot", 0)
        assert res == {"status": 200, "payload": {"rebooted": True}}
        with pytest.raises(CommandTimeout, match="selfTest"):
            svc.invoke("dev1", "selfTest", 1.0, timeout=0.3)
        deadline = time.monotonic() + 5
        while transport.garbage < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert transport.garbage >= 1  # garbage on the wire is counted and skipped
    finally:
        transport.close()
        board.close()


class ComponentBoard(Board):
    """A Plug and Play device with an `imu` component: acks inside the component section."""

    def on_message(self, _c, _u, msg):
        info = IotHubTopics.parse(msg.topic[len(self.device) + 1 :])
        body = json.loads(msg.payload)
        self.seen.append((info["kind"], info.get("name"), body))
        if info["kind"] == "desired":
            rid, version = body.pop("$rid"), body.pop("$version")
            imu = {k: v for k, v in body.get("imu", {}).items() if k != "__t"}
            acks = {k: {"value": v, "ac": 200, "av": version} for k, v in imu.items()}
            reply = {"imu": {"__t": "c", **acks}}
            topic = IotHubTopics.REPORTED.format(rid=rid)
            self.c.publish(f"{self.device}/{topic}", json.dumps(reply), qos=1)
        else:
            topic = IotHubTopics.METHOD_RES.format(status=200, rid=info["rid"])
            self.c.publish(f"{self.device}/{topic}", json.dumps({"ran": info["name"]}), qos=1)


def test_component_properties_and_commands_over_mqtt(broker):
    from tests.unit.twin.imu_models import IMU_BOARD
    from twinbench.dtdl import loads
    from twinbench.twin.binding import binding_from

    ComponentBoard.seen = []
    board = ComponentBoard(broker)
    transport = MqttTwinTransport("127.0.0.1", broker, tls=False)
    svc = TwinService(Runtime(), transport=transport, timeout=5.0, auto_bind=False)
    try:
        svc.bind("dev1", binding_from(loads(json.dumps(IMU_BOARD)), {"model": "dtmi:x:Board;1"}))
        svc.set_desired("dev1", {"imu.sampleRate": 100})
        assert svc.twin("dev1").property_status("imu.sampleRate").state == "accepted"
        twin = svc.twin("dev1").to_json()["properties"]
        assert twin["desired"]["imu"] == {"sampleRate": 100, "__t": "c"}
        assert twin["reported"]["imu"]["__t"] == "c"
        assert svc.invoke("dev1", "imu*calibrate")["payload"] == {"ran": "imu*calibrate"}
        desired = [b for k, _n, b in board.seen if k == "desired"]
        assert desired and desired[0]["imu"] == {"__t": "c", "sampleRate": 100}
        assert "imu*calibrate" in [n for _k, n, _b in board.seen]
    finally:
        transport.close()
        board.close()
