"""Per-transport encodings of twin traffic, as a device profile declares them.

- serial: text templates such as ``SET {name}={value} #{rid}`` and ``CMD {name} {payload} #{rid}``,
  with replies ``OK #{rid} ...`` / ``ERR #{rid} ...``;
- BLE: one characteristic per writable property or command, written with the JSON value;
- MQTT: the IoT Hub topics (``$iothub/twin/PATCH/properties/desired/?$version=N``,
  ``$iothub/methods/POST/{name}/?$rid=R``, replies on ``$iothub/methods/res/{status}/?$rid=R``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from twinbench.errors import ConfigError

_FIELDS = re.compile(r"\{(\w+)\}")


SERIAL_TWIN_KEYS = {"desired", "command", "get", "eol", "reply", "reply_prefix", "timeout"}


def _known_keys(sec: dict[str, Any], known: Any, where: str) -> None:
    """Refuse a key of a `[twin]` table that is not in `known`, naming it and the valid ones."""
    for k in sec:
        if k not in known:
            raise ConfigError(f"{where}.{k}: unknown key; valid: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class SerialTwinProfile:
    """Text templates for twin traffic on a serial line.

    `set_template` is rendered once per property (fields name, value, version, rid) or, when it
    holds `{patch}`, once per patch with the whole JSON patch; `command_template` once per command.
    Reply lines start with one of `reply_prefixes` (so they never reach the telemetry decoder)
    and match `reply_pattern`, whose groups are `rid`, `status` (a number, or OK/ERR) and `body`.
    """

    set_template: str = "SET {name}={value} #{rid}\n"
    command_template: str = "CMD {name} {payload} #{rid}\n"
    reply_pattern: str = r"^(?P<status>OK|ERR)\s+#(?P<rid>\d+)\s*(?P<body>.*)$"
    reply_prefixes: tuple[str, ...] = ("OK ", "ERR ")
    timeout: float | None = None
    get_template: str = ""  # asks for every reported property (reply body: a JSON object)

    def __post_init__(self) -> None:
        for tpl, allowed in (
            (self.set_template, {"name", "value", "rid", "version", "patch"}),
            (self.command_template, {"name", "payload", "rid"}),
            (self.get_template, {"rid"}),
        ):
            bad = set(_FIELDS.findall(tpl)) - allowed
            if bad:
                raise ConfigError(
                    f"twin template {tpl!r}: unknown field(s) {', '.join(sorted(bad))}"
                )
        try:
            rx = re.compile(self.reply_pattern)
        except re.error as exc:
            raise ConfigError(f"twin reply_pattern: {exc}") from None
        missing = {"rid", "status"} - set(rx.groupindex)
        if missing:
            raise ConfigError(
                f"twin reply_pattern: needs the named group(s) {', '.join(sorted(missing))}"
            )
        if not self.reply_prefixes or not all(self.reply_prefixes):
            raise ConfigError("twin reply_prefix: must not be empty")

    @classmethod
    def from_section(cls, sec: dict[str, Any], where: str = "twin") -> SerialTwinProfile:
        """Build from a profile's `[twin]` table; errors name the key."""
        _known_keys(sec, SERIAL_TWIN_KEYS, where)
        for k in ("desired", "command", "get", "eol", "reply"):
            if k in sec and not isinstance(sec[k], str):
                raise ConfigError(f"{where}.{k}: expected text")
        eol = _eol(sec.get("eol", "\n"), f"{where}.eol")
        prefixes = sec.get("reply_prefix", ["OK ", "ERR "] if "reply" not in sec else None)
        if prefixes is None:
            raise ConfigError(f"{where}.reply_prefix: needed with a custom reply pattern")
        if isinstance(prefixes, str):
            prefixes = [prefixes]
        if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
            raise ConfigError(f"{where}.reply_prefix: expected text or a list of text")
        timeout = sec.get("timeout")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ConfigError(f"{where}.timeout: expected a positive number of seconds")
        try:
            return cls(
                set_template=sec.get("desired", "SET {name}={value} #{rid}") + eol,
                command_template=sec.get("command", "CMD {name} {payload} #{rid}") + eol,
                reply_pattern=sec.get("reply", cls.reply_pattern),
                reply_prefixes=tuple(prefixes),
                timeout=None if timeout is None else float(timeout),
                get_template=sec["get"] + eol if sec.get("get") else "",
            )
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None

    @property
    def per_patch(self) -> bool:
        """Whether a desired patch goes out as one line (the template holds `{patch}`)."""
        return "patch" in _FIELDS.findall(self.set_template)

    def encode_desired(self, patch: dict[str, Any], version: int, rid: str) -> list[bytes]:
        """One line per property of the patch (or one line when the template holds {patch})."""
        if self.per_patch:
            body = json.dumps(patch, separators=(",", ":"))
            return [self.set_template.format(patch=body, rid=rid, version=version).encode()]
        return [
            self.set_template.format(
                name=k, value=json.dumps(v, separators=(",", ":")), rid=rid, version=version
            ).encode()
            for k, v in patch.items()
        ]

    def encode_command(self, name: str, payload: Any, rid: str) -> bytes:
        """The line that runs a command."""
        body = json.dumps(payload, separators=(",", ":")) if payload is not None else ""
        return self.command_template.format(name=name, payload=body, rid=rid).encode()

    def parse_reply(self, line: str) -> tuple[str, int, Any] | None:
        """(request id, status, body) of a reply line, or None when the line is not a reply."""
        m = re.match(self.reply_pattern, line.strip())
        if m is None:
            return None
        groups = m.groupdict()
        body_text = groups.get("body") or ""
        try:
            body: Any = json.loads(body_text) if body_text else None
        except ValueError:
            body = body_text
        status_text = m.group("status")
        if status_text.isdigit():
            status = int(status_text)
        else:
            status = 200 if status_text.upper() in ("OK", "ACK") else 500
        return m.group("rid"), status, body


