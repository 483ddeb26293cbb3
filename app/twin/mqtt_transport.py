"""Twin traffic over MQTT with the IoT Hub topics: the bench plays the hub, the board the device.

Desired patches go to ``$iothub/twin/PATCH/properties/desired/?$version=N`` with a ``$rid`` member
(the board answers with its reported patch on ``$iothub/twin/PATCH/properties/reported/?$rid=R``,
copying that ``R``); commands go to ``$iothub/methods/POST/{name}/?$rid=R`` and their answers come
back on ``$iothub/methods/res/{status}/?$rid=R``. With several boards on one broker, a
``{device}/`` prefix keeps them apart. TLS is on unless the caller turns it off explicitly.

`IotHubTwinTransport` is the wire without a client of its own: the `mqtt` driver feeds it the
``$iothub`` messages it receives and lends it its connection to publish. Reported patches that
answer no pending request (the board reporting on its own, with its own ``$rid``) go to
`on_reported` and are acknowledged the IoT Hub way (``$iothub/twin/res/204/?$rid=R&$version=V``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from twinbench.twin.profiles import IotHubTopics
from twinbench.twin.transport import CommandFailed, PendingRequests, TwinTransport


class IotHubTwinTransport(TwinTransport):
    """Twin traffic with the IoT Hub topics over any MQTT connection (`publish(topic, data, q)`)."""

    def __init__(
        self, publish: Callable[[str, bytes, int], Any], prefix: str = "{device}/"
    ) -> None:
        self.prefix = prefix
        self._publish = publish
        self.requests = PendingRequests()
        self.garbage = 0  # messages that were not valid JSON or carried no request id
        self.unclaimed = 0  # unsolicited reported patches with nobody to apply them
        self.on_reported: Callable[[str, dict[str, Any]], int | None] | None = None

    def _topic(self, device_id: str, topic: str) -> str:
        return self.prefix.format(device=device_id) + topic

    def on_message(self, topic: str, payload: bytes) -> bool:
        """Handle one received message; False when it is not IoT Hub twin traffic."""
        at = topic.find("$iothub/")
        if at < 0:
            return False
        device = topic[:at].rstrip("/")
        if "{device}" not in self.prefix and device == self.prefix.rstrip("/"):
            device = ""
        info = IotHubTopics.parse(topic[at:])
        kind = info["kind"]
        if kind in ("desired", "method", "other"):
            return True  # the bench's own requests (echoed by a `#` subscription), or foreign
        try:
            body = json.loads(payload.decode("utf-8")) if payload else None
        except (UnicodeDecodeError, ValueError):
            self.garbage += 1
            return True
        rid = info.get("rid")
        if kind == "reported":
            patch = body if isinstance(body, dict) else {}
            if rid is not None and self.requests.has(rid):
                self.requests.resolve(rid, patch)
            elif self.on_reported is not None and device and patch:
                version = self.on_reported(device, patch)
                if rid is not None:
                    res = IotHubTopics.TWIN_RES.format(status=204, rid=rid)
                    if version is not None:
                        res += f"&$version={version}"
                    self._publish(self._topic(device, res), b"", 1)
            else:
                self.unclaimed += 1
            return True
        if rid is None:
            self.garbage += 1
        elif kind == "method_response":
            self.requests.resolve(rid, {"status": info.get("status") or 500, "payload": body})
        return True

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
        data = json.dumps(payload, separators=(",", ":")).encode()
        try:
            info = self._publish(self._topic(device_id, topic), data, 1)
        except Exception as exc:  # not connected
            self.requests.resolve(rid, None)
            raise CommandFailed(f"{device_id}: {what}: {exc}") from None
        if getattr(info, "rc", 0) != 0:
            self.requests.resolve(rid, None)
            raise CommandFailed(f"{device_id}: {what}: publish failed (rc {info.rc})")
        return self.requests.wait(rid, fut, timeout, f"{device_id}: {what}")

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Publish a desired patch; the board's reported acknowledgement copies its `$rid`."""
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


class MqttTwinTransport(IotHubTwinTransport):
    """An IotHubTwinTransport with its own paho-mqtt client, connected to the boards' broker."""

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

        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        super().__init__(lambda t, d, q: self._client.publish(t, d, qos=q), prefix)
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

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        if not self.on_message(msg.topic, msg.payload):
            self.garbage += 1
