"""A paho-mqtt 2 connection: login (password from a named place), TLS, resubscribe on reconnect."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from twinbench.drivers.mqtt.tls import ConnectError, explain, explain_connack, make_context
from twinbench.mqtt.secrets import get_password


def subscription_filters(cfg: dict[str, Any]) -> list[str]:
    """The filters to subscribe to: the `topics` setting, shared under `$share/GROUP/`."""
    filters = [t.strip() for t in str(cfg.get("topics", "#")).split(",") if t.strip()]
    if cfg.get("format") == "iothub":
        filters += [f for f in ("$iothub/twin/#", "$iothub/methods/#") if f not in filters]
    group = cfg.get("share_group") or ""
    if group:
        if "/" in group or "+" in group or "#" in group:
            raise ConnectError(f"share_group {group!r} must not contain '/', '+' or '#'")
        filters = [f if f.startswith("$share/") else f"$share/{group}/{f}" for f in filters]
    prefix = str(cfg.get("twin_prefix") or "")
    if prefix and "#" not in filters:  # twin replies come back to this instance, never shared
        base = prefix.replace("{device}", "+")
        filters += [
            base + "$iothub/twin/PATCH/properties/reported/#",
            base + "$iothub/methods/res/#",
        ]
    return filters


def publish_properties(props: dict[str, Any] | None) -> Properties | None:
    """MQTT 5 PUBLISH properties from a dict keyed by property name (ValueError names a bad one)."""
    if not props:
        return None
    p = Properties(PacketTypes.PUBLISH)
    for key, value in props.items():
        if key == "UserProperty" and isinstance(value, dict):
            value = list(value.items())
        if key == "CorrelationData" and isinstance(value, str):
            value = value.encode()
        try:
            setattr(p, key, value)
        except Exception as exc:
            raise ValueError(f"MQTT 5 property {key!r}: {exc}") from None
    return p


def encode_payload(payload: Any) -> bytes:
    """Bytes for a payload given as bytes, text, a number or a JSON-able object."""
    if payload is None:
        return b""
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, int | float) and not isinstance(payload, bool):
        return repr(payload).encode()
    return json.dumps(payload).encode()


def _close_leaked_sockets(exc: BaseException) -> None:
    """Close sockets paho leaves open when a TLS handshake fails inside `connect`."""
    tb = exc.__traceback__
    while tb is not None:
        for v in list(tb.tb_frame.f_locals.values()):
            if isinstance(v, socket.socket):
                with contextlib.suppress(OSError):
                    v.close()
        tb = tb.tb_next


class MqttConnection:
    """Owns the paho client: connect with a clear error, reconnect with backoff, resubscribe."""

    def __init__(self, cfg: dict[str, Any], on_state: Callable[[str, str], None]) -> None:
        self.cfg = cfg
        self.on_state = on_state
        self.on_message: Callable[[Any, Any, Any], None] | None = None
        self.client: mqtt.Client | None = None
        self.reconnects = 0
        self.connects = 0
        self.filters = subscription_filters(cfg)
        self._connack = threading.Event()
        self._error: str | None = None
        self._v5 = cfg.get("protocol", "5") == "5"
        self._delays = (float(cfg.get("reconnect_min", 1)), float(cfg.get("reconnect_max", 30)))
        self.retry_in = 0.0  # seconds to paho's next reconnect try, after a lost connection

    # -- callbacks (paho thread) -----------------------------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, rc: Any, props: Any) -> None:
        if rc.is_failure:
            self._error = explain_connack(rc, self.cfg.get("username", ""))
            self._connack.set()
            return
        self.connects += 1
        self.retry_in = 0.0
        if self.connects > 1:
            self.reconnects += 1
        qos = int(self.cfg.get("qos", 0))
        if self.filters:
            client.subscribe([(f, qos) for f in self.filters])
        present = bool(getattr(flags, "session_present", False))
        self.on_state("connected", f"session present: {present}")
        self._connack.set()

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, rc: Any, props: Any) -> None:
        if self._connack.is_set() and self._error is None:
            # paho waits reconnect_min seconds first, doubling up to reconnect_max
            self.retry_in = self.retry_in * 2 if self.retry_in else self._delays[0]
            self.retry_in = min(self.retry_in, self._delays[1])
            self.on_state("disconnected", f"{rc}; reconnecting")

    # -- lifecycle (called from a worker thread) -------------------------------------------
    def start(self) -> None:
        """Connect and wait for the broker's answer; ConnectError says what failed."""
        cfg = self.cfg
        host, port = cfg["host"], int(cfg["port"])
        cid = cfg.get("client_id") or f"twinbench-{uuid.uuid4().hex[:12]}"
        persistent = not cfg.get("clean_session", True)
        if self._v5:
            c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
        else:
            c = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2,
                client_id=cid,
                protocol=mqtt.MQTTv311,
                clean_session=not persistent,
            )
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        if self.on_message is not None:
            c.on_message = self.on_message
        c.reconnect_delay_set(int(cfg.get("reconnect_min", 1)), int(cfg.get("reconnect_max", 30)))
        c.connect_timeout = float(cfg.get("connect_timeout", 10.0))
        c.max_queued_messages_set(0)
        user = cfg.get("username") or ""
        pw = get_password(cfg)
        if user or pw is not None:
            c.username_pw_set(user, pw)
        if cfg.get("tls") or cfg.get("cert_file") or cfg.get("ca_file"):
            ctx = make_context(
                cfg.get("ca_file", ""),
                cfg.get("cert_file", ""),
                cfg.get("key_file", ""),
                bool(cfg.get("insecure")),
            )
            c.tls_set_context(ctx)
            c.tls_insecure_set(bool(cfg.get("insecure")))
        kwargs: dict[str, Any] = {}
        if self._v5:
            kwargs["clean_start"] = not persistent
            if persistent:
                props = Properties(PacketTypes.CONNECT)
                props.SessionExpiryInterval = int(cfg.get("session_expiry", 3600))
                kwargs["properties"] = props
        self.client = c
        try:
            c.connect(host, port, int(cfg.get("keepalive", 30)), **kwargs)
        except Exception as exc:
            self.client = None
            _close_leaked_sockets(exc)
            raise ConnectError(explain(exc, host, port)) from None
        c.loop_start()
        ok = self._connack.wait(float(cfg.get("connect_timeout", 10.0)))
        if not ok or self._error:
            c.loop_stop()
            c.disconnect()
            self.client = None
            raise ConnectError(
                self._error
                or f"no answer from {host}:{port} within {cfg.get('connect_timeout')} s "
                "(with TLS: the broker may have rejected the client certificate)"
            )

    def stop(self) -> None:
        """Disconnect cleanly and stop paho's thread."""
        c = self.client
        if c is None:
            return
        c.disconnect()
        c.loop_stop()
        self.client = None

    def publish(
        self, topic: str, payload: Any, qos: int = 0, retain: bool = False, props: Any = None
    ) -> mqtt.MQTTMessageInfo:
        """Publish through the live client (paho queues QoS 1/2 while reconnecting)."""
        c = self.client
        if c is None:
            raise ConnectError("MQTT driver is not connected")
        p = publish_properties(props) if self._v5 else None
        return c.publish(topic, encode_payload(payload), qos, retain, p)