def _eol(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected text")
    named = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "NONE": ""}
    if value.upper() in named:
        return named[value.upper()]
    try:
        return value.encode("latin-1").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise ConfigError(f"{key}: {value!r} is not a valid line ending") from None


BLE_TWIN_KEYS = {"properties", "commands", "responses", "encoding", "read_back"}


@dataclass(frozen=True)
class BleTwinProfile:
    """Characteristic UUIDs written for each writable property and command.

    Values are written as UTF-8 JSON (`encoding = "json"`) or packed with a `struct` format
    (`encoding = "<h"`). A successful write with response is the board's acknowledgement (ATT
    answers one request at a time, so replies match by order); with `read_back` the property's
    characteristic is read afterwards and the value it holds is what the twin reports. A command
    with an entry in `responses` reads that characteristic for its response.
    """

    properties: dict[str, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    responses: dict[str, str] = field(default_factory=dict)
    encoding: str = "json"
    read_back: bool = False

    @classmethod
    def from_section(cls, sec: dict[str, Any], where: str = "twin") -> BleTwinProfile:
        """Build from a BLE profile's `twin` table; errors name the key."""
        import struct

        from twinbench.ble.sig import normalize_uuid

        _known_keys(sec, BLE_TWIN_KEYS, where)
        maps: dict[str, dict[str, str]] = {}
        for key in ("properties", "commands", "responses"):
            table = sec.get(key, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{where}.{key}: expected a table of name = UUID")
            out = {}
            for name, uuid in table.items():
                try:
                    out[name] = normalize_uuid(str(uuid))
                except ValueError as exc:
                    raise ConfigError(f"{where}.{key}.{name}: {exc}") from None
            maps[key] = out
        enc = sec.get("encoding", "json")
        if not isinstance(enc, str):
            raise ConfigError(f"{where}.encoding: expected json or a struct format")
        if enc != "json":
            try:
                struct.calcsize(enc)
            except struct.error as exc:
                raise ConfigError(f"{where}.encoding: {enc!r}: {exc}") from None
        if not isinstance(sec.get("read_back", False), bool):
            raise ConfigError(f"{where}.read_back: expected true or false")
        return cls(
            maps["properties"],
            maps["commands"],
            maps["responses"],
            enc,
            bool(sec.get("read_back", False)),
        )

    def encode_value(self, value: Any) -> bytes:
        """The bytes written for a value (ConfigError when the encoding cannot hold it)."""
        if self.encoding == "json":
            return json.dumps(value, separators=(",", ":")).encode()
        import struct

        items = value if isinstance(value, list) else [value]
        try:
            return struct.pack(self.encoding, *items)
        except (struct.error, TypeError) as exc:
            raise ConfigError(f"{value!r} does not fit {self.encoding!r}: {exc}") from None

    def decode_value(self, data: bytes) -> Any:
        """A value read back from a characteristic."""
        if self.encoding == "json":
            try:
                return json.loads(data.decode("utf-8")) if data else None
            except (UnicodeDecodeError, ValueError):
                return data.hex()
        import struct

        try:
            vals = struct.unpack(self.encoding, data)
        except struct.error:
            return data.hex()
        return vals[0] if len(vals) == 1 else list(vals)

    def encode_desired(self, patch: dict[str, Any]) -> list[tuple[str, bytes]]:
        """(characteristic, bytes) writes for a desired patch; unknown names are an error."""
        out = []
        for k, v in patch.items():
            if k not in self.properties:
                raise ConfigError(f"BLE twin profile: no characteristic for property {k!r}")
            out.append((self.properties[k], self.encode_value(v)))
        return out


class IotHubTopics:
    """The IoT Hub MQTT topics of twins and direct methods."""

    DESIRED = "$iothub/twin/PATCH/properties/desired/"
    REPORTED = "$iothub/twin/PATCH/properties/reported/?$rid={rid}"
    GET = "$iothub/twin/GET/?$rid={rid}"
    METHOD = "$iothub/methods/POST/{name}/?$rid={rid}"
    METHOD_RES = "$iothub/methods/res/{status}/?$rid={rid}"
    TWIN_RES = "$iothub/twin/res/{status}/?$rid={rid}"

    @staticmethod
    def desired(version: int) -> str:
        """Topic of a desired patch with its version."""
        return f"{IotHubTopics.DESIRED}?$version={version}"

    @staticmethod
    def parse(topic: str) -> dict[str, Any]:
        """Kind, name, status, request id and version from an IoT Hub topic."""
        path, _, query = topic.partition("?")
        q = {k: v[0] for k, v in parse_qs(query).items()}
        parts = path.strip("/").split("/")
        out: dict[str, Any] = {"rid": q.get("$rid"), "version": None, "status": None, "name": None}
        if q.get("$version", "").isdigit():
            out["version"] = int(q["$version"])
        if parts[:2] == ["$iothub", "methods"] and len(parts) >= 4:
            out["kind"] = "method" if parts[2] == "POST" else "method_response"
            if parts[2] == "POST":
                out["name"] = parts[3]
            else:
                out["status"] = int(parts[3]) if parts[3].isdigit() else None
        elif parts[:3] == ["$iothub", "twin", "res"] and len(parts) >= 4:
            out["kind"] = "twin_response"
            out["status"] = int(parts[3]) if parts[3].isdigit() else None
        elif parts[:3] == ["$iothub", "twin", "PATCH"]:
            out["kind"] = "desired" if "desired" in parts else "reported"
        else:
            out["kind"] = "other"
        return out
