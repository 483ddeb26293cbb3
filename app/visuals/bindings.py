"""Bindings from channels to the scene, declared in a `[view3d]` profile section or in the GUI.

```toml
[view3d]
[[view3d.devices]]
device = "sim"
model = "builtin:motor_rig"     # or a path to .glb/.gltf/.obj/.stl/.ply
position = [0.0, 0.0, 0.0]

[[view3d.bindings]]
kind = "orientation"            # orientation | position | color | alarm | label | imu
device = "sim"
part = ""                       # "" moves the whole device
channels = ["qw", "qx", "qy", "qz"]   # or form = "euler" with [roll, pitch, yaw]
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from twinbench.errors import ConfigError
from twinbench.visuals.meshes import DEFAULT_MODEL
from twinbench.visuals.rotations import COLORMAPS, EULER_ORDERS

KINDS = ("orientation", "position", "color", "alarm", "label", "imu")


@dataclass(frozen=True)
class Binding:
    """One link from channels of a device to a property of a device or one of its parts."""

    kind: str
    device: str
    part: str = ""
    channels: tuple[str, ...] = ()
    form: str = "quaternion"  # orientation: quaternion | euler
    units: str = "rad"  # euler angles: rad | deg; imu gyroscope: deg/s | rad/s
    order: str = "zyx"  # euler axis convention (intrinsic)
    colormap: str = "thermal"
    range: tuple[float, float] = (20.0, 90.0)
    rule: str = ""  # alarm: rule name, "" = any alarm of the device
    mode: str = "blink"  # alarm: blink | hide
    digits: int = 1  # label
    scale: float = 1.0  # position
    origin: str = ""  # where it was declared, for messages

    @property
    def target(self) -> str:
        """`device` or `device/part`, as shown in messages."""
        return f"{self.device}/{self.part}" if self.part else self.device

    def describe(self) -> str:
        """One line for the GUI: kind, target and channels."""
        extra = ""
        if self.kind == "color":
            extra = f" {self.colormap} [{self.range[0]:g}, {self.range[1]:g}]"
        elif self.kind == "orientation" and self.form == "euler":
            extra = f" euler {self.order} {self.units}"
        elif self.kind == "alarm":
            extra = f" {self.mode} on {self.rule or 'any rule'}"
        return f"{self.kind} of {self.target} <- {', '.join(self.channels) or '-'}{extra}"


@dataclass
class DevicePlacement:
    """A device shown in the scene: which model and where."""

    device: str
    model: str = DEFAULT_MODEL
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class ViewConfig:
    """Everything the `[view3d]` section declares."""

    devices: list[DevicePlacement] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)


_N_CHANNELS = {"orientation": None, "position": 3, "color": 1, "alarm": 0, "label": None}


def _fail(origin: str, msg: str) -> ConfigError:
    return ConfigError(f"{origin}: {msg}")


def _number(value: Any) -> bool:
    """A finite int or float (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _str_list(value: Any, origin: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(origin, f"{key!r} must be a list of channel names")
    return tuple(value)


def parse_binding(item: Mapping[str, Any], origin: str) -> Binding:
    """Validate one binding table; errors name `origin` and the key."""
    if not isinstance(item, Mapping):
        raise _fail(origin, "a binding must be a table")
    known = set(Binding.__dataclass_fields__) - {"origin"}
    for key in item:
        if key not in known:
            raise _fail(origin, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise _fail(origin, f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    device = item.get("device")
    if not isinstance(device, str) or not device:
        raise _fail(origin, "'device' must name a device")
    part = item.get("part", "")
    if not isinstance(part, str):
        raise _fail(origin, "'part' must be a string")
    channels = _str_list(item.get("channels", []), origin, "channels")
    form = item.get("form", "quaternion")
    if not isinstance(form, str) or form not in ("quaternion", "euler"):
        raise _fail(origin, f"'form' must be 'quaternion' or 'euler', not {form!r}")
    units = item.get("units", "deg/s" if kind == "imu" else "rad")
    if not isinstance(units, str) or units not in ("rad", "deg", "deg/s", "rad/s"):
        raise _fail(origin, f"'units' must be rad, deg, deg/s or rad/s, not {units!r}")
    order = item.get("order", "zyx")
    if not isinstance(order, str) or order not in EULER_ORDERS:
        raise _fail(origin, f"'order' must be one of {', '.join(EULER_ORDERS)}, not {order!r}")
    cmap = item.get("colormap", "thermal")
    if not isinstance(cmap, str) or cmap not in COLORMAPS:
        raise _fail(origin, f"'colormap' must be one of {', '.join(COLORMAPS)}, not {cmap!r}")
    rng = item.get("range", [20.0, 90.0])
    if (
        not isinstance(rng, list)
        or len(rng) != 2
        or not all(_number(v) for v in rng)
        or rng[0] == rng[1]
    ):
        raise _fail(origin, "'range' must be two different numbers [low, high]")
    mode = item.get("mode", "blink")
    if not isinstance(mode, str) or mode not in ("blink", "hide"):
        raise _fail(origin, f"'mode' must be 'blink' or 'hide', not {mode!r}")
    digits, scale = item.get("digits", 1), item.get("scale", 1.0)
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 12:
        raise _fail(origin, "'digits' must be a whole number from 0 to 12")
    if not _number(scale):
        raise _fail(origin, "'scale' must be a finite number")
    want = _N_CHANNELS.get(kind)
    if kind == "orientation":
        want = 4 if form == "quaternion" else 3
    if kind == "imu" and len(channels) not in (6, 9):
        raise _fail(origin, "an imu binding takes 6 or 9 channels: ax, ay, az, gx, gy, gz[, mx..]")
    if want is not None and len(channels) != want:
        raise _fail(origin, f"{kind!r} binding takes {want} channels, got {len(channels)}")
    if kind == "label" and not channels:
        raise _fail(origin, "a label binding needs at least one channel")
    return Binding(
        kind=kind,
        device=device,
        part=part,
        channels=channels,
        form=form,
        units=units,
        order=order,
        colormap=cmap,
        range=(float(rng[0]), float(rng[1])),
        rule=str(item.get("rule", "")),
        mode=mode,
        digits=digits,
        scale=float(scale),
        origin=origin,
    )


def parse_view_config(data: Mapping[str, Any], source: str = "profile") -> ViewConfig:
    """Read the `[view3d]` table of a profile (the table itself, not the whole file)."""
    cfg = ViewConfig()
    for key in data:
        if key not in ("devices", "bindings"):
            raise _fail(f"{source}: [view3d]", f"unknown key {key!r} (known: devices, bindings)")
    for key in ("devices", "bindings"):
        if not isinstance(data.get(key, []), list):
            raise _fail(f"{source}: [view3d]", f"{key!r} must be [[view3d.{key}]] tables")
    for i, item in enumerate(data.get("devices", [])):
        origin = f"{source}: [[view3d.devices]] #{i + 1}"
        if not isinstance(item, Mapping) or not isinstance(item.get("device"), str):
            raise _fail(origin, "'device' must name a device")
        pos = item.get("position", [0.0, 0.0, 0.0])
        if not isinstance(pos, list) or len(pos) != 3 or not all(_number(v) for v in pos):
            raise _fail(origin, "'position' must be [x, y, z]")
        model = item.get("model", DEFAULT_MODEL)
        if not isinstance(model, str):
            raise _fail(origin, "'model' must be a path or builtin:<name>")
        cfg.devices.append(
            DevicePlacement(item["device"], model, (float(pos[0]), float(pos[1]), float(pos[2])))
        )
    for i, item in enumerate(data.get("bindings", [])):
        cfg.bindings.append(parse_binding(item, f"{source}: [[view3d.bindings]] #{i + 1}"))
    return cfg


def load_view_config(path: str) -> ViewConfig:
    """Read the `[view3d]` section of a TOML profile file."""

    from twinbench.userfile import load_toml

    data, _ = load_toml(path, "profile")
    section = data.get("view3d", {})
    if not isinstance(section, Mapping):
        raise ConfigError(f"{path}: [view3d] must be a table")
    return parse_view_config(section, path)


def default_bindings(device: str, channels: Sequence[str]) -> list[Binding]:
    """Bindings that make the simulated rig move and heat up, for whichever channels exist."""
    have = set(channels)
    out: list[Binding] = []
    origin = "default bindings"
    if {"qw", "qx", "qy", "qz"} <= have:
        out.append(Binding("orientation", device, "", ("qw", "qx", "qy", "qz"), origin=origin))
    elif {"roll", "pitch", "yaw"} <= have:
        out.append(
            Binding(
                "orientation", device, "", ("roll", "pitch", "yaw"), form="euler", origin=origin
            )
        )
    if "temperature" in have:
        out.append(Binding("color", device, "motor", ("temperature",), origin=origin))
    out.append(Binding("alarm", device, "motor", (), origin=origin))
    label = tuple(c for c in ("temperature", "rpm") if c in have)
    if label:
        out.append(Binding("label", device, "motor", label, origin=origin))
    return out
