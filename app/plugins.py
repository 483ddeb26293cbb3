"""Plugin wheels dropped into the user's plugin folder: checked, unpacked once, put on `sys.path`.

A frozen bundle has no pip, so a technician adds a sensor driver by dropping its wheel into
`plugins_dir()`. Each wheel is unpacked (once per content hash) into `plugins_dir()/.unpacked/` and
that folder is appended to `sys.path`, so `importlib.metadata` finds its entry points exactly like
an installed package's. Nothing here imports a plugin: a wheel that is not a wheel, was built for
another platform or Python, or would write outside its folder is listed with its error instead.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from twinbench.paths import data_dir

ENV_PLUGIN_DIR = "TWINBENCH_PLUGIN_DIR"
UNPACKED = ".unpacked"
# name-version(-build)?-python-abi-platform.whl (PEP 427)
_WHEEL_NAME = re.compile(
    r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-(?P<build>\d[^-]*))?"
    r"-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$"
)


@dataclass(frozen=True)
class PluginWheel:
    """One wheel in the plugin folder: where it was unpacked, or why it was not."""

    file: Path
    name: str
    version: str
    location: Path | None = None
    error: str = ""


def plugins_dir() -> Path:
    """The folder whose wheels are loaded at start (`TWINBENCH_PLUGIN_DIR` overrides)."""
    env = os.environ.get(ENV_PLUGIN_DIR)
    return Path(env) if env else data_dir() / "plugins"


def _os_of(plat: str) -> str:
    if plat.startswith(("manylinux", "musllinux", "linux")):
        return "linux"
    if plat.startswith("win"):
        return "win32"
    if plat.startswith("macosx"):
        return "darwin"
    return plat


def _arch_ok(plat: str, machine: str) -> bool:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine.lower(), machine.lower())
    plat = plat.lower().replace("amd64", "x86_64").replace("arm64", "aarch64")
    return plat.endswith(machine) or plat.endswith("universal2")


def compatible(
    filename: str,
    *,
    py: tuple[int, int] | None = None,
    system: str | None = None,
    machine: str | None = None,
) -> str:
    """Why a wheel file name cannot load on this Python and platform ('' when it can)."""
    m = _WHEEL_NAME.match(filename)
    if m is None:
        return "not a wheel file name (name-version-python-abi-platform.whl)"
    major, minor = py or sys.version_info[:2]
    system = system or sys.platform
    machine = machine or platform.machine()
    pys = m["py"].split(".")
    plats = m["plat"].split(".")
    if m["abi"] == "none" and plats == ["any"]:
        if any(
            p in (f"py{major}", "py2.py3", f"py{major}{minor}") or p.startswith("py3") for p in pys
        ):
            return ""
        return f"built for Python {m['py']}, this is Python {major}.{minor}"
    cp = f"cp{major}{minor}"
    abi3 = m["abi"] == "abi3" and any(
        p.startswith(f"cp{major}") and int(p[3:] or 0) <= minor for p in pys
    )
    if cp not in pys and not abi3:
        return f"built for {m['py']}, this is {cp}"
    wanted = "linux" if system.startswith("linux") else system
    if not any(_os_of(p) == wanted and _arch_ok(p, machine) for p in plats):
        return f"built for {m['plat']}, this is {wanted} {machine}"
    return ""


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def _safe_members(zf: zipfile.ZipFile) -> str:
    """Why the archive would write outside its folder ('' when it would not)."""
    for info in zf.infolist():
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            return f"member {info.filename!r} would be written outside the plugin folder"
    return ""


def unpack(wheel: Path, into: Path) -> PluginWheel:
    """Check one wheel and unpack it under `into` (reused when already unpacked)."""
    m = _WHEEL_NAME.match(wheel.name)
    name, version = (m["name"], m["version"]) if m else (wheel.stem, "?")
    why = compatible(wheel.name)
    if why:
        return PluginWheel(wheel, name, version, error=why)
    try:
        target = into / f"{wheel.stem}-{_digest(wheel)}"
        if (target / ".complete").is_file():
            return PluginWheel(wheel, name, version, location=target)
        with zipfile.ZipFile(wheel) as zf:
            why = _safe_members(zf)
            if not why and not any(n.endswith(".dist-info/METADATA") for n in zf.namelist()):
                why = "no .dist-info/METADATA inside: not a wheel"
            if why:
                return PluginWheel(wheel, name, version, error=why)
            into.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=into))
            try:
                zf.extractall(tmp)
                (tmp / ".complete").write_text(wheel.name, encoding="utf-8")
                shutil.rmtree(target, ignore_errors=True)
                tmp.rename(target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except (OSError, zipfile.BadZipFile) as exc:
        return PluginWheel(wheel, name, version, error=f"cannot unpack: {exc}")
    return PluginWheel(wheel, name, version, location=target)


_loaded: list[PluginWheel] | None = None


def activate(folder: Path | None = None) -> list[PluginWheel]:
    """Unpack every wheel of the plugin folder and put the good ones on `sys.path` (once)."""
    global _loaded
    if _loaded is not None and folder is None:
        return _loaded
    folder = folder or plugins_dir()
    found: list[PluginWheel] = []
    if folder.is_dir():
        for wheel in sorted(folder.glob("*.whl")):
            entry = unpack(wheel, folder / UNPACKED)
            found.append(entry)
            if entry.location is not None and str(entry.location) not in sys.path:
                sys.path.append(str(entry.location))
    _loaded = found
    return found


def origin_of(dist_path: str | None) -> str:
    """Where a distribution comes from: the plugin folder's wheel, or an installed package."""
    if dist_path:
        for entry in _loaded or []:
            if entry.location is not None and Path(dist_path).is_relative_to(entry.location):
                return f"plugin folder: {entry.file.name}"
    return "installed"
