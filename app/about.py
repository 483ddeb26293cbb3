"""What the About dialog and `twinbench --about` say: versions of the parts and where files live."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from twinbench import __version__

# distributions whose versions a bug report needs, as (label, distribution name)
PARTS = (
    ("Qt bindings (PySide6)", "PySide6-Essentials"),
    ("vispy", "vispy"),
    ("pyqtgraph", "pyqtgraph"),
    ("bleak", "bleak"),
    ("paho-mqtt", "paho-mqtt"),
    ("pyserial", "pyserial"),
    ("numpy", "numpy"),
    ("pyarrow", "pyarrow"),
    ("DuckDB", "duckdb"),
)
# what to say of a part that is missing on purpose (the bundle leaves it out)
ADD_ONS = {"duckdb": "not installed: SQL add-on, its wheel goes in the plugin folder"}


def part_versions() -> list[tuple[str, str]]:
    """(label, version) of TwinBench, Python and each part; 'not installed' where missing."""
    rows = [("TwinBench", __version__), ("Python", sys.version.split()[0])]
    for label, dist in PARTS:
        try:
            rows.append((label, version(dist)))
        except PackageNotFoundError:
            rows.append((label, ADD_ONS.get(dist, "not installed")))
    return rows


def folders() -> list[tuple[str, Path]]:
    """(label, folder) of the user's data, config, logs, recordings and plugins."""
    from twinbench.paths import config_dir, data_dir, log_dir
    from twinbench.plugins import plugins_dir

    return [
        ("Data", data_dir()),
        ("Settings", config_dir()),
        ("Logs", log_dir()),
        ("Recordings", data_dir() / "recordings"),
        ("Plugins", plugins_dir()),
    ]


def frozen() -> bool:
    """Whether this is the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))
