"""MQTT topic patterns: wildcard matching, named captures and Azure IoT Hub topic parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote


class PatternError(ValueError):
    """A topic pattern is malformed; the message names the pattern and the bad segment."""


@dataclass(frozen=True)
class TopicPattern:
    """An MQTT filter whose segments may be `+`, `#` or a named capture like `{device}`."""

    text: str
    regex: re.Pattern[str]
    names: tuple[str, ...]

    @property
    def filter(self) -> str:
        """The MQTT subscription filter (captures become `+`)."""
        return "/".join("+" if s.startswith("{") else s for s in self.text.split("/"))

    def match(self, topic: str) -> dict[str, str] | None:
        """The captures when `topic` matches, else None."""
        m = self.regex.fullmatch(topic)
        return None if m is None else m.groupdict()


def compile_pattern(text: str) -> TopicPattern:
    """Compile `fleet/{device}/+/#`-style text; raises PatternError naming the bad segment."""
    if not text:
        raise PatternError("empty topic pattern")
    parts = text.split("/")
    rx: list[str] = []
    names: list[str] = []
    for i, seg in enumerate(parts):
        if seg == "#":
            if i != len(parts) - 1:
                raise PatternError(f"topic pattern {text!r}: '#' must be the last segment")
            rx.append("(?:/.*)?" if i else ".*")
            continue
        sep = "/" if i else ""
        if seg == "+":
            rx.append(sep + "[^/]*")
        elif seg.startswith("{") and seg.endswith("}"):
            name = seg[1:-1]
            if not name.isidentifier() or name in names:
                raise PatternError(f"topic pattern {text!r}: bad capture {seg!r}")
            names.append(name)
            rx.append(sep + f"(?P<{name}>[^/]*)")
        elif "+" in seg or "#" in seg or "{" in seg or "}" in seg:
            raise PatternError(f"topic pattern {text!r}: bad segment {seg!r}")
        else:
            rx.append(sep + re.escape(seg))
    joined = "".join(rx)
    if parts[-1] == "#" and len(parts) > 1:
        # 'a/#' also matches 'a' itself (MQTT semantics)
        joined = "".join(rx[:-1]) + "(?:/.*)?"
    return TopicPattern(text, re.compile(joined), tuple(names))


def topic_matches(filt: str, topic: str) -> bool:
    """True when an MQTT subscription filter (with + and #) matches a topic name."""
    if filt.startswith("$share/"):
        filt = filt.split("/", 2)[2]
    if topic.startswith("$") and not filt.startswith("$"):
        return False
    return compile_pattern(filt).match(topic) is not None


@dataclass(frozen=True)
class IotHubTopic:
    """A parsed Azure IoT Hub topic: telemetry, twin or direct method."""

    kind: str  # telemetry | twin | method | twin-response | unknown
    device: str = ""
    component: str = ""
    properties: tuple[tuple[str, str], ...] = ()
    name: str = ""  # method name or twin operation
    rid: str = ""


def parse_iothub(topic: str) -> IotHubTopic:
    """Split an IoT Hub topic: `devices/{id}/messages/events/{bag}`, `$iothub/twin/..`, methods."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[0] == "devices" and parts[2:4] == ["messages", "events"]:
        bag = "/".join(parts[4:])
        props = tuple(parse_qsl(bag, keep_blank_values=True)) if bag else ()
        comp = dict(props).get("$.sub", "")
        return IotHubTopic("telemetry", unquote(parts[1]), comp, props)
    if topic.startswith("$iothub/methods/POST/") and len(parts) >= 5:
        query = dict(parse_qsl(parts[4].lstrip("?"), keep_blank_values=True))
        return IotHubTopic("method", name=parts[3], rid=query.get("$rid", ""))
    if topic.startswith("$iothub/twin/"):
        last = parts[-1]
        query = dict(parse_qsl(last.lstrip("?"), keep_blank_values=True)) if "?" in last else {}
        op = "/".join(p for p in parts[2:] if not p.startswith("?"))
        kind = "twin-response" if op.startswith("res") else "twin"
        return IotHubTopic(kind, name=op, rid=query.get("$rid", ""))
    return IotHubTopic("unknown")
