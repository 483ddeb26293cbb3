"""The `mqtt` driver: paho-mqtt 2 client, sessions, TLS, reconnects, batched decoding."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
import zlib
from collections import deque
from typing import Any, ClassVar

import numpy as np

from twinbench.drivers.base import Driver, Setting, SettingError, Sink
from twinbench.drivers.mqtt.client import MqttConnection
from twinbench.drivers.mqtt.tls import ConnectError
from twinbench.mqtt.decoder import MqttDecoder
from twinbench.mqtt.devicecap import DEFAULT_MAX_DEVICES
from twinbench.mqtt.rules import FORMATS, rules_from_settings, subtree_rule
from twinbench.mqtt.topictree import TopicTree

__all__ = ["ConnectError", "MqttDriver"]

OWN_TOPICS_KEPT = 10_000  # own-publish topics remembered for the topic tree
BUSY_BATCH = 1000  # messages per drain above which the decode period stretches


def parse_partition(text: str) -> tuple[int, int] | None:
    """`I/N` (0 <= I < N) as a tuple; None when empty; SettingError otherwise."""
    if not text:
        return None
    i, slash, n = text.partition("/")
    try:
        part = (int(i), int(n))
    except ValueError:
        part = (-1, 0)
    if not slash or not 0 <= part[0] < part[1]:
        raise SettingError(f"setting 'partition': {text!r} is not I/N with 0 <= I < N")
    return part


def in_partition(device: str, index: int, count: int) -> bool:
    """Whether a device id belongs to partition `index` of `count` (stable across processes)."""
    return zlib.crc32(device.encode()) % count == index


class MqttDriver(Driver):
    """Subscribes to MQTT topics and turns payloads into device chunks."""

    name = "mqtt"
    description = "MQTT broker client (paho-mqtt 2; JSON, CSV, numbers, IoT Hub, Sparkplug B)"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("host", "Broker host", "str", "localhost"),
        Setting("port", "Broker port", "int", 1883, min=1, max=65535),
        Setting("protocol", "MQTT version", "choice", "5", choices=("5", "3.1.1")),
        Setting("client_id", "Client id", "str", "", help="empty: generated"),
        Setting("keepalive", "Keep-alive (s)", "int", 30, min=1, max=65535),
        Setting("clean_session", "Clean session", "bool", True, help="false: persistent session"),
        Setting("session_expiry", "Session expiry (s, MQTT 5)", "int", 3600, min=0),
        Setting("qos", "Subscription QoS", "int", 0, min=0, max=2),
        Setting("topics", "Subscriptions", "str", "#", help="comma-separated filters, + and #"),
        Setting("share_group", "Shared subscription group", "str", "", help="$share/GROUP/..."),
        Setting(
            "partition",
            "Device partition",
            "str",
            "",
            help="I/N: handle only devices whose id hashes to I of N instances (scale-out)",
        ),
        Setting("username", "User name", "str", ""),
        Setting(
            "password_key",
            "Password keyring entry",
            "str",
            "",
            help="keyring service (or service:user) holding the password; never the password",
        ),
        Setting(
            "password_credential",
            "Password systemd credential",
            "str",
            "",
            help="name of a systemd credential ($CREDENTIALS_DIRECTORY/NAME, LoadCredential=)",
        ),
        Setting(
            "password_file",
            "Password file",
            "str",
            "",
            help="file holding the password, readable by its owner only (chmod 600)",
        ),
        Setting(
            "password_env",
            "Password environment variable",
            "str",
            "",
            help="name of the environment variable holding the password (e.g. MQTT_PASSWORD)",
        ),
        Setting("tls", "Use TLS", "bool", False),
        Setting("ca_file", "CA certificate file", "str", ""),
        Setting("cert_file", "Client certificate file", "str", ""),
        Setting("key_file", "Client key file", "str", ""),
        Setting("insecure", "INSECURE: skip server verification", "bool", False),
        Setting("format", "Payload format", "str", "auto", help="|".join(FORMATS) + "|decoder:N"),
        Setting("pattern", "Device topic pattern", "str", "", help="e.g. fleet/{device}/data"),
        Setting("device", "Device id template", "str", "", help="e.g. {site}-{device}"),
        Setting("device_field", "Device id JSON path", "str", ""),
        Setting("channels", "Channel JSON paths", "str", "", help="name=$.path,..."),
        Setting(
            "time_field",
            "Timestamp JSON path",
            "str",
            "",
            help="ISO 8601 text or an epoch number; unreadable: arrival time (counted)",
        ),
        Setting(
            "time_unit",
            "Timestamp unit",
            "choice",
            "auto",
            choices=("auto", "s", "ms", "us", "ns"),
            help="of epoch numbers; auto: by magnitude",
        ),
        Setting("columns", "CSV column names", "str", ""),
        Setting("profile", "Profile file", "str", "", help="TOML with [[mqtt.devices]] rules"),
        Setting("max_payload", "Largest payload (bytes)", "int", 262_144, min=0),
        Setting(
            "max_devices",
            "Most devices from traffic",
            "int",
            DEFAULT_MAX_DEVICES,
            min=0,
            help="new devices beyond this are refused and counted (0: no cap)",
        ),
        Setting("batch_ms", "Decode batch period (ms)", "int", 20, min=1, max=1000),
        Setting("reconnect_min", "Reconnect delay min (s)", "int", 1, min=1, max=60),
        Setting("reconnect_max", "Reconnect delay max (s)", "int", 30, min=1, max=3600),
        Setting("connect_timeout", "Connect timeout (s)", "float", 10.0, min=0.1, max=120),
        Setting("tree", "Keep the topic tree", "bool", True),
        Setting(
            "twin_prefix",
            "Twin topic prefix",
            "str",
            "{device}/",
            help="IoT Hub twin/method topics of each board sit under this prefix "
            "({device}/$iothub/...); empty: no twin traffic",
        ),
    )

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        self.cfg = self.parse_settings(config)

        self.partition = parse_partition(self.cfg["partition"])
        self._refuse_shared_sparkplug()
        # socket connect, then CONNACK, each within connect_timeout: the runtime waits for both
        self.open_timeout = 2 * float(self.cfg["connect_timeout"]) + 2
        self.other_partition = 0
        self.device_id = f"mqtt:{self.cfg['host']}:{self.cfg['port']}"
        events = getattr(sink, "events", None)
        if self.cfg["insecure"]:  # said where every run shows it: stderr and the event log
            tls = self.cfg["tls"] or self.cfg["ca_file"] or self.cfg["cert_file"]
            warning = (
                f"{self.device_id}: insecure=true: the broker's certificate is NOT verified "
                "(anyone on the path can read and change the data)"
                if tls
                else f"{self.device_id}: insecure=true does nothing without tls=true: "
                "this connection is not encrypted at all"
            )
            print(f"twinbench: warning: {warning}", file=sys.stderr)
            if events is not None:
                events.emit("mqtt", self.device_id, warning)
        self.decoder = MqttDecoder(
            rules_from_settings(self.cfg),
            self.name,
            declare=sink.declare,
            status=sink.status,
            event=events.emit if events is not None else None,
            publish=self._publish_raw,
            max_payload=self.cfg["max_payload"],
            max_devices=self.cfg["max_devices"],
        )
        self.tree = TopicTree() if self.cfg["tree"] else None
        self.decoder.tree = self.tree
        self.conn = MqttConnection(self.cfg, self._on_state)
        self.conn.on_message = self._on_message
        self._queue: deque[tuple[str, bytes, bool, int, int]] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.own_topics: dict[str, int] = {}  # topics this app published to (bounded)
        self.received = 0
        self.decoded = 0
        self.errors = 0
        self.twin_wire: Any = None
        if self.cfg["twin_prefix"]:
            from twinbench.twin.mqtt_transport import IotHubTwinTransport

            self.twin_wire = IotHubTwinTransport(self._twin_publish, self.cfg["twin_prefix"])
            self.decoder.twin_sink = self.twin_wire.on_message

    def _refuse_shared_sparkplug(self) -> None:
        """Shared subscriptions split one node's messages between instances: refuse them."""
        c = self.cfg
        topics = [t.strip() for t in str(c["topics"]).split(",")]
        sparkplug = c["format"] == "sparkplug" or any(t.startswith("spBv1.0") for t in topics)
        if c["share_group"] and sparkplug:
            raise SettingError(
                "setting 'share_group': Sparkplug B needs every message of an edge node in one "
                "instance (sequence numbers, births, aliases); split a fleet with "
                "--partition I/N instead"
            )

    # -- paho thread -----------------------------------------------------------------------
    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        self._queue.append((msg.topic, msg.payload, msg.retain, time.time_ns(), msg.qos))

    def _on_state(self, state: str, message: str) -> None:
        retry = self.conn.retry_in if state == "disconnected" else 0.0
        if retry:  # the app's sink shows "reconnecting in N s"
            self.sink.status(self.device_id, state, message, retry_in=retry)  # type: ignore[call-arg]
        else:
            self.sink.status(self.device_id, state, message)

    # -- decode thread ---------------------------------------------------------------------
    def _drain_loop(self) -> None:
        base = self.cfg["batch_ms"] / 1000.0
        period = base
        while not self._stop.is_set():
            self._stop.wait(period)
            n = self.drain()
            # at high rates wait longer: bigger chunks per device, fewer hand-offs (<= 100 ms)
            period = base if n < BUSY_BATCH else max(base, min(0.1, 5 * base))
        self.drain()

    def drain(self) -> int:
        """Decode every queued message now (also called by the decode thread); returns count."""
        q = self._queue
        n = len(q)
        if not n:
            return 0
        pop = q.popleft
        items = [pop() for _ in range(n)]
        topics, payloads, retained, ts, qos = zip(*items, strict=True)
        self.received += n
        try:
            chunks = self.decoder.feed(
                list(topics), list(payloads), np.array(ts, np.int64), list(retained), qos
            )
        except Exception as exc:  # a decoder bug must not kill the stream; count and report
            self.errors += 1
            self.sink.status(self.device_id, "error", f"decode failed: {exc!r}")
            return n
        for c in chunks:
            if self.partition is not None and not in_partition(c.device, *self.partition):
                self.other_partition += len(c)
                continue
            self.decoded += len(c)
            self.sink.push(c)
        return n

    # -- lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        """Connect (raising ConnectError with what failed), subscribe and start decoding."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._drain_loop, name="mqtt-decode", daemon=True)
        self._thread.start()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.conn.start)
        except BaseException:
            self._stop_thread()
            raise
        services = getattr(self.sink, "services", None)
        if isinstance(services, dict):
            services["mqtt_publish"] = self.publish
            self._wire_twins(services)
            services.setdefault("mqtt_drivers", []).append(self)
        events = getattr(self.sink, "events", None)
        if not self.decoder.rules and events is not None:
            events.emit(
                "mqtt",
                self.device_id,
                "no device pattern: topics are shown in the topic tree only; set pattern "
                "(e.g. lab/{device}/data), a profile, or use Make device in the MQTT panel",
            )

    async def close(self) -> None:
        """Disconnect, then decode what is left."""
        await asyncio.get_running_loop().run_in_executor(None, self.conn.stop)
        self._stop_thread()
        bad = self.decoder.counters.snapshot()
        events = getattr(self.sink, "events", None)
        if bad and events is not None:
            text = "; ".join(
                f"{t}: " + ", ".join(f"{k}={v}" for k, v in sorted(d.items()))
                for t, d in sorted(bad.items())[:50]
            )
            events.emit("mqtt", self.device_id, f"bad messages by topic: {text}", bad=bad)
        services = getattr(self.sink, "services", None)
        if isinstance(services, dict):
            if services.get("mqtt_publish") == self.publish:
                services.pop("mqtt_publish")
            with contextlib.suppress(KeyError, ValueError):
                services["mqtt_drivers"].remove(self)

    def _stop_thread(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    # -- publishing ------------------------------------------------------------------------
    def publish(
        self,
        topic: str,
        payload: bytes | str | float | None = None,
        qos: int = 0,
        retain: bool = False,
        properties: dict[str, Any] | None = None,
    ) -> Any:
        """Publish a message (MQTT 5 properties by name, e.g. ContentType, UserProperty)."""
        own = self.own_topics
        if topic in own or len(own) < OWN_TOPICS_KEPT:
            own[topic] = own.get(topic, 0) + 1
        return self.conn.publish(topic, payload, qos, retain, properties)

    def make_device(self, path: str, per_child: bool = False) -> str:
        """Make a device of a topic subtree (or one per child) from now on; returns the pattern."""
        rule = subtree_rule(path, per_child, self.cfg["format"])
        self.decoder.add_rule(rule)
        return rule.pattern.text

    def _publish_raw(self, topic: str, payload: bytes) -> None:
        self.conn.publish(topic, payload, 0, False, None)

    def _twin_publish(self, topic: str, data: bytes, qos: int) -> Any:
        return self.conn.publish(topic, data, qos, False, None)

    def twin_transport(self, runtime: Any, device_id: str) -> Any:
        """The IoT Hub twin/method wire for this driver's boards (None for its own status)."""
        if self.twin_wire is None:
            return None
        self._wire_twins(runtime.services)
        return None if device_id == self.device_id else self.twin_wire

    def _wire_twins(self, services: Any) -> None:
        """Reported patches boards send on their own go to the twin service, once there is one."""
        wire = self.twin_wire
        if wire is not None and wire.on_reported is None and isinstance(services, dict):
            svc = services.get("twins")
            if svc is not None:
                wire.on_reported = svc.apply_reported_version

    async def command(self, device_id: str, name: str, payload: Any = None) -> Any:
        """`publish` as a command: name is the topic, payload the message."""
        del device_id
        return self.publish(name, payload)

    def stats(self) -> dict[str, Any]:
        """Counters for diagnostics: received, decoded, bad per topic, reconnects."""
        return {
            "received": self.received,
            "decoded_samples": self.decoded,
            "bad": self.decoder.counters.snapshot(),
            "reconnects": self.conn.reconnects,
            "rebirths_requested": self.decoder.sparkplug.rebirths_requested,
            **self.decoder.cap.stats(),
        }

    def counters(self) -> dict[str, dict[str, int]]:
        """The connection's counters (diagnostics, summaries, recordings): received, decoded,
        bad messages by reason, reconnects, Sparkplug births, deaths and rebirth requests."""
        sp = self.decoder.sparkplug
        bad: dict[str, int] = {}
        for per_topic in self.decoder.counters.snapshot().values():
            for k, v in per_topic.items():
                bad[f"bad_{k}"] = bad.get(f"bad_{k}", 0) + v
        return {
            self.device_id: {
                "received": self.received,
                "decoded_samples": self.decoded,
                "other_partition": self.other_partition,
                "decode_errors": self.errors,
                "bad": sum(bad.values()),
                **bad,
                "reconnects": self.conn.reconnects,
                "births": sp.births,
                "deaths": sp.deaths,
                "rebirths_requested": sp.rebirths_requested,
                "time_fallback": self.decoder.time_fallbacks,
                **self.decoder.cap.stats(),  # devices admitted and refused over the cap
            }
        }
