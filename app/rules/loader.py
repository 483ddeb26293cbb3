"""Rule files (TOML, one `[[rule]]` per rule): loading and validation with precise errors."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.errors import ConfigError
from twinbench.rules.expr import DURATION_UNITS, ExprError
from twinbench.rules.typecheck import Checked, check
from twinbench.userfile import loads_toml, read_text

MAX_DURATION_S = 366 * 86400.0  # a year: holds, tolerances, timeouts
SEVERITIES = ("info", "warning", "major", "critical")
ACTION_KINDS = {
    "command": {"command": True, "args": False},
    "desired": {"property": True, "value": True},
    "mqtt": {"topic": True, "payload": False, "qos": False, "retain": False},
    "webhook": {
        "url": True,
        "timeout": False,
        "retries": False,
        "headers": False,
        "token_key": False,
        "token_credential": False,
        "token_file": False,
        "token_env": False,
    },
    "log": {"path": True},
    "notify": {"message": False},
    "record": {"do": True},
}
RULE_KEYS = {
    "name",
    "devices",
    "profile",
    "condition",
    "hold",
    "clear",
    "severity",
    "message",
    "action",
    "enabled",
}


@dataclass
class Action:
    """Something to do when an alarm is raised or cleared."""

    kind: str
    params: dict[str, Any]
    on: tuple[str, ...] = ("raised",)


@dataclass
class Rule:
    """A checked rule: which devices, when it raises and clears, how severe, what it does."""

    name: str
    condition: Checked
    devices: tuple[str, ...] = ("*",)
    profile: str | None = None
    clear: Checked | None = None
    hold_ns: int = 0
    severity: str = "warning"
    message: str = "{rule}: {value}"
    actions: list[Action] = field(default_factory=list)
    source: str = ""

    @property
    def windowed(self) -> bool:
        """Whether the rule is evaluated at window emissions rather than at every sample."""
        return self.condition.windowed or (self.clear is not None and self.clear.windowed)

    @property
    def channels(self) -> list[str]:
        """Every channel the rule reads."""
        extra = self.clear.channels if self.clear else []
        return list(dict.fromkeys([*self.condition.channels, *extra]))


@dataclass
class RuleSet:
    """The rules of one or more files with the ordering settings they ask for."""

    rules: list[Rule] = field(default_factory=list)
    tolerance_ns: int = 0
    late: str = "drop"


def parse_duration(value: Any, where: str) -> int:
    """A duration in ns from `"10s"`, `"250ms"` or a number of seconds."""
    if isinstance(value, bool):
        raise ConfigError(f'{where}: expected a duration such as "10s", got {value!r}')
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > MAX_DURATION_S:
            raise ConfigError(f"{where}: {value!r} is not a duration of at most a year")
        ns = round(float(value) * 1e9)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", value)
        if not m or (m.group(2) or "s") not in DURATION_UNITS:
            raise ConfigError(f'{where}: expected a duration such as "10s", got {value!r}')
        ns = round(float(m.group(1)) * DURATION_UNITS[m.group(2) or "s"])
        if ns > MAX_DURATION_S * 1e9:
            raise ConfigError(f"{where}: {value!r} is longer than a year")
    else:
        raise ConfigError(f'{where}: expected a duration such as "10s", got {value!r}')
    if ns < 0:
        raise ConfigError(f"{where}: a duration cannot be negative")
    return ns


def _rule_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """Line of each `[[rule]]` header and of the keys under it (1-based)."""
    out: list[tuple[int, dict[str, int]]] = []
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if re.fullmatch(r"\[\[\s*rule\s*\]\]", s):
            out.append((i, {}))
        elif s.startswith("["):
            continue
        elif out:
            m = re.match(r"([A-Za-z_][\w-]*)\s*=", s)
            if m:
                out[-1][1].setdefault(m.group(1), i)
    return out


def _fmt(src: str, line: int | None, rule: str, msg: str) -> str:
    loc = f"{src}:{line}" if line else src
    return f"{loc}: rule {rule!r}: {msg}" if rule else f"{loc}: {msg}"


SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "x-auth-token")


def _check_webhook_secrets(params: dict[str, Any], where: str) -> None:
    """Tokens are named (keyring, credential, file, env), never written in the rules file."""
    headers = params.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ConfigError(f"{where}: headers must be a table of strings")
    for name in headers:
        if name.lower() in SECRET_HEADERS:
            raise ConfigError(
                f"{where}: header {name!r} would hold a secret in the rules file; name where the "
                "token lives with token_key, token_credential, token_file or token_env "
                "(sent as Authorization: Bearer)"
            )
    for key in ("token_key", "token_credential", "token_file", "token_env"):
        if not isinstance(params.get(key, ""), str):
            raise ConfigError(f"{where}: {key} must be a string (where the token lives)")


def _action(raw: Any, where: str) -> Action:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each [[rule.action]] must be a table")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in ACTION_KINDS:
        raise ConfigError(f"{where}: action type must be one of {', '.join(ACTION_KINDS)}")
    spec = ACTION_KINDS[kind]
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("type", "on"):
            continue
        if key not in spec:
            raise ConfigError(
                f"{where}: unknown key {key!r} for a {kind} action (known: {', '.join(spec)})"
            )
        params[key] = value
    for key, required in spec.items():
        if required and key not in params:
            raise ConfigError(f"{where}: a {kind} action needs {key!r}")
    for key in ("command", "property", "topic", "url", "path", "message", "payload", "do"):
        if key in params and not isinstance(params[key], str):
            raise ConfigError(f"{where}: {key} must be a string")
    if not isinstance(params.get("args", {}), dict):
        raise ConfigError(f"{where}: args must be a table")
    if params.get("qos", 0) not in (0, 1, 2) or isinstance(params.get("qos"), bool):
        raise ConfigError(f"{where}: qos must be 0, 1 or 2")
    if not isinstance(params.get("retain", False), bool):
        raise ConfigError(f"{where}: retain must be true or false")
    if kind == "webhook":
        headers = params.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise ConfigError(f"{where}: headers must be a table of strings")
        params["timeout"] = parse_duration(params.get("timeout", 5), f"{where}: timeout") / 1e9
        retries = params.get("retries", 2)
        if not isinstance(retries, int) or not 0 <= retries <= 10:
            raise ConfigError(f"{where}: retries must be a whole number from 0 to 10")
        if not str(params["url"]).startswith(("http://", "https://")):
            raise ConfigError(f"{where}: url must start with http:// or https://")
        _check_webhook_secrets(params, where)
    if kind == "record" and params["do"] not in ("start", "stop"):
        raise ConfigError(f'{where}: a record action has do = "start" or "stop"')
    on = raw.get("on", "raise")
    ons = {"raise": ("raised",), "clear": ("cleared",), "both": ("raised", "cleared")}
    if not isinstance(on, str) or on not in ons:
        raise ConfigError(f"{where}: on must be raise, clear or both")
    return Action(kind, params, ons[on])


def parse_rules(
    text: str, source: str = "<rules>", channels: Collection[str] | None = None
) -> RuleSet:
    """Parse and check rule-file text; every error names the file, line, rule and column."""
    doc = loads_toml(text, source)
    lines = _rule_lines(text)
    out = RuleSet()
    settings = doc.pop("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{source}: [settings] must be a table")
    for key, value in settings.items():
        if key == "tolerance":
            out.tolerance_ns = parse_duration(value, f"{source}: settings.tolerance")
        elif key == "late":
            if value not in ("drop", "adjust"):
                raise ConfigError(f'{source}: settings.late must be "drop" or "adjust"')
            out.late = value
        else:
            raise ConfigError(f"{source}: unknown key settings.{key} (known: tolerance, late)")
    raw_rules = doc.pop("rule", [])
    for key in doc:
        raise ConfigError(f"{source}: unknown top-level key {key!r} (known: rule, settings)")
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{source}: rules are written as [[rule]] tables")
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        head, keys = lines[i] if i < len(lines) else (None, {})
        if not isinstance(raw, dict):
            raise ConfigError(_fmt(source, head, "", f"rule #{i + 1} must be a [[rule]] table"))
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(_fmt(source, head, "", f"rule #{i + 1} needs a name"))
        if name in seen:
            raise ConfigError(_fmt(source, keys.get("name", head), name, "duplicate rule name"))
        seen.add(name)

        def where(key: str, name: str = name, keys: dict = keys, head: Any = head) -> str:
            return _fmt(source, keys.get(key, head), name, key)

        for key in raw:
            if key not in RULE_KEYS:
                raise ConfigError(
                    f"{where(key)}: unknown key (known: {', '.join(sorted(RULE_KEYS))})"
                )
        if not isinstance(raw.get("enabled", True), bool):
            raise ConfigError(f"{where('enabled')}: expected true or false")
        if raw.get("enabled", True) is False:
            continue

        def expr(key: str, required: bool, raw: dict = raw) -> Checked | None:
            value = raw.get(key)
            if value is None:
                if required:
                    raise ConfigError(f"{where(key)}: missing (an expression such as temp > 80)")
                return None
            if not isinstance(value, str):
                raise ConfigError(f"{where(key)}: must be an expression in a string")
            try:
                return check(value, channels)
            except ExprError as exc:
                err = ConfigError(f"{where(key)}: {exc}: {value!r}")
                err.caret = exc.caret()  # type: ignore[attr-defined]
                raise err from None

        cond = expr("condition", True)
        assert cond is not None
        clear = expr("clear", False)
        devices = raw.get("devices", "*")
        if isinstance(devices, str):
            devices = [devices]
        if not isinstance(devices, list) or not all(isinstance(d, str) for d in devices):
            raise ConfigError(f"{where('devices')}: a glob pattern or a list of them")
        severity = raw.get("severity", "warning")
        if severity not in SEVERITIES:
            raise ConfigError(f"{where('severity')}: must be one of {', '.join(SEVERITIES)}")
        hold = parse_duration(raw["hold"], where("hold")) if "hold" in raw else 0
        acts = raw.get("action", [])
        if isinstance(acts, dict):
            acts = [acts]
        if not isinstance(acts, list):
            raise ConfigError(f"{where('action')}: written as [[rule.action]] tables")
        actions = [_action(a, where("action")) for a in acts]
        message = raw.get("message", "{rule}: {value}")
        if not isinstance(message, str):
            raise ConfigError(f"{where('message')}: must be a string")
        profile = raw.get("profile")
        if profile is not None and not isinstance(profile, str):
            raise ConfigError(f"{where('profile')}: must be a string")
        out.rules.append(
            Rule(
                name=name,
                condition=cond,
                devices=tuple(devices),
                profile=profile,
                clear=clear,
                hold_ns=hold,
                severity=severity,
                message=message,
                actions=actions,
                source=f"{source}:{head}" if head else source,
            )
        )
    return out


def load_rules(
    paths: str | Path | Iterable[str | Path], channels: Collection[str] | None = None
) -> RuleSet:
    """Load one or more rule files (errors name the file, line, rule and column)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    out = RuleSet()
    for path in paths:
        p = Path(path)
        text = read_text(p, "rules file")
        rs = parse_rules(text, str(p), channels)
        names = {r.name for r in out.rules}
        for r in rs.rules:
            if r.name in names:
                raise ConfigError(f"{r.source}: rule {r.name!r}: defined in two files")
        out.rules.extend(rs.rules)
        out.tolerance_ns = max(out.tolerance_ns, rs.tolerance_ns)
        if rs.late != "drop":
            out.late = rs.late
    return out
