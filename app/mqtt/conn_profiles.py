"""Saved MQTT connection profiles (broker, TLS files, user): TOML without secrets.

Passwords go to the OS keyring under the profile's `password_key`; the file never holds one.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from twinbench.errors import ConfigError

FILE_NAME = "mqtt-connections.toml"


@dataclass
class ConnectionProfile:
    """What the MQTT panel needs to connect: the driver settings that name a broker."""

    name: str
    host: str = "localhost"
    port: int = 1883
    protocol: str = "5"
    username: str = ""
    password_key: str = ""  # keyring entry (service or service:user), never the password
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    topics: str = "#"
    pattern: str = ""

    def settings(self) -> dict[str, Any]:
        """The `mqtt` driver settings of this profile."""
        d = asdict(self)
        d.pop("name")
        return d


def default_path() -> Path:
    """Where profiles are saved (the user's config folder)."""
    from twinbench.paths import config_dir

    return config_dir() / FILE_NAME


def load_profiles(path: Path) -> list[ConnectionProfile]:
    """Profiles from a TOML file (none when it does not exist); ConfigError names file and key."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    known = {f.name: f.type for f in fields(ConnectionProfile)}
    out = []
    for i, raw in enumerate(data.get("connections", [])):
        for k in raw:
            if k not in known:
                raise ConfigError(
                    f"{path}: connections[{i}].{k}: unknown key; valid: {', '.join(sorted(known))}"
                )
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ConfigError(f"{path}: connections[{i}].name: a name is required")
        out.append(ConnectionProfile(**raw))
    return out


def save_profiles(path: Path, profiles: list[ConnectionProfile]) -> None:
    """Write profiles as TOML (a profile has no field that could hold a password)."""
    import tomli_w

    rows = [asdict(p) for p in profiles]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps({"connections": rows}))
    tmp.replace(path)


def upsert(
    profiles: list[ConnectionProfile], profile: ConnectionProfile
) -> list[ConnectionProfile]:
    """The list with `profile` replacing the one of the same name (or appended)."""
    return [p for p in profiles if p.name != profile.name] + [profile]
