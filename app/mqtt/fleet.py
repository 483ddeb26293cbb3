"""A simulated fleet of boards publishing telemetry to a broker (JSON, IoT Hub or Sparkplug B)."""

from __future__ import annotations

import argparse
import json
import math
import threading
import time
from typing import Any

from twinbench.errors import UsageError

FLEET_FORMATS = ("json", "iothub", "sparkplug")
SP_GROUP, SP_NODE = "twinbench", "fleet"
CHANNELS = ("temp", "hum", "volt")


def parse_hostport(text: str) -> tuple[str, int]:
    """`host:port` (port defaults to 1883); UsageError on a bad port."""
    host, _, port = text.rpartition(":")
    if not host:
        return text, 1883
    try:
        p = int(port)
        if not 0 < p < 65536:
            raise ValueError
    except ValueError:
        raise UsageError(f"--mqtt {text!r}: port must be 1..65535") from None
    return host, p


def device_names(n: int) -> list[str]:
    """`dev-001`... for a fleet of n boards."""
    return [f"dev-{i + 1:03d}" for i in range(n)]


def json_message(prefix: str, dev: str, i: int, seq: int, t: float) -> tuple[str, bytes]:
    """Topic and payload of one JSON telemetry message."""
    body = {
        "seq": seq,
        "ts": int(t * 1000),
        "temp": round(20 + 5 * math.sin(t / 10 + i), 3),
        "hum": round(45 + 10 * math.cos(t / 7 + i), 3),
        "volt": round(3.3 + 0.01 * ((seq * 7919) % 13), 3),
    }
    return f"{prefix}/{dev}/telemetry", json.dumps(body, separators=(",", ":")).encode()


def iothub_message(dev: str, i: int, seq: int, t: float) -> tuple[str, bytes]:
    """Topic (with property bag) and payload of one IoT Hub telemetry message."""
    _, payload = json_message("", dev, i, seq, t)
    return f"devices/{dev}/messages/events/$.ct=application%2Fjson&$.ce=utf-8", payload


class SparkplugEdge:
    """One Sparkplug edge node with the fleet's boards as devices; answers rebirth requests."""

    def __init__(self, devices: list[str]) -> None:
        self.devices = devices
        self.seq = 0
        self.bdseq = 0
        self.lock = threading.Lock()

    def _next_seq(self) -> int:
        s = self.seq
        self.seq = (self.seq + 1) % 256
        return s

    def death(self) -> tuple[str, bytes]:
        """The NDEATH will message (bdSeq)."""
        from twinbench.mqtt import sparkplug_pb as pb

        m = pb.Metric(name="bdSeq", datatype=pb.INT64, value=self.bdseq)
        return f"spBv1.0/{SP_GROUP}/NDEATH/{SP_NODE}", pb.encode_payload(pb.Payload(metrics=[m]))

    def births(self) -> list[tuple[str, bytes]]:
        """NBIRTH then one DBIRTH per device, aliases 1..k per device block."""
        from twinbench.mqtt import sparkplug_pb as pb

        ms = int(time.time() * 1000)
        with self.lock:
            self.seq = 0
            out = []
            nb = pb.Payload(
                timestamp=ms,
                seq=self._next_seq(),
                metrics=[
                    pb.Metric(name="bdSeq", datatype=pb.INT64, value=self.bdseq),
                    pb.Metric(name="Node Control/Rebirth", datatype=pb.BOOLEAN, value=False),
                ],
            )
            out.append((f"spBv1.0/{SP_GROUP}/NBIRTH/{SP_NODE}", pb.encode_payload(nb)))
            for i, dev in enumerate(self.devices):
                metrics = [
                    pb.Metric(name=name, alias=self.alias(i, k), datatype=pb.DOUBLE, value=0.0)
                    for k, name in enumerate(("seq", *CHANNELS))
                ]
                p = pb.Payload(timestamp=ms, seq=self._next_seq(), metrics=metrics)
                out.append((f"spBv1.0/{SP_GROUP}/DBIRTH/{SP_NODE}/{dev}", pb.encode_payload(p)))
        return out

    @staticmethod
    def alias(i: int, k: int) -> int:
        """Alias of metric k of device i (unique across the node)."""
        return 1 + i * 8 + k

    def data(self, i: int, seq: int, t: float) -> tuple[str, bytes]:
        """A DDATA message for device i, metrics by alias."""
        from twinbench.mqtt import sparkplug_pb as pb

        ms = int(t * 1000)
        vals = (float(seq), 20 + 5 * math.sin(t / 10 + i), 45.0, 3.3)
        metrics = [
            pb.Metric(alias=self.alias(i, k), timestamp=ms, datatype=pb.DOUBLE, value=v)
            for k, v in enumerate(vals)
        ]
        with self.lock:
            p = pb.Payload(timestamp=ms, seq=self._next_seq(), metrics=metrics)
            return f"spBv1.0/{SP_GROUP}/DDATA/{SP_NODE}/{self.devices[i]}", pb.encode_payload(p)


