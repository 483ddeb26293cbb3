"""Device recognition by topic pattern: rules from driver settings or a TOML profile section."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from twinbench.errors import ConfigError
from twinbench.mqtt.payloads import JsonSpec, PathError, parse_path
from twinbench.mqtt.topics import PatternError, TopicPattern, compile_pattern
from twinbench.userfile import load_toml

FORMATS = ("auto", "json", "number", "csv", "iothub", "sparkplug")
# formats whose protocol names the devices itself
PROTOCOL_PATTERNS = {"iothub": "devices/{device}/messages/events/#", "sparkplug": "spBv1.0/#"}
TIME_SCALES = {"auto": 0, "s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


@dataclass(eq=False)
class TopicRule:
    """Topics matching `pattern` are device data in `format`; `device` names the device."""

    pattern: TopicPattern
    format: str = "auto"
    device: str = ""  # template over captures, e.g. "{device}" or "rig-{site}-{board}"
    json: JsonSpec = field(default_factory=JsonSpec)
    channel: str = ""  # for plain numbers; default: the last topic segment
    columns: tuple[str, ...] = ()  # for CSV

    def device_id(self, topic: str, captures: dict[str, str]) -> str:
        """The device id for a topic: the template filled in, else `{device}`, else the topic."""
        if self.device:
            try:
                return self.device.format(**captures)
            except (KeyError, IndexError, ValueError):
                return topic
        return captures.get("device") or topic


def _where(source: str, key: str) -> str:
    return f"{source}: {key}" if source else key


def make_rule(raw: dict[str, Any], source: str = "", key: str = "mqtt.devices") -> TopicRule:
    """Build a rule from a mapping; ConfigError names the source file and the key at fault."""
    known = {
        "topic",
        "format",
        "device",
        "device_field",
        "channels",
        "time",
        "time_unit",
        "channel",
        "columns",
    }
    if not isinstance(raw, dict):
        raise ConfigError(f"{_where(source, key)}: expected a table")
    for k in raw:
        if k not in known:
            raise ConfigError(
                f"{_where(source, key + '.' + k)}: unknown key; valid: {', '.join(sorted(known))}"
            )
    topic = raw.get("topic")
    if not isinstance(topic, str):
        raise ConfigError(f"{_where(source, key + '.topic')}: a topic pattern string is required")
    try:
        pat = compile_pattern(topic)
    except PatternError as exc:
        raise ConfigError(f"{_where(source, key + '.topic')}: {exc}") from None
    fmt = raw.get("format", "auto")
    if not (fmt in FORMATS or (isinstance(fmt, str) and fmt.startswith("decoder:"))):
        raise ConfigError(
            f"{_where(source, key + '.format')}: {fmt!r} is not one of "
            f"{', '.join(FORMATS)} or decoder:NAME"
        )
    spec = JsonSpec()
    try:
        chans = raw.get("channels", {})
        if isinstance(chans, str):
            try:
                chans = parse_assignments(chans)
            except ConfigError as exc:  # say where: the file and the key
                msg = str(exc).removeprefix("channels: ")
                raise ConfigError(f"{_where(source, key + '.channels')}: {msg}") from None
        if not isinstance(chans, dict):
            raise ConfigError(f"{_where(source, key + '.channels')}: expected a table name = path")
        spec.channels = {str(n): parse_path(str(p)) for n, p in chans.items()}
        if raw.get("device_field"):
            spec.device_path = parse_path(str(raw["device_field"]))
        if raw.get("time"):
            spec.time_path = parse_path(str(raw["time"]))
    except PathError as exc:
        raise ConfigError(f"{_where(source, key)}: {exc}") from None
    unit = raw.get("time_unit", "auto")
    if not isinstance(unit, str) or unit not in TIME_SCALES:
        raise ConfigError(
            f"{_where(source, key + '.time_unit')}: {unit!r} is not auto, s, ms, us or ns"
        )
    spec.time_scale = TIME_SCALES[unit]
    cols = raw.get("columns", ())
    if isinstance(cols, str):
        cols = tuple(c.strip() for c in cols.split(",") if c.strip())
    return TopicRule(
        pat, fmt, str(raw.get("device", "")), spec, str(raw.get("channel", "")), tuple(cols)
    )


def parse_assignments(text: str) -> dict[str, str]:
    """`a=$.x, b=$.y.z` -> {"a": "$.x", "b": "$.y.z"}; ConfigError on an item without '='."""
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, eq, path = item.partition("=")
        if not eq or not name.strip():
            raise ConfigError(f"channels: {item.strip()!r} is not NAME=PATH")
        out[name.strip()] = path.strip()
    return out


def load_profile(path: str) -> list[TopicRule]:
    """Read `[[mqtt.devices]]` rules from a TOML profile; errors name the file, line and key."""
    p = FsPath(path)
    data, _ = load_toml(p, "MQTT profile")
    mqtt = data.get("mqtt", {})
    devices = mqtt.get("devices", []) if isinstance(mqtt, dict) else None
    if not isinstance(devices, list) or not devices:
        raise ConfigError(f"{path}: no [[mqtt.devices]] rules")
    return [make_rule(d, path, f"mqtt.devices[{i}]") for i, d in enumerate(devices)]


def rules_from_settings(cfg: dict[str, Any]) -> list[TopicRule]:
    """Rules from driver settings: the profile's rules first, then the one the settings describe.

    Without `pattern` (and outside IoT Hub, Sparkplug and `device_field`) the settings describe
    no rule: topics are shown in the topic tree and become devices only on purpose.
    """
    rules: list[TopicRule] = []
    if cfg.get("profile"):
        rules.extend(load_profile(cfg["profile"]))
    fmt = cfg.get("format", "auto")
    pattern = cfg.get("pattern") or ""
    if not pattern:
        pattern = PROTOCOL_PATTERNS.get(fmt, "#" if cfg.get("device_field") else "")
    if not pattern:  # no pattern says which topics are devices: the topics feed the tree only
        return rules
    raw: dict[str, Any] = {"topic": pattern, "format": fmt}
    for src, dst in (
        ("device", "device"),
        ("device_field", "device_field"),
        ("channels", "channels"),
        ("time_field", "time"),
        ("time_unit", "time_unit"),
        ("columns", "columns"),
    ):
        if cfg.get(src):
            raw[dst] = cfg[src]
    rules.append(make_rule(raw, "", "setting"))
    return rules


def subtree_rule(path: str, per_child: bool, fmt: str = "auto") -> TopicRule:
    """The rule of "Make device" on a topic subtree: one device named after it, or one per child."""
    name = path.rstrip("/").rsplit("/", 1)[-1] or path
    if per_child:
        return make_rule({"topic": f"{path}/{{device}}/#", "format": fmt}, "", "make device")
    return make_rule(
        {"topic": f"{path}/#", "format": fmt, "device": name.replace("{", "(").replace("}", ")")},
        "",
        "make device",
    )


def channel_for_path(rule: TopicRule, path: str) -> str:
    """The channel name a rule's JSON decoding gives the field at `path` ('' when none)."""
    key = path.strip() or "$"
    if key == "$":
        return rule.channel or "value"
    try:
        keys = parse_path(key)
    except PathError:
        return ""
    if rule.json.channels:
        return next((n for n, p in rule.json.channels.items() if tuple(p) == keys), "")
    if any(isinstance(k, int) for k in keys):
        return ""  # list items are not discovered as channels
    return ".".join(map(str, keys))
