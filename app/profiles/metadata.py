"""A profile's channel metadata and dashboard groups: checked, then turned into model objects.

Per `[[channels]]` table: `range = [minimum, maximum]` (what a gauge or bar spans) and the
thresholds `warn` and `alarm`, each `{ low = ..., high = ... }` with either side optional (a
value beyond `warn` shows amber, beyond `alarm` red). `[[groups]]` tables lay the dashboard out:
`title`, `channels` and optionally `widget` (one of `WIDGETS`; left out, the dashboard picks by
the channels' names and units).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twinbench.model import Band, Channel, ChannelGroup
from twinbench.userfile import SchemaError, Spec, check_table, expect

WIDGETS = ("gauge", "bar", "led", "plot", "compass", "table", "attitude", "track")
"""Widget kinds a group may ask for (the dashboard's tile kinds)."""
WIDGET_CHANNELS = {"attitude": ("qw", "qx", "qy", "qz"), "track": ("latitude", "longitude")}
"""Widgets that read several channels at once, and what those channels are, in order."""
BAND: dict[str, Spec] = {"low": "a number", "high": "a number"}
GROUP: dict[str, Spec] = {
    "title": "a string",
    "channels": "an array",
    "widget": ("a string", WIDGETS),
}


def check_limits(ch: Mapping[str, Any], where: str) -> None:
    """SchemaError for a bad range (not two numbers, minimum not below maximum) or threshold."""
    rng = ch.get("range")
    if rng is not None:
        if len(rng) != 2:
            raise SchemaError(f"{where}.range", "expected [minimum, maximum]")
        for j, v in enumerate(rng):
            expect(v, "a number", f"{where}.range[{j}]")
        if rng[0] >= rng[1]:
            raise SchemaError(
                f"{where}.range", f"minimum {rng[0]:g} is not below maximum {rng[1]:g}"
            )
    bands = {}
    for name in ("warn", "alarm"):
        if name in ch:
            bands[name] = _band(ch[name], f"{where}.{name}")
    warn, alarm = bands.get("warn"), bands.get("alarm")
    if warn is not None and alarm is not None:
        if None not in (warn.high, alarm.high) and alarm.high < warn.high:
            raise SchemaError(
                f"{where}.alarm.high",
                f"{alarm.high:g} is below warn.high {warn.high:g}; an alarm lies beyond a warning",
            )
        if None not in (warn.low, alarm.low) and alarm.low > warn.low:
            raise SchemaError(
                f"{where}.alarm.low",
                f"{alarm.low:g} is above warn.low {warn.low:g}; an alarm lies beyond a warning",
            )


def _band(value: Any, where: str) -> Band:
    table = expect(value, "a table", where)
    check_table(table, BAND, where)
    if not table:
        raise SchemaError(where, "expected low, high or both, e.g. { high = 80.0 }")
    low, high = table.get("low"), table.get("high")
    if low is not None and high is not None and low >= high:
        raise SchemaError(f"{where}.low", f"{low:g} is not below high {high:g}")
    return Band(_num(low), _num(high))


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def declared_names(data: Mapping[str, Any]) -> list[str]:
    """The channel names a profile declares ([[channels]], else the decoder's names or fields)."""
    chans = [c.get("name") for c in data.get("channels") or [] if isinstance(c, dict)]
    if chans:
        return [n for n in chans if isinstance(n, str)]
    dec = data.get("decoder") or {}
    if dec.get("names"):
        return [n for n in dec["names"] if isinstance(n, str)]
    fields = dec.get("fields") or []
    return [f["name"] for f in fields if isinstance(f, dict) and f.get("type") != "pad"]


def check_groups(data: Mapping[str, Any]) -> None:
    """SchemaError for a bad [[groups]] table: keys, widget kind, channels it names."""
    groups = expect(data.get("groups", []), "an array", "groups")
    known = declared_names(data)
    for i, g in enumerate(groups):
        where = f"groups[{i}]"
        check_table(expect(g, "a table", where), GROUP, where)
        for key in ("title", "channels"):
            if key not in g:
                raise SchemaError(where, f"a group needs a title and channels (missing {key})")
        names = g["channels"]
        if not names:
            raise SchemaError(f"{where}.channels", "names no channel")
        for j, name in enumerate(names):
            expect(name, "a string", f"{where}.channels[{j}]")
            if known and name not in known:
                raise SchemaError(
                    f"{where}.channels[{j}]",
                    f"{name!r} is not a channel of this profile; valid: {', '.join(known)}",
                )
        need = WIDGET_CHANNELS.get(g.get("widget", ""))
        if need is not None and len(names) != len(need):
            raise SchemaError(
                f"{where}.channels",
                f"widget {g['widget']!r} reads {len(need)} channels ({', '.join(need)}), "
                f"got {len(names)}",
            )


def _channel(c: Mapping[str, Any]) -> Channel:
    rng = c.get("range")
    return Channel(
        c["name"],
        str(c.get("unit", "")),
        description=str(c.get("description", "")),
        range=None if rng is None else (float(rng[0]), float(rng[1])),
        warn=_band(c["warn"], "warn") if "warn" in c else None,
        alarm=_band(c["alarm"], "alarm") if "alarm" in c else None,
    )


def profile_channels(section: Mapping[str, Any]) -> tuple[Channel, ...]:
    """The model channels a (validated) profile's [[channels]] tables declare."""
    return tuple(_channel(c) for c in section.get("channels") or [])


def profile_groups(section: Mapping[str, Any]) -> tuple[ChannelGroup, ...]:
    """The dashboard groups a (validated) profile declares."""
    return tuple(
        ChannelGroup(str(g["title"]), tuple(g["channels"]), str(g.get("widget", "")))
        for g in section.get("groups") or []
    )


def channel_meta(ch: Channel) -> dict[str, Any]:
    """A channel's range and thresholds as profile-style keys (none when it declares none)."""
    out: dict[str, Any] = {}
    if ch.range is not None:
        out["range"] = list(ch.range)
    for key in ("warn", "alarm"):
        band = getattr(ch, key)
        if band is not None:
            out[key] = {k: v for k, v in (("low", band.low), ("high", band.high)) if v is not None}
    return out


def group_meta(group: ChannelGroup) -> dict[str, Any]:
    """A dashboard group as a profile-style table."""
    out: dict[str, Any] = {"title": group.title, "channels": list(group.channels)}
    return out | ({"widget": group.widget} if group.widget else {})


def channel_from_meta(name: str, meta: Mapping[str, Any]) -> Channel:
    """A channel from stored metadata (unit, description, range, thresholds); metadata that
    does not check out (an edited file) is left out, never an error."""
    keys = ("unit", "description", "range", "warn", "alarm")
    table = {k: meta[k] for k in keys if k in meta} | {"name": name}
    try:
        check_table(table, CHANNEL_META, "")
        check_limits(table, "")
        return _channel(table)
    except SchemaError:
        unit, text = meta.get("unit", ""), meta.get("description", "")
        return Channel(name, unit if isinstance(unit, str) else "", description=str(text))


CHANNEL_META: dict[str, Spec] = {
    "name": "a string",
    "unit": "a string",
    "description": "a string",
    "range": "an array",
    "warn": "a table",
    "alarm": "a table",
}


def groups_from_meta(groups: Any, channels: list[str]) -> tuple[ChannelGroup, ...]:
    """Dashboard groups from stored metadata; none when they do not check out."""
    data = {"groups": groups, "channels": [{"name": n} for n in channels]}
    try:
        check_groups(data)
    except SchemaError:
        return ()
    return profile_groups(data)
