"""Twin traffic over MQTT with the IoT Hub topics: the bench plays the hub, the board the device.

Desired patches go to ``$iothub/twin/PATCH/properties/desired/?$version=N`` with a ``$rid`` member
(the board answers with its reported patch on ``$iothub/twin/PATCH/properties/reported/?$rid=R``,
copying that ``R``); commands go to ``$iothub/methods/POST/{name}/?$rid=R`` and their answers come
back on ``$iothub/methods/res/{status}/?$rid=R``. With several boards on one broker, a
``{device}/`` prefix keeps them apart. TLS is on unless the caller turns it off explicitly.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from twinbench.twin.profiles import IotHubTopics
from twinbench.twin.transport import CommandFailed, PendingRequests, TwinTransport


class MqttTwinTransport(TwinTransport):
    """A TwinTransport over a paho-mqtt client connected to the boards' broker."""

    def __init__(
        self,
        host: str,
        port: int = 8883,
        *,
        tls: bool = True,
        username: str | None = None,
        password: str | None = None,
        prefix: str = "{device}/",
        client_id: str = "twinbench-hub",
    ) -> None:
        import paho.mqtt.client as mqtt

        self.prefix = prefix
        self.requests = PendingRequests()
        self.garbage = 0  # messages that were not valid JSON or carried no request id
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        if tls:
            self._client.tls_set()  # system CA store, hostname checked
        if username:
            self._client.username_pw_set(username, password)
        self._client.on_message = self._on_message
        self._connected = threading.Event()
        self._client.on_connect = lambda *_a: self._connected.set()
        try:
            self._client.connect(host, port)
        except OSError as exc:
            raise CommandFailed(f"MQTT broker {host}:{port}: {exc}") from None
        base = "+/" if "{device}" in prefix else prefix
        self._client.subscribe(base + "$iothub/twin/PATCH/properties/reported/#", qos=1)
        self._client.subscribe(base + "$iothub/methods/res/#", qos=1)
        self._client.loop_start()
        if not self._connected.wait(10):
            self.close()
            raise CommandFailed(f"MQTT broker {host}:{port}: no CONNACK within 10 s")

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self._client.disconnect()
        self._client.loop_stop()

    def _topic(self, device_id: str, topic: str) -> str:
        return self.prefix.format(device=device_id) + topic

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        at = msg.topic.find("$iothub/")
        info = IotHubTopics.parse(msg.topic[at:] if at >= 0 else msg.topic)
        try:
            body = json.loads(msg.payload.decode("utf-8")) if msg.payload else None
        except (UnicodeDecodeError, ValueError):
            self.garbage += 1
            return
        rid = info.get("rid")
        if rid is None:
            self.garbage += 1
            return
        if info["kind"] == "method_response":
            self.requests.resolve(rid, {"status": info.get("status") or 500, "payload": body})
        elif info["kind"] == "reported":
            self.requests.resolve(rid, body if isinstance(body, dict) else {})
        else:
            self.garbage += 1

    def _send(
        self,
        device_id: str,
        topic: str,
        payload: Any,
        rid: str,
        fut: Any,
        timeout: float,
        what: str,
    ) -> Any:
        info = self._client.publish(
            self._topic(device_id, topic), json.dumps(payload, separators=(",", ":")), qos=1
        )
        if info.rc != 0:
            self.requests.resolve(rid, None)
            raise CommandFailed(f"{device_id}: {what}: publish failed (rc {info.rc})")
        return self.requests.wait(rid, fut, timeout, f"{device_id}: {what}")

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Publish a desired patch; the reported acknowledgement carries `$rid` = version."""
        rid, fut = self.requests.open()
        body = {**patch, "$version": version, "$rid": rid}
        return self._send(
            device_id, IotHubTopics.desired(version), body, rid, fut, timeout, "desired patch"
        )

    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Call a direct method and wait for its response."""
        rid, fut = self.requests.open()
        topic = IotHubTopics.METHOD.format(name=name, rid=rid)
        return self._send(device_id, topic, payload, rid, fut, timeout, name)
