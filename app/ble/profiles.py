"""BLE device profiles: how to recognise a device (name pattern, advertised service) and which
characteristics to subscribe to with which decoder."""

from __future__ import annotations

from dataclasses import dataclass

from twinbench.ble.decoders import DecoderError
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