def run_fleet(args: argparse.Namespace) -> int:
    """Publish the fleet's telemetry at the requested rate until the duration or count is done."""
    import paho.mqtt.client as mqtt

    if not args.mqtt:
        raise UsageError("--mqtt HOST:PORT is required")
    if args.devices < 1 or not args.rate > 0:
        raise UsageError("--devices must be >= 1 and --rate > 0")
    host, port = parse_hostport(args.mqtt)
    devs = device_names(args.devices)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=args.client_id or "")
    client.max_queued_messages_set(0)
    edge = SparkplugEdge(devs) if args.format == "sparkplug" else None
    if edge is not None:
        client.will_set(*edge.death(), qos=1)

        def on_message(c: Any, u: Any, msg: Any) -> None:
            for topic, payload in edge.births():
                c.publish(topic, payload, qos=args.qos)

        client.on_message = on_message
    try:
        client.connect(host, port)
    except OSError as exc:
        raise UsageError(f"--mqtt {args.mqtt}: cannot connect: {exc.strerror or exc}") from None
    client.loop_start()
    sent = 0
    try:
        if edge is not None:
            client.subscribe(f"spBv1.0/{SP_GROUP}/NCMD/{SP_NODE}", qos=1)
            for topic, payload in edge.births():
                client.publish(topic, payload, qos=args.qos)
        sent = _publish_loop(client, args, devs, edge)
    except KeyboardInterrupt:
        pass
    finally:
        if edge is not None:
            client.publish(*edge.death(), qos=1).wait_for_publish(5)
        client.disconnect()
        client.loop_stop()
    print(f"fleet: published {sent} messages from {len(devs)} device(s) to {host}:{port}")
    return 0


def _publish_loop(client: Any, args: argparse.Namespace, devs: list[str], edge: Any) -> int:
    period = 1.0 / args.rate
    t0 = time.monotonic()
    end = t0 + args.duration if args.duration else math.inf
    seq = 0
    sent = 0
    last = None
    while True:
        now = time.monotonic()
        if now >= end or (args.count is not None and seq >= args.count):
            break
        due = int((now - t0) / period) + 1
        if args.count is not None:
            due = min(due, args.count)
        while seq < due:
            t = time.time()
            for i, dev in enumerate(devs):
                if edge is not None:
                    topic, payload = edge.data(i, seq, t)
                elif args.format == "iothub":
                    topic, payload = iothub_message(dev, i, seq, t)
                else:
                    topic, payload = json_message(args.prefix, dev, i, seq, t)
                last = client.publish(topic, payload, qos=args.qos)
                sent += 1
            seq += 1
        time.sleep(min(period, 0.01))
    if last is not None and args.qos:
        last.wait_for_publish(30)
    return sent
