"""Bench configs (TOML): devices, recording, commands and assertions, validated with locations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.errors import ConfigError
from twinbench.userfile import load_toml

SEVERITIES = ("info", "warning", "major", "critical")
STATS = ("count", "min", "max", "mean", "nan")
CHECK_KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    "stat": {
        "device": (str,),
        "channel": (str,),
        "stat": (str,),
        "min": (int, float),
        "max": (int, float),
    },
    "no_loss": {"device": (str,)},
    "no_alarm": {"severity": (str,), "device": (str,)},
    "twin": {
        "property": (str,),
        "device": (str,),
        "equals": (str, int, float, bool),
        "min": (int, float),
        "max": (int, float),
        "within": (int, float),
    },
    "command": {"command": (str,), "device": (str,), "within": (int, float)},
}
REQUIRED = {
    "stat": ("channel", "stat"),
    "no_loss": (),
    "no_alarm": ("severity",),
    "twin": ("property", "within"),
    "command": ("command",),
}


@dataclass
class Assertion:
    """One check of a bench config: its kind, parameters, name and where it was written."""

    check: str
    params: dict[str, Any]
    name: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """The line where `key` was written (the table's line when it was not)."""
        return self.key_lines.get(key) or self.line


@dataclass
class DeviceSpec:
    """A driver and its settings."""

    driver: str
    settings: dict[str, Any]
    line: int


@dataclass
class CommandSpec:
    """A command to send at a moment of the run."""

    at: float
    name: str
    device: str
    payload: Any
    line: int


@dataclass
class BenchConfig:
    """A parsed, validated bench config."""

    path: Path
    name: str
    duration: float
    until: dict[str, Any] | None
    devices: list[DeviceSpec]
    assertions: list[Assertion]
    commands: list[CommandSpec] = field(default_factory=list)
    rules: list[Path] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    record: Path | None = None
    record_name: str = ""
    junit: Path | None = None
    summary: Path | None = None


class _Locator:
    """Finds the line of a key in the n-th table of a TOML file (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, header: str, index: int = 0) -> int:
        pat = re.compile(r"^\s*\[{1,2}\s*" + re.escape(header) + r"\s*\]{1,2}\s*(#.*)?$")
        seen = -1
        for i, line in enumerate(self.lines):
            if pat.match(line):
                seen += 1
                if seen == index:
                    return i + 1
        return 0

    def key(self, header: str, index: int, key: str) -> int:
        start = self.table(header, index) if header else 0
        if header and not start:
            return 0
        pat = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if line.lstrip().startswith("["):
                break
            if pat.match(line):
                return i + 1
        return start


def _err(path: Path, line: int, key: str, msg: str) -> ConfigError:
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: {key}: {msg}")


def load_config(path: str | Path) -> BenchConfig:
    """Read and validate a bench config; errors name the file, line and key."""
    path = Path(path)
    data, text = load_toml(path, "bench config")
    loc = _Locator(text)
    base = path.parent

    known_top = {"bench", "device", "assert", "command", "record", "report"}
    for key in data:
        if key not in known_top:
            raise _err(
                path,
                loc.table(key) or loc.key("", 0, key),
                key,
                f"unknown section; valid: {', '.join(sorted(known_top))}",
            )

    bench = _table(data, "bench", path, loc)
    _only(bench, {"name", "duration", "until", "rules", "derived"}, "bench", 0, path, loc)
    rules_raw = bench.get("rules", [])
    rules_raw = [rules_raw] if isinstance(rules_raw, str) else rules_raw
    if not isinstance(rules_raw, list) or not all(isinstance(r, str) for r in rules_raw):
        raise _err(path, loc.key("bench", 0, "rules"), "bench.rules", "expected a file or a list")
    derived = bench.get("derived", [])
    if not isinstance(derived, list) or not all(isinstance(d, str) for d in derived):
        raise _err(
            path,
            loc.key("bench", 0, "derived"),
            "bench.derived",
            "expected a list of 'NAME = EXPR [UNIT]' strings",
        )
    duration = bench.get("duration", 10.0)
    if (
        not isinstance(duration, int | float)
        or isinstance(duration, bool)
        or not (math.isfinite(duration) and duration > 0)
    ):
        raise _err(
            path,
            loc.key("bench", 0, "duration"),
            "bench.duration",
            f"expected a positive number of seconds, got {duration!r}",
        )
    until = bench.get("until")
    if until is not None and (not isinstance(until, dict) or "kind" not in until):
        raise _err(
            path,
            loc.key("bench", 0, "until"),
            "bench.until",
            "expected a table with 'kind' and data fields to match, e.g. "
            '{ kind = "twin", property = "state", value = "ready" }',
        )

    devices = []
    raw_devices = data.get("device", [])
    if not isinstance(raw_devices, list) or not raw_devices:
        raise _err(path, 0, "device", "at least one [[device]] table is required")
    for i, d in enumerate(raw_devices):
        _only(d, {"driver", "settings"}, "device", i, path, loc)
        drv = d.get("driver")
        if not isinstance(drv, str) or not drv:
            raise _err(
                path,
                loc.key("device", i, "driver") or loc.table("device", i),
                f"device[{i}].driver",
                "expected a driver name",
            )
        settings = d.get("settings", {})
        if not isinstance(settings, dict):
            raise _err(
                path,
                loc.key("device", i, "settings"),
                f"device[{i}].settings",
                "expected a table of driver settings",
            )
        line = loc.key("device", i, "settings") if "settings" in d else loc.table("device", i)
        devices.append(DeviceSpec(drv, settings, line))

    for key in ("assert", "command"):
        if not isinstance(data.get(key, []), list):
            raise _err(path, loc.table(key), key, f"expected [[{key}]] tables")
    assertions = []
    for i, a in enumerate(data.get("assert", [])):
        assertions.append(_assertion(a, i, path, loc))
    if not assertions:
        raise _err(path, 0, "assert", "at least one [[assert]] table is required")

    commands = []
    for i, c in enumerate(data.get("command", [])):
        _only(c, {"at", "name", "device", "payload"}, "command", i, path, loc)
        at = c.get("at", 0.0)
        if not _finite(at) or at < 0:
            raise _err(
                path,
                loc.key("command", i, "at"),
                f"command[{i}].at",
                "expected seconds from the start",
            )
        if not isinstance(c.get("name"), str):
            raise _err(
                path,
                loc.key("command", i, "name") or loc.table("command", i),
                f"command[{i}].name",
                "expected the command name",
            )
        commands.append(
            CommandSpec(
                float(at),
                c["name"],
                str(c.get("device", "")),
                c.get("payload"),
                loc.table("command", i),
            )
        )

    record = _table(data, "record", path, loc)
    _only(record, {"dir", "name"}, "record", 0, path, loc)
    report = _table(data, "report", path, loc)
    _only(report, {"junit", "summary"}, "report", 0, path, loc)
    for table, key in (
        ("record", "dir"),
        ("record", "name"),
        ("report", "junit"),
        ("report", "summary"),
    ):
        value = (record if table == "record" else report).get(key, "")
        if not isinstance(value, str) or "\x00" in value:
            raise _err(path, loc.key(table, 0, key), f"{table}.{key}", "expected a file name")
    return BenchConfig(
        path=path,
        name=str(bench.get("name", path.stem)),
        duration=float(duration),
        until=until,
        devices=devices,
        assertions=assertions,
        commands=commands,
        record=(base / record["dir"]) if "dir" in record else None,
        record_name=str(record.get("name", "")),
        junit=(base / report["junit"]) if "junit" in report else None,
        summary=(base / report["summary"]) if "summary" in report else None,
        rules=[base / r for r in rules_raw],
        derived=list(derived),
    )


def _finite(value: Any) -> bool:
    """A real, finite number (not a boolean, not NaN or infinity)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _table(data: dict[str, Any], key: str, path: Path, loc: _Locator) -> dict[str, Any]:
    t = data.get(key, {})
    if not isinstance(t, dict):
        raise _err(path, loc.table(key), key, "expected a [table]")
    return t


def _only(t: Any, allowed: set[str], header: str, i: int, path: Path, loc: _Locator) -> None:
    if not isinstance(t, dict):
        raise _err(path, loc.table(header, i), header, "expected a table")
    for key in t:
        if key not in allowed:
            raise _err(
                path,
                loc.key(header, i, key),
                f"{header}[{i}].{key}"
                if header in ("device", "assert", "command")
                else f"{header}.{key}",
                f"unknown key; valid: {', '.join(sorted(allowed))}",
            )


def _assertion(a: Any, i: int, path: Path, loc: _Locator) -> Assertion:
    where = f"assert[{i}]"
    line = loc.table("assert", i)
    if not isinstance(a, dict):
        raise _err(path, line, where, "expected a table")
    check = a.get("check")
    if not isinstance(check, str) or check not in CHECK_KEYS:
        raise _err(
            path,
            loc.key("assert", i, "check") or line,
            f"{where}.check",
            f"{check!r} is not one of {', '.join(CHECK_KEYS)}",
        )
    allowed = CHECK_KEYS[check]
    params = {}
    for key, value in a.items():
        if key in ("check", "name"):
            continue
        if key not in allowed:
            raise _err(
                path,
                loc.key("assert", i, key),
                f"{where}.{key}",
                f"unknown key for check {check!r}; valid: name, {', '.join(allowed)}",
            )
        if (
            not isinstance(value, allowed[key])
            or (isinstance(value, bool) and bool not in allowed[key])
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            kinds = "/".join(t.__name__ for t in allowed[key])
            raise _err(
                path,
                loc.key("assert", i, key),
                f"{where}.{key}",
                f"expected {kinds}, got {value!r}",
            )
        params[key] = value
    for key in REQUIRED[check]:
        if key not in params:
            raise _err(path, line, f"{where}.{key}", f"required for check {check!r}")
    if check == "stat":
        if params["stat"] not in STATS:
            raise _err(
                path,
                loc.key("assert", i, "stat"),
                f"{where}.stat",
                f"{params['stat']!r} is not one of {', '.join(STATS)}",
            )
        if "min" not in params and "max" not in params:
            raise _err(path, line, f"{where}.min", "give min, max or both")
    if check == "no_alarm" and params["severity"] not in SEVERITIES:
        raise _err(
            path,
            loc.key("assert", i, "severity"),
            f"{where}.severity",
            f"{params['severity']!r} is not one of {', '.join(SEVERITIES)}",
        )
    if check == "twin" and not ({"equals", "min", "max"} & set(params)):
        raise _err(path, line, f"{where}.equals", "give equals, or min/max")
    name = a.get("name") or _default_name(check, params)
    key_lines = {k: loc.key("assert", i, k) for k in a}
    return Assertion(check, params, str(name), line, key_lines)


def _default_name(check: str, p: dict[str, Any]) -> str:
    if check == "stat":
        bounds = " ".join(f"{k} {p[k]:g}" for k in ("min", "max") if k in p)
        dev = f"{p['device']}." if "device" in p else ""
        return f"{p['stat']}({dev}{p['channel']}) {bounds}"
    if check == "no_loss":
        return "no samples lost or dropped"
    if check == "no_alarm":
        return f"no alarm at or above {p['severity']}"
    if check == "twin":
        target = repr(p["equals"]) if "equals" in p else "in range"
        return f"twin {p['property']} reaches {target} within {p['within']:g} s"
    return f"command {p['command']!r} answered"
