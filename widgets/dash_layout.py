"""What a dashboard shows for a device: groups of tiles planned from its profile, its DTDL model
or its channels.

Groups a device's profile declares (`[[groups]]`, see docs/serial.md) come first, in their order
and with their widget kind (one tile per channel; one for an attitude, a track or a table); a
group with no widget kind is planned by names and units as below. The channels they leave out
follow.
With a bound model, each Telemetry becomes a tile: an orientation quaternion (an Object of
qw qx qy qz, or the binding's composite) an attitude tile, a boolean an LED, a number with a
semantic type (Temperature, Current...) a gauge (a percentage a bar), any other number a small
plot; channels the model does not name follow as "Other channels". Without a model the channel
names decide: qw/qx/qy/qz -> attitude, latitude/longitude -> track, alarm/fault/ok-like names
-> LED, a channel with a unit -> gauge (a bar for a percentage), the rest -> small plot.
Time-like channels are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from twinbench.model import ChannelGroup
from twinbench.timelike import timelike_name

QUAT = ("qw", "qx", "qy", "qz")
LAT_NAMES = ("lat", "latitude", "gps_lat")
LON_NAMES = ("lon", "lng", "long", "longitude", "gps_lon")
LED_NAME = re.compile(r"(^|_)(alarm|fault|error|ok|on|enabled|active|led|warning|fail)(_|$)", re.I)


@dataclass(frozen=True)
class Tile:
    """One dashboard widget: its kind, title, the channels it reads, unit and semantic type."""

    kind: str  # gauge, bar, led, plot, compass, table, attitude, track (metadata.WIDGETS)
    title: str
    channels: tuple[str, ...]
    unit: str = ""
    semantic: str = ""
    units: tuple[str, ...] = ()  # a table's, one per channel


@dataclass(frozen=True)
class Group:
    """A titled group of tiles."""

    title: str
    tiles: tuple[Tile, ...]


def _scalar_kind(unit: str) -> str:
    """A bar for a fill level (a percentage), a gauge for any other bounded scalar."""
    return "bar" if unit in ("%", "percent") else "gauge"


def _track(names: list[str]) -> Tile | None:
    low = {n.lower(): n for n in names}
    lat = next((low[n] for n in LAT_NAMES if n in low), None)
    lon = next((low[n] for n in LON_NAMES if n in low), None)
    return Tile("track", "Position", (lat, lon), "°") if lat and lon else None


def _by_name(names: list[str], units: dict[str, str]) -> list[Group]:
    """Groups for channels without a model: the names and units decide."""
    names = [n for n in names if not timelike_name(n)]
    special: list[Tile] = []
    if all(q in names for q in QUAT):
        special.append(Tile("attitude", "Orientation", QUAT))
    track = _track(names)
    if track is not None:
        special.append(track)
    used = {c for t in special for c in t.channels}
    rest = [n for n in names if n not in used]
    leds = [Tile("led", n, (n,), units.get(n, "")) for n in rest if LED_NAME.search(n)]
    rest = [n for n in rest if not LED_NAME.search(n)]
    gauges = [Tile(_scalar_kind(units[n]), n, (n,), units[n]) for n in rest if units.get(n)]
    plots = [Tile("plot", n, (n,)) for n in rest if not units.get(n)]
    groups = [
        Group("Position and orientation", tuple(special)),
        Group("Indicators", tuple(leds)),
        Group("Gauges", tuple(gauges)),
        Group("Trends", tuple(plots)),
    ]
    return [g for g in groups if g.tiles]


def _object_fields(content: Any, composites: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    chans = composites.get(content.name)
    schema = content.schema
    if chans is None and schema is not None and schema.kind == "Object":
        chans = tuple(n for n, _s in schema.fields)
    return tuple(chans or ())


def _declared(groups: tuple[ChannelGroup, ...], units: dict[str, str]) -> list[Group]:
    """Groups a profile declares: its widget kind per channel (or for the whole group)."""
    out = []
    for g in groups:
        if not g.widget:
            tiles = tuple(t for sub in _by_name(list(g.channels), units) for t in sub.tiles)
        elif g.widget in ("attitude", "track"):
            tiles = (Tile(g.widget, g.title, g.channels, "°" if g.widget == "track" else ""),)
        elif g.widget == "table":
            tiles = (
                Tile(
                    "table", g.title, g.channels, units=tuple(units.get(n, "") for n in g.channels)
                ),
            )
        else:
            tiles = tuple(Tile(g.widget, n, (n,), units.get(n, "")) for n in g.channels)
        out.append(Group(g.title, tiles))
    return [g for g in out if g.tiles]


def plan(
    binding: Any,
    channels: list[str],
    units: dict[str, str],
    groups: tuple[ChannelGroup, ...] = (),
) -> list[Group]:
    """The dashboard's groups for a device: its profile's groups, then its bound model (or None)
    and its channels for the channels those leave out."""
    if groups:
        used = {c for g in groups for c in g.channels}
        rest = [c for c in channels if c not in used]
        if binding is not None:
            return _declared(groups, units) + plan(binding, rest, units)
        others = [
            Group(f"Other channels: {g.title.lower()}", g.tiles) for g in _by_name(rest, units)
        ]
        return _declared(groups, units) + others
    if binding is None:
        return _by_name(channels, units)
    from twinbench.twin.binding import unit_symbol

    have = set(channels)
    gauges: list[Tile] = []
    special: list[Tile] = []
    leds: list[Tile] = []
    plots: list[Tile] = []
    used: set[str] = set()
    for c in binding.interface.of("Telemetry"):
        title = c.display_name or c.name
        fields = _object_fields(c, binding.composites)
        if fields:
            if set(QUAT) <= set(fields) and set(QUAT) <= have:
                special.append(Tile("attitude", title, QUAT))
                used |= set(QUAT)
            else:
                for f in (f for f in fields if f in have):
                    plots.append(Tile("plot", f"{title} {f}", (f,)))
                    used.add(f)
            continue
        if c.name not in have:
            continue
        used.add(c.name)
        unit = unit_symbol(c.unit) or units.get(c.name, "")
        kind = c.schema.kind if c.schema is not None else ""
        if kind == "boolean":
            leds.append(Tile("led", title, (c.name,), unit, c.semantic))
        elif c.semantic or unit == "%":
            gauges.append(Tile(_scalar_kind(unit), title, (c.name,), unit, c.semantic))
        else:
            plots.append(Tile("plot", title, (c.name,), unit))
    title = binding.interface.display_name or binding.interface.id
    groups = [
        Group(title, tuple(gauges)),
        Group("Orientation", tuple(special)),
        Group("Indicators", tuple(leds)),
        Group("Trends", tuple(plots)),
    ]
    rest = [n for n in channels if n not in used]
    others = _by_name(rest, units)
    groups += [Group(f"Other channels: {g.title.lower()}", g.tiles) for g in others]
    return [g for g in groups if g.tiles]
