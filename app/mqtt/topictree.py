"""The topic tree model: every topic seen with count, rate, last payload and retained flag."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

HEX_LIMIT = 4096
HISTORY = 50  # messages kept per watched topic
WATCHED = 32  # topics with a message history at once (the most recently selected)


@dataclass
class Message:
    """One received message of a watched topic."""

    t_ns: int
    payload: bytes
    qos: int
    retained: bool


@dataclass
class TopicStat:
    """Figures for one topic, updated once per drained batch."""

    topic: str
    count: int = 0
    last_payload: bytes = b""
    last_t_ns: int = 0
    retained: bool = False
    rate_hz: float = 0.0
    prev_payload: bytes | None = None  # the message before the last (for a diff)
    qos: int = 0
    _mark: tuple[float, int] = (0.0, 0)


@dataclass
class TreeNode:
    """A level of the tree: its children and the topic stat when a topic ends here."""

    name: str
    path: str
    children: dict[str, TreeNode] = field(default_factory=dict)
    stat: TopicStat | None = None

    def total(self) -> int:
        """Messages on this node and below."""
        own = self.stat.count if self.stat else 0
        return own + sum(c.total() for c in self.children.values())


class TopicTree:
    """Topic statistics fed in batches by the driver, read by the GUI at a capped rate.

    `order` lists topics in arrival order (readers take what is new since their last look);
    `epoch` changes when topics are removed, so readers start over. Watched topics (the ones a
    user selected) also keep their last HISTORY messages with time, QoS and retained flag.
    """

    def __init__(self, max_topics: int = 200_000) -> None:
        self._lock = threading.Lock()
        self.topics: dict[str, TopicStat] = {}
        self.order: list[str] = []
        self.epoch = 0
        self.max_topics = max_topics
        self.overflow = 0
        self.version = 0
        self.history: dict[str, deque[Message]] = {}

    def update(
        self,
        groups: dict[str, list[int]],
        payloads: list[bytes],
        retained: list[bool] | None,
        t_ns: np.ndarray,
        qos: list[int] | None = None,
    ) -> None:
        """Fold one batch: `groups` maps each topic to its message indices in the batch."""
        with self._lock:
            topics, hist = self.topics, self.history
            for topic, idx in groups.items():
                st = topics.get(topic)
                if st is None:
                    if len(topics) >= self.max_topics:
                        self.overflow += len(idx)
                        continue
                    st = topics[topic] = TopicStat(topic)
                    self.order.append(topic)
                last = idx[-1]
                before = st.last_payload if st.count else None
                st.count += len(idx)
                st.prev_payload = payloads[idx[-2]] if len(idx) > 1 else before
                st.last_payload = payloads[last]
                st.last_t_ns = int(t_ns[last])
                st.retained = bool(retained[last]) if retained is not None else False
                st.qos = int(qos[last]) if qos is not None else 0
                h = hist.get(topic)
                if h is not None:
                    for i in idx[-HISTORY:]:
                        h.append(
                            Message(int(t_ns[i]), payloads[i],
                                    int(qos[i]) if qos is not None else 0,
                                    bool(retained[i]) if retained is not None else False)
                        )  # fmt: skip
            self.version += 1

    def watch(self, topic: str) -> list[Message]:
        """Keep a history of `topic` from now on (seeded with its last message); returns it."""
        with self._lock:
            h = self.history.pop(topic, None)
            if h is None:
                h = deque(maxlen=HISTORY)
                st = self.topics.get(topic)
                if st is not None and st.count:
                    h.append(Message(st.last_t_ns, st.last_payload, st.qos, st.retained))
            self.history[topic] = h  # most recently watched last
            while len(self.history) > WATCHED:
                del self.history[next(iter(self.history))]
            return list(h)

    def messages(self, topic: str) -> list[Message]:
        """The history of a watched topic, oldest first (empty when not watched)."""
        with self._lock:
            return list(self.history.get(topic, ()))

    def remove(self, prefix: str) -> int:
        """Forget a topic and everything below it (until they send again); returns how many."""
        below = prefix.rstrip("/") + "/"
        with self._lock:
            gone = [t for t in self.topics if t == prefix or t.startswith(below)]
            for t in gone:
                del self.topics[t]
                self.history.pop(t, None)
            if gone:
                self.order = [t for t in self.order if t in self.topics]
                self.epoch += 1
                self.version += 1
            return len(gone)

    def new_since(self, n: int) -> list[TopicStat]:
        """Stats of the topics that arrived after the first `n` (arrival order)."""
        with self._lock:
            return [self.topics[t] for t in self.order[n:]]

    def update_rates(self, now: float | None = None) -> None:
        """Refresh per-topic message rates from the counts since the last call."""
        now = time.monotonic() if now is None else now
        with self._lock:
            stats = list(self.topics.values())
        for st in stats:  # plain attribute writes: no need to hold up the decode thread
            t0, n0 = st._mark
            if t0 and now > t0:
                inst = (st.count - n0) / (now - t0)
                st.rate_hz = inst if not st.rate_hz else 0.5 * st.rate_hz + 0.5 * inst
            st._mark = (now, st.count)

    def snapshot(self, search: str = "") -> list[TopicStat]:
        """Copies of the topic stats whose topic contains `search` (case-insensitive), sorted."""
        s = search.lower()
        with self._lock:
            items = [
                TopicStat(t.topic, t.count, t.last_payload, t.last_t_ns, t.retained, t.rate_hz)
                for t in self.topics.values()
                if not s or s in t.topic.lower()
            ]
        return sorted(items, key=lambda t: t.topic)

    def tree(self, search: str = "", limit: int | None = None) -> TreeNode:
        """The matching topics (the first `limit` in order) arranged as a tree split on '/'."""
        root = TreeNode("", "")
        for st in self.snapshot(search)[:limit]:
            node = root
            parts = st.topic.split("/")
            for i, part in enumerate(parts):
                child = node.children.get(part)
                if child is None:
                    child = node.children[part] = TreeNode(part, "/".join(parts[: i + 1]))
                node = child
            node.stat = st
        return root


def render_payload(data: bytes, limit: int = HEX_LIMIT) -> tuple[str, str]:
    """(kind, text): pretty JSON when the payload is JSON, text when UTF-8, else a hex dump."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "hex", hexdump(data[:limit]) + ("\n..." if len(data) > limit else "")
    try:
        return "json", json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pass
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        return "hex", hexdump(data[:limit])
    return "text", text


def hexdump(data: bytes) -> str:
    """Classic 16-bytes-a-line hex dump with an ASCII column."""
    lines = []
    for off in range(0, len(data), 16):
        row = data[off : off + 16]
        hx = " ".join(f"{b:02x}" for b in row)
        asc = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{off:08x}  {hx:<47}  {asc}")
    return "\n".join(lines)


def numeric_fields(data: bytes) -> dict[str, float]:
    """Numeric fields of a JSON payload by `$.`-path (or `$` for a bare number): plot candidates."""
    try:
        doc = json.loads(data)
    except ValueError:
        return {}
    out: dict[str, float] = {}

    def walk(v: object, path: str) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{path}.{k}")
        elif isinstance(v, list):
            for i, x in enumerate(v[:32]):
                walk(x, f"{path}[{i}]")
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out[path] = float(v)

    walk(doc, "$")
    return out
