"""Routes a drained batch of MQTT messages to payload decoders, producing chunks per device."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinbench.model import Channel, Chunk, Device
from twinbench.mqtt.devicecap import DeviceCap
from twinbench.mqtt.payloads import (
    BatchResult,
    Path,
    decode_csv,
    decode_json,
    decode_json_many,
    decode_numbers,
    find_byte_decoder,
    get_path,
)
from twinbench.mqtt.rules import TopicRule
from twinbench.mqtt.sparkplug import NAMESPACE, SparkplugHost
from twinbench.mqtt.topics import parse_iothub


@dataclass
class TopicCounters:
    """Per-topic counts of messages and of what was wrong with them (shown, never raised)."""

    messages: dict[str, int] = field(default_factory=dict)
    bad: dict[str, dict[str, int]] = field(default_factory=dict)

    def add_bad(self, topic: str, what: str, n: int = 1) -> None:
        """Count `n` bad messages of kind `what` on `topic`."""
        d = self.bad.setdefault(topic, {})
        d[what] = d.get(what, 0) + n

    def total(self, what: str) -> int:
        """Bad messages of one kind over every topic."""
        return sum(d.get(what, 0) for d in self.bad.values())

    def snapshot(self) -> dict[str, dict[str, int]]:
        """A copy of the bad counts per topic."""
        return {t: dict(d) for t, d in self.bad.items()}


_UNMATCHED: Any = object()


def _looks_json(p: bytes) -> bool:
    """True when a payload starts (after blanks) with `{` or `[`."""
    head = p[:1]
    if head == b"{" or head == b"[":
        return True
    return head.isspace() and p.lstrip()[:1] in (b"{", b"[")


class MqttDecoder:
    """Turns batches of (topic, payload, retained, t_ns) into chunks, events and counters."""

    def __init__(
        self,
        rules: list[TopicRule],
        driver: str = "mqtt",
        declare: Callable[[Device], None] | None = None,
        status: Callable[[str, str, str], None] | None = None,
        event: Callable[..., Any] | None = None,
        publish: Callable[[str, bytes], None] | None = None,
        max_payload: int = 256 * 1024,
        max_devices: int = 0,
    ) -> None:
        self.rules = rules
        self.driver = driver
        self.declare = declare
        self.status = status
        self.event = event
        self.max_payload = max_payload
        self.counters = TopicCounters()
        self.sparkplug = SparkplugHost(publish, self._device_status)
        self.watches: dict[str, dict[str, Path]] = {}  # topic -> {channel: path} (plot a field)
        self.tree: Any = None  # a TopicTree fed with every batch, when set
        self.twin_sink: Callable[[str, bytes], bool] | None = None  # IoT Hub twin traffic
        self._route: dict[str, Any] = {}
        self._layouts: dict[str, set[tuple[str, ...]]] = {}
        self.messages = 0
        self.cap = DeviceCap(max_devices, driver, event)
        self._iothub_on = any(r.format in ("iothub", "auto") for r in rules)
        self._sparkplug_on = any(r.format in ("sparkplug", "auto") for r in rules)

    def _device_status(self, dev: str, state: str, message: str) -> None:
        """Report a device's state, declaring it first when it has sent no data yet."""
        if dev not in self._layouts:
            if not self.cap.admit(dev):
                return
            self._layouts[dev] = set()
            if self.declare is not None:
                self.declare(Device(dev, self.driver, (), "MQTT device"))
        if self.status is not None:
            self.status(dev, state, message)

    def watch(self, topic: str, path: str) -> str:
        """Plot a numeric field: emit `path` of `topic` as a channel of device `topic:<topic>`."""
        from twinbench.mqtt.payloads import parse_path

        key = path.strip() or "$"
        parsed = () if key == "$" else parse_path(key)
        self.watches = {**self.watches, topic: {**self.watches.get(topic, {}), key: parsed}}
        return f"topic:{topic}"

    def add_rule(self, rule: TopicRule) -> None:
        """Make devices from topics matching `rule` from now on (checked before the others)."""
        self.rules = [rule, *self.rules]
        self._route = {}
        self._iothub_on = self._iothub_on or rule.format in ("iothub", "auto")

    # -- routing ---------------------------------------------------------------------------
    def route(self, topic: str) -> tuple[TopicRule, str] | None:
        """The rule and device id for a topic (cached), or None when no rule matches."""
        hit = self._route.get(topic)
        if hit is None:
            hit = _UNMATCHED
            for rule in self.rules:
                caps = rule.pattern.match(topic)
                if caps is None:
                    continue
                if topic.startswith(NAMESPACE + "/") and rule.format not in ("auto", "sparkplug"):
                    continue
                if rule.format == "sparkplug" and not topic.startswith(NAMESPACE + "/"):
                    continue
                hit = (rule, rule.device_id(topic, caps))
                break
            if len(self._route) > 100_000:
                self._route.clear()
            self._route[topic] = hit
        return None if hit is _UNMATCHED else hit

    # -- batches ---------------------------------------------------------------------------
    def feed(
        self,
        topics: list[str],
        payloads: list[bytes],
        t_ns: np.ndarray,
        retained: Any = None,
        qos: Any = None,
    ) -> list[Chunk]:
        """Decode one drained batch; returns the chunks (one per device and layout)."""
        self.messages += len(topics)
        groups: dict[str, list[int]] = {}
        for i, t in enumerate(topics):
            g = groups.get(t)
            if g is None:
                groups[t] = [i]
            else:
                g.append(i)
        if self.tree is not None:
            self.tree.update(groups, payloads, retained, t_ns, qos)
        msgs = self.counters.messages
        oversize = bool(self.max_payload) and max(map(len, payloads), default=0) > self.max_payload
        res = BatchResult()
        per_device: dict[tuple[TopicRule, str], list[int]] = {}
        sp_idx: list[int] = []
        for topic, idx in groups.items():
            msgs[topic] = msgs.get(topic, 0) + len(idx)
            if oversize:
                big = [i for i in idx if len(payloads[i]) > self.max_payload]
                if big:
                    self.counters.add_bad(topic, "oversize", len(big))
                    idx = [i for i in idx if len(payloads[i]) <= self.max_payload]
            if not idx:
                continue
            if self._sparkplug_on and topic.startswith(NAMESPACE + "/"):
                sp_idx.extend(idx)  # sequence numbers span a node's topics: keep arrival order
                continue
            if self.twin_sink is not None and "$iothub/" in topic:
                sink = self.twin_sink
                for i in idx:  # replies and reported patches: a handful, never telemetry
                    sink(topic, payloads[i])
                if not topic.startswith("$iothub/"):
                    continue  # {device}/$iothub/...: twin traffic only
            if topic.startswith("$iothub/") and self._iothub_on:
                self._iothub(topic, None, [payloads[i] for i in idx], t_ns[idx], res)
                continue
            if topic in self.watches:
                self._watch(topic, [payloads[i] for i in idx], t_ns[idx], res)
            hit = self.route(topic)
            if hit is None:
                if self.rules:  # without any rule topics only feed the tree: nothing is bad
                    self.counters.add_bad(topic, "unmatched", len(idx))
                continue
            rule, dev = hit
            fmt = rule.format
            hub = fmt == "iothub" or (fmt == "auto" and topic.startswith(("$iothub/", "devices/")))
            if hub and self._iothub(topic, rule, [payloads[i] for i in idx], t_ns[idx], res):
                continue
            per_device.setdefault((rule, dev), []).extend(idx)
        if sp_idx:
            sp_idx.sort()
            self._sparkplug([topics[i] for i in sp_idx], [payloads[i] for i in sp_idx],
                            t_ns[sp_idx], res)  # fmt: skip
        for (rule, dev), idx in self._decode_many(per_device, payloads, t_ns, res):
            before = dict(res.bad)
            self._decode(rule, dev, [payloads[i] for i in idx], t_ns[idx], res)
            if res.bad != before:
                self._attribute(res, before, [topics[i] for i in idx])
        return self._chunks(res)

    def _decode_many(
        self,
        per_device: dict[tuple[TopicRule, str], list[int]],
        payloads: list[bytes],
        t_ns: np.ndarray,
        res: BatchResult,
    ) -> list[tuple[tuple[TopicRule, str], list[int]]]:
        """Decode every device of a JSON rule in one pass; returns the groups left to do."""
        by_rule: dict[TopicRule, list[tuple[str, list[int]]]] = {}
        for (rule, dev), idx in per_device.items():
            by_rule.setdefault(rule, []).append((dev, idx))
        rest: list[tuple[tuple[TopicRule, str], list[int]]] = []
        for rule, groups in by_rule.items():
            if len(groups) > 1 and rule.format in ("auto", "json"):
                idx = [i for _, g in groups for i in g]
                pl = [payloads[i] for i in idx]
                codes = np.repeat(np.arange(len(groups)), [len(g) for _, g in groups])
                names = [d for d, _ in groups]
                # a payload that is not a JSON object fails the one-pass decode: per device then
                if decode_json_many(names, codes, pl, t_ns[idx], rule.json, res):
                    continue
            rest.extend(((rule, dev), g) for dev, g in groups)
        return rest

    def _attribute(self, res: BatchResult, before: dict[str, int], topics: list[str]) -> None:
        """Charge bad counts from a device group to its topic (the first, when several)."""
        topic = topics[0]
        for k, v in res.bad.items():
            n = v - before.get(k, 0)
            if n:
                self.counters.add_bad(topic, k, n)
        res.bad = dict(before)

    def _decode(
        self, rule: TopicRule, dev: str, payloads: list[bytes], t: np.ndarray, res: BatchResult
    ) -> None:
        fmt = rule.format
        if fmt == "auto" or fmt == "iothub":
            # sniffed per message: JSON objects/arrays, anything else is tried as a number
            is_json = [_looks_json(p) for p in payloads]
            if all(is_json):
                fmt = "json"
            elif not any(is_json):
                fmt = "number"
            else:
                j = np.flatnonzero(is_json)
                o = np.flatnonzero(~np.asarray(is_json))
                decode_json(dev, [payloads[i] for i in j], t[j], rule.json, res)
                decode_numbers(dev, rule.channel or "value", [payloads[i] for i in o], t[o], res)
                return
        if fmt == "json":
            decode_json(dev, payloads, t, rule.json, res)
        elif fmt == "number":
            decode_numbers(dev, rule.channel or "value", payloads, t, res)
        elif fmt == "csv":
            cols = rule.columns or tuple(
                f"c{i}" for i in range(payloads[0].split(b"\n")[0].count(b",") + 1)
            )
            decode_csv(dev, cols, payloads, t, res)
        elif fmt.startswith("decoder:"):
            fn = find_byte_decoder(fmt[8:])
            if fn is None:
                res.count("no_decoder", len(payloads))
                return
            try:
                names, vals = fn(payloads)
            except ValueError:
                res.count("decoder_error", len(payloads))
                return
            res.blocks.append((dev, tuple(names), t[: len(vals)], np.asarray(vals, np.float64)))

    def _iothub(
        self,
        topic: str,
        rule: TopicRule | None,
        payloads: list[bytes],
        t: np.ndarray,
        res: BatchResult,
    ) -> bool:
        """IoT Hub topics: telemetry is decoded (channels prefixed by component); True if done."""
        info = parse_iothub(topic)
        if info.kind == "telemetry" and rule is not None:
            sub = BatchResult()
            decode_json(info.device, payloads, t, rule.json, sub)
            for dev, names, tt, vals in sub.blocks:
                if info.component:
                    names = tuple(f"{info.component}.{n}" for n in names)
                res.blocks.append((dev, names, tt, vals))
            for k, v in sub.bad.items():
                self.counters.add_bad(topic, k, v)
            return True
        if info.kind in ("twin", "twin-response", "method"):
            for p in payloads:
                try:
                    body = json.loads(p) if p else None
                except ValueError:
                    self.counters.add_bad(topic, "malformed_json")
                    body = None
                if self.event is not None:
                    kind = "command" if info.kind == "method" else "twin"
                    self.event(
                        kind, "", f"iothub {info.kind} {info.name}", name=info.name,
                        rid=info.rid, payload=body, topic=topic,
                    )  # fmt: skip
            return True
        return False

    def _sparkplug(
        self, topics: list[str], payloads: list[bytes], t: np.ndarray, res: BatchResult
    ) -> None:
        rows: dict[tuple[str, tuple[str, ...]], tuple[list[int], list[list[float]]]] = {}

        def collect(dev: str, names: tuple[str, ...], tn: int, row: list[float]) -> None:
            ts, rs = rows.setdefault((dev, names), ([], []))
            ts.append(tn)
            rs.append(row)

        for topic, p, tn in zip(topics, payloads, t.tolist(), strict=True):
            problem = self.sparkplug.handle(topic, p, tn, collect)
            if problem:
                self.counters.add_bad(topic, problem)
        for (dev, names), (ts, rs) in rows.items():
            res.blocks.append((dev, names, np.array(ts, np.int64), np.array(rs, np.float64)))

    def _watch(self, topic: str, payloads: list[bytes], t: np.ndarray, res: BatchResult) -> None:
        """Emit watched numeric fields of a topic as channels of device `topic:<topic>`."""
        paths = self.watches[topic]
        rows, ts = [], []
        for p, tn in zip(payloads, t.tolist(), strict=True):
            try:
                doc = json.loads(p)
            except ValueError:
                continue
            row = []
            for path in paths.values():
                try:
                    v = get_path(doc, path) if path else doc
                    row.append(float(v))
                except (KeyError, IndexError, TypeError, ValueError):
                    row.append(float("nan"))
            rows.append(row)
            ts.append(tn)
        if rows:
            res.blocks.append((f"topic:{topic}", tuple(paths), np.array(ts, np.int64),
                               np.array(rows)))  # fmt: skip

    def _chunks(self, res: BatchResult) -> list[Chunk]:
        out: list[Chunk] = []
        for dev, names, t, vals in res.blocks:
            if not len(t):
                continue
            seen = self._layouts.get(dev)
            if seen is None and not self.cap.admit(dev, len(t)):
                continue
            if seen is None or names not in seen:
                self._layouts.setdefault(dev, set()).add(names)
                if self.declare is not None:
                    allnames: list[str] = []
                    for lay in self._layouts[dev]:
                        allnames.extend(n for n in lay if n not in allnames)
                    self.declare(
                        Device(dev, self.driver, tuple(Channel(n) for n in allnames), "MQTT device")
                    )
            out.append(Chunk(dev, names, t, vals))
        return out
