"""Binding a DTDL Interface to a device: which model, value ranges, composite telemetry."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from twinbench.dtdl import Content, Interface, ModelSet, load_models
from twinbench.errors import ConfigError
from twinbench.twin.merge import TwinError
from twinbench.userfile import load_toml

UNIT_SYMBOLS = {
    "degreeCelsius": "°C",
    "degreeFahrenheit": "°F",
    "kelvin": "K",
    "ampere": "A",
    "milliampere": "mA",
    "revolutionPerMinute": "rpm",
    "gForce": "g",
    "metrePerSecondSquared": "m/s²",
    "volt": "V",
    "millivolt": "mV",
    "watt": "W",
    "percent": "%",
    "second": "s",
    "millisecond": "ms",
    "hertz": "Hz",
    "pascal": "Pa",
    "metre": "m",
}


def unit_symbol(unit: str) -> str:
    """A short symbol for a DTDL unit name (the name itself when there is none)."""
    return UNIT_SYMBOLS.get(unit, unit)


@dataclass
class Binding:
    """A model bound to a device, with the ranges of writable properties."""

    interface: Interface
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    composites: dict[str, tuple[str, ...]] = field(default_factory=dict)
    components: dict[str, Interface] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        """The Interface DTMI."""
        return self.interface.id

    def writable(self) -> dict[str, Content]:
        """Writable properties by name."""
        return {c.name: c for c in self.interface.of("Property") if c.writable}

    def check_desired(self, patch: dict[str, Any]) -> None:
        """Raise TwinError unless every key is a writable property with a conforming value."""
        self._check(patch, self.interface, "")

    def _check(self, patch: dict[str, Any], iface: Interface, prefix: str) -> None:
        for key, value in patch.items():
            content = iface.get(key)
            where = f"{prefix}{key}"
            if content is not None and content.kind == "Component" and prefix == "":
                sub = self.components.get(key)
                if sub is None or not isinstance(value, dict):
                    raise TwinError(f"desired {where!r}: component patches must be objects")
                self._check({k: v for k, v in value.items() if k != "__t"}, sub, f"{key}.")
                continue
            if content is None or content.kind != "Property":
                raise TwinError(f"desired {where!r}: {iface.id} has no property {key!r}")
            if not content.writable:
                raise TwinError(f"desired {where!r}: property is read-only in {iface.id}")
            if value is None:
                continue
            err = content.schema.check(value, f"desired {where!r}") if content.schema else None
            if err:
                raise TwinError(f"{err} (schema {content.schema.kind if content.schema else '?'})")
            lo_hi = self.ranges.get(where)
            if (
                lo_hi is not None
                and isinstance(value, int | float)
                and not (lo_hi[0] <= value <= lo_hi[1])
            ):
                raise TwinError(f"desired {where!r}: {value} is outside {lo_hi[0]:g}..{lo_hi[1]:g}")


def _models_root() -> Path:
    return Path(str(resources.files("twinbench.resources") / "models"))


def load_bindings(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """The driver -> binding table of a models folder (default: the shipped one)."""
    path = (root or _models_root()) / "bindings.toml"
    if not path.exists():
        return {}
    return load_toml(path, "bindings file")[0]


def binding_from(models: ModelSet, entry: dict[str, Any], where: str = "binding") -> Binding:
    """Build a Binding from a table entry naming a model DTMI, ranges and composites."""
    dtmi = entry.get("model")
    if not isinstance(dtmi, str) or dtmi not in models:
        raise ConfigError(f"{where}.model: {dtmi!r} is not among the loaded models")
    iface = models[dtmi]
    ranges: dict[str, tuple[float, float]] = {}
    for name, pair in (entry.get("ranges") or {}).items():
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, int | float) for x in pair)
        ):
            raise ConfigError(f"{where}.ranges.{name}: expected [min, max]")
        ranges[name] = (float(pair[0]), float(pair[1]))
    comps = {k: tuple(v) for k, v in (entry.get("telemetry") or {}).items()}
    components = {
        c.name: models[c.interface] for c in iface.of("Component") if c.interface in models
    }
    return Binding(iface, ranges, comps, components)


def default_binding(driver: str, root: Path | None = None) -> Binding | None:
    """The shipped binding for a driver's devices (the sim rig's model), or None."""
    table = load_bindings(root)
    entry = table.get(driver)
    if entry is None:
        return None
    base = root or _models_root()
    models = load_models([base / "dtmi"], repository=base)
    return binding_from(models, entry, f"bindings.toml [{driver}]")
