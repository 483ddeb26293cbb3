"""Finds drivers through the `twinbench.drivers` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from twinbench.errors import UsageError

if TYPE_CHECKING:
    from twinbench.drivers.base import Driver

GROUP = "twinbench.drivers"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    from twinbench.plugins import activate

    activate()  # wheels in the user's plugin folder register like installed packages
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def driver_origin(name: str) -> str:
    """Where driver `name` comes from: built-in, an installed package, or the plugin folder."""
    from twinbench.plugins import origin_of

    ep = _entry_points().get(name)
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "unknown"
    if dist.metadata["Name"] == "twinbench":
        return "built-in"
    where = origin_of(str(getattr(dist, "_path", "") or ""))
    if where == "installed":
        return f"installed package {dist.metadata['Name']} {dist.version}"
    return where


def driver_names() -> list[str]:
    """Names of every installed driver, sorted."""
    return sorted(_entry_points())


def load_driver(name: str) -> type[Driver]:
    """Import and return the driver class registered as `name`."""
    eps = _entry_points()
    if name not in eps:
        raise UsageError(f"unknown driver {name!r}; valid drivers: {', '.join(driver_names())}")
    try:
        cls = eps[name].load()
    except Exception as exc:  # a broken plugin must not take the app down
        raise UsageError(f"driver {name!r} failed to load: {exc}") from None
    return cls
