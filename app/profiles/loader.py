"""Device profiles in TOML: load, validate (errors name file, key and line), find, match."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.errors import ConfigError
from twinbench.paths import config_dir
from twinbench.profiles.schema import check_sections
from twinbench.userfile import SchemaError, loads_toml, read_text

TOP_KEYS = {
    "name",
    "description",
    "device",
    "transport",
    "framing",
    "checksum",
    "decoder",
    "channels",
    "groups",
    "recognition",
    "commands",
    "notes",
    "twin",
    "identity",
    "view3d",
}
RECOGNITION_KEYS = {"vid", "pid", "serial", "description", "manufacturer"}


@dataclass
class Profile:
    """A validated device profile."""

    name: str
    path: Path | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def device_id(self) -> str:
        """The device id the profile gives (default: its name)."""
        return str(self.data.get("device", {}).get("id", self.name))

    @property
    def transport(self) -> dict[str, Any]:
        """Transport table: driver name plus its settings."""
        return dict(self.data.get("transport", {}))

    @property
    def recognition(self) -> dict[str, Any]:
        """How the profile recognises its board (VID:PID, serial, description)."""
        return dict(self.data.get("recognition", {}))

    @property
    def commands(self) -> list[dict[str, Any]]:
        """User command buttons: label, data, eol, hex."""
        return list(self.data.get("commands", []))

    def matches(self, port: Mapping[str, Any]) -> bool:
        """Whether a port (vid, pid, serial_number, description) is this profile's board."""
        rec = self.recognition
        if not rec.get("vid"):
            return False
        if port.get("vid") != _as_int(rec["vid"]):
            return False
        if rec.get("pid") is not None and port.get("pid") != _as_int(rec["pid"]):
            return False
        if rec.get("serial") and rec["serial"] != port.get("serial_number"):
            return False
        for key in ("description", "manufacturer"):
            want = rec.get(key)
            if want and str(want).lower() not in str(port.get(key) or "").lower():
                return False
        return True


def _as_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(str(value), 16)


def profiles_dir() -> Path:
    """Where user profiles live."""
    return config_dir() / "profiles"


def builtin_dir() -> Path:
    """Example profiles shipped with TwinBench (resources/profiles)."""
    import twinbench.resources

    return Path(twinbench.resources.__file__).resolve().parent / "profiles"


def line_of(text: str, key: str) -> int | None:
    """Best-effort line number (1-based) of a dotted key such as 'decoder.fields[1].type'."""
    parts = [p for p in re.split(r"[.\[\]]+", key) if p]
    section_line = 0
    lines = text.splitlines()
    table = parts[0] if parts else ""
    for i, line in enumerate(lines):
        s = line.strip()
        if re.match(rf"^\[\[?\s*{re.escape(table)}\s*\]\]?", s):
            section_line = i + 1
            break
    else:
        for i, line in enumerate(lines):
            if re.match(rf"^{re.escape(table)}\s*=", line.strip()):
                return i + 1
        return None
    rest = parts[1:]
    start = section_line
    if table in ("channels", "commands", "groups") and rest and rest[0].isdigit():
        # [[channels]] blocks: jump to the n-th one
        hits = [
            i + 1 for i, ln in enumerate(lines) if re.match(rf"^\[\[\s*{table}\s*\]\]", ln.strip())
        ]
        n = int(rest[0])
        if n < len(hits):
            start = hits[n]
        rest = rest[1:]
    nth = 0
    for part in rest:
        if part.isdigit():
            nth = int(part)  # applies to the key after the array: its nth occurrence
            continue
        found = _find_key(lines, start, part, nth)
        nth = 0
        if found is None:
            return start or None
        start = found
    return start or None


def _find_key(lines: list[str], start: int, key: str, nth: int) -> int | None:
    """Line of the nth `key =` at or after line `start` (1-based), within the same table."""
    count = 0
    for i in range(max(0, start - 1), len(lines)):
        s = lines[i].strip()
        if i >= start and s.startswith("[") and not re.match(r"^\[\s*[-0-9.\"]", s):
            break
        if re.search(rf"(^|[{{,\s]){re.escape(key)}\s*=", s):
            if count == nth:
                return i + 1
            count += 1
    return None


def _error(path: str, text: str, key: str, message: str) -> ConfigError:
    line = line_of(text, key)
    where = f"{path}:{line}" if line else path
    return ConfigError(f"{where}: {key}: {message}")


