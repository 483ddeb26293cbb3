"""BLE device profiles: how to recognise a device (name pattern, advertised service) and which
characteristics to subscribe to with which decoder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twinbench.ble.decoders import DecoderError, make_decoder
from twinbench.ble.scanner import ScanEntry, ScanFilter
from twinbench.ble.sig import normalize_uuid


@dataclass(frozen=True)
class NotifySpec:
    """One characteristic to subscribe to and its decoder spec ("" = by SIG number)."""

    uuid: str
    decoder: str = ""


@dataclass(frozen=True)
class BleProfile:
    """A kind of device: match rule and subscriptions."""

    name: str
    match_name: str = ""
    match_service: str = ""
    notify: tuple[NotifySpec, ...] = ()
    twin: Any = None  # a BleTwinProfile: how desired properties and commands reach the device

    def matches(self, entry: ScanEntry) -> bool:
        """Whether an advertising device fits this profile (every rule that is set must hold)."""
        if not (self.match_name or self.match_service):
            return False
        return ScanFilter(name=self.match_name, service=self.match_service).matches(entry)


def parse_notify(text: str) -> tuple[NotifySpec, ...]:
    """Parse ``UUID[=decoder];UUID[=decoder]...`` (decoder: hr, battery, ..., struct:<fields>)."""
    out = []
    for i, item in enumerate(x.strip() for x in text.split(";")):
        if not item:
            continue
        uuid, _, dec = item.partition("=")
        try:
            u = normalize_uuid(uuid)
        except ValueError as exc:
            raise DecoderError(f"notify entry {i + 1} {item!r}: {exc}") from None
        out.append(NotifySpec(u, dec.strip()))
    return tuple(out)


BUILTIN_PROFILES: tuple[BleProfile, ...] = (
    BleProfile(
        "heart-rate",
        match_service="180d",
        notify=(NotifySpec(normalize_uuid("2a37")), NotifySpec(normalize_uuid("2a19"))),
    ),
    BleProfile(
        "environmental",
        match_service="181a",
        notify=tuple(NotifySpec(normalize_uuid(u)) for u in ("2a6e", "2a6f", "2a6d")),
    ),
    BleProfile("battery", match_service="180f", notify=(NotifySpec(normalize_uuid("2a19")),)),
)


def match_profile(entry: ScanEntry, profiles: tuple[BleProfile, ...]) -> BleProfile | None:
    """The first profile that recognises the device, or None."""
    return next((p for p in profiles if p.matches(entry)), None)


def load_profiles(path: str) -> tuple[BleProfile, ...]:
    """Read BLE profiles from a TOML file; errors name the file, line or key.

    Format::

        [[profile]]
        name = "polar-h10"
        match_name = "Polar H10*"        # and/or match_service = "180d"
        notify = ["2a37", "2a19=battery", "<uuid>=struct:seq:u32,temp:i16*0.01"]
        [profile.twin]                   # optional: see docs/twin.md
        properties = { targetSpeed = "<uuid>" }
        commands = { reboot = "<uuid>" }
        encoding = "<H"                  # json (default) or a struct format
        read_back = true
    """

    from twinbench.errors import ConfigError
    from twinbench.userfile import load_toml

    data, _ = load_toml(path, "BLE profiles file")
    items = data.get("profile")
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: expected one or more [[profile]] tables")
    out = []
    for i, item in enumerate(items):
        where = f"{path}: profile[{i + 1}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a [[profile]] table")
        unknown = set(item) - {"name", "match_name", "match_service", "notify", "twin"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}.name: a non-empty string is required")
        for key in ("match_name", "match_service"):
            if not isinstance(item.get(key, ""), str):
                raise ConfigError(f"{where}.{key}: expected a string")
        if not (item.get("match_name") or item.get("match_service")):
            raise ConfigError(f"{where} ({name}): give match_name and/or match_service")
        notify = item.get("notify", [])
        if not isinstance(notify, list) or not all(isinstance(n, str) for n in notify):
            raise ConfigError(f'{where}.notify: expected a list of strings like "2a37=hr"')
        try:
            specs = parse_notify(";".join(notify))
            for s in specs:
                make_decoder(s.uuid, s.decoder)
            match_name, match_service = item.get("match_name", ""), item.get("match_service", "")
            ScanFilter(service=match_service)
            twin = None
            if "twin" in item:
                from twinbench.twin.profiles import BleTwinProfile

                if not isinstance(item["twin"], dict):
                    raise ConfigError(f"{where}.twin: expected a table")
                twin = BleTwinProfile.from_section(item["twin"], f"{where}.twin")
            prof = BleProfile(name, match_name, match_service, specs, twin)
        except (DecoderError, ValueError) as exc:
            raise ConfigError(f"{where} ({name}): {exc}") from None
        out.append(prof)
    return tuple(out)