def validate(data: dict[str, Any], path: str, text: str = "") -> None:
    """Raise ConfigError (file, line, key) when the profile is invalid."""
    from twinbench.decode.pipeline import PipelineError, make_pipeline

    for key in data:
        if key not in TOP_KEYS:
            raise _error(path, text, key, f"unknown key; valid: {', '.join(sorted(TOP_KEYS))}")
    for key in ("framing", "decoder", "transport", "recognition", "device", "view3d"):
        if key in data and not isinstance(data[key], dict):
            raise _error(path, text, key, "expected a table")
    for key in ("channels", "commands", "groups"):
        if key in data and not isinstance(data[key], list):
            raise _error(path, text, key, "expected an array of tables ([[...]])")
    try:
        check_sections(data)
    except SchemaError as exc:
        raise _error(path, text, exc.key, exc.detail) from None
    for i, cmd in enumerate(data.get("commands", [])):
        if not isinstance(cmd.get("label"), str) or "data" not in cmd:
            raise _error(path, text, f"commands[{i}]", "a command needs a label and data")
    rec = data.get("recognition", {})
    for k, v in rec.items():
        if k not in RECOGNITION_KEYS:
            raise _error(path, text, f"recognition.{k}", "unknown key")
        if k in ("vid", "pid"):
            try:
                n = _as_int(v)
            except ValueError:
                raise _error(path, text, f"recognition.{k}", f"{v!r} is not a hex id") from None
            if not 0 <= n <= 0xFFFF:
                raise _error(path, text, f"recognition.{k}", f"{v!r} is out of range 0..FFFF")
    _check_twin_identity(data, path, text)
    if "view3d" in data:
        from twinbench.visuals.bindings import parse_view_config

        parse_view_config(data["view3d"], path)
    transport = data.get("transport", {})
    if transport:
        _check_transport(transport, path, text)
    try:
        make_pipeline(data)
    except PipelineError as exc:
        raise _error(path, text, exc.key, str(exc).partition(": ")[2]) from None
    except (TypeError, ValueError) as exc:
        raise _error(path, text, "decoder", str(exc)) from None


def _check_twin_identity(data: dict[str, Any], path: str, text: str) -> None:
    from twinbench.drivers.serial.driver import identity_section
    from twinbench.twin.profiles import SerialTwinProfile

    try:
        if "twin" in data:
            if not isinstance(data["twin"], dict):
                raise ConfigError("twin: expected a table")
            SerialTwinProfile.from_section(data["twin"])
        identity_section(data)
    except ConfigError as exc:
        msg = str(exc)
        key, _, rest = msg.partition(": ")
        raise _error(path, text, key, rest or msg) from None


def _check_transport(transport: dict[str, Any], path: str, text: str) -> None:
    from twinbench.drivers.base import SettingError
    from twinbench.errors import UsageError
    from twinbench.registry import load_driver

    name = transport.get("driver", "serial")
    try:
        cls = load_driver(str(name))
    except UsageError as exc:
        raise _error(path, text, "transport.driver", str(exc)) from None
    settings = {k: v for k, v in transport.items() if k != "driver"}
    try:
        cls.parse_settings(settings)
    except SettingError as exc:
        m = re.search(r"setting '([^']+)'", str(exc))
        key = f"transport.{m.group(1)}" if m else "transport"
        raise _error(path, text, key, str(exc)) from None


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    """Parse and validate profile text."""
    data = loads_toml(text, path)
    validate(data, path, text)
    name = str(data.get("name") or Path(path).stem)
    return Profile(name, Path(path) if path != "<profile>" else None, data)


def load_profile(ref: str | os.PathLike[str]) -> Profile:
    """Load a profile by path, or by name from the user folder or the built-in examples."""
    p = Path(ref)
    if not p.exists() and not str(ref).endswith(".toml"):
        for folder in (profiles_dir(), builtin_dir()):
            cand = folder / f"{ref}.toml"
            if cand.exists():
                p = cand
                break
    if not p.exists():
        raise ConfigError(f"{ref}: no such profile file or name")
    return parse_profile(read_text(p, "device profile"), str(p))


def all_profiles() -> list[Profile]:
    """Every loadable profile (user folder first, then built-in); broken files are skipped."""
    out: list[Profile] = []
    for folder in (profiles_dir(), builtin_dir()):
        if not folder.is_dir():
            continue
        for f in sorted(folder.glob("*.toml")):
            try:
                out.append(load_profile(f))
            except ConfigError:
                continue
    return out


def match_port(port: Mapping[str, Any], profiles: list[Profile] | None = None) -> Profile | None:
    """The first profile that recognises this port, if any."""
    for prof in profiles if profiles is not None else all_profiles():
        if prof.matches(port):
            return prof
    return None


def add_command(path: str | os.PathLike[str], label: str, data: str, eol: str, hex_: bool) -> None:
    """Save a user command button into a profile file (validated before it is written)."""
    import tomli_w

    p = Path(path)
    doc = loads_toml(read_text(p, "device profile"), str(p))
    doc.setdefault("commands", []).append({"label": label, "data": data, "eol": eol, "hex": hex_})
    new = tomli_w.dumps(doc)
    parse_profile(new, str(p))
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, p)
