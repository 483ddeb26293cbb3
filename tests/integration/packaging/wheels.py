"""Builds real wheels for the plugin-folder tests (setuptools' PEP 517 hook, no network)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "plugin-driver"


def build_wheel(src: Path, out: Path) -> Path:
    """Build the wheel of the project in `src` into `out` and return its path."""
    out.mkdir(parents=True, exist_ok=True)
    code = "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
    r = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=src, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return out / r.stdout.strip().splitlines()[-1]


def renamed_example(tmp: Path, name: str) -> Path:
    """A copy of the example plugin whose package, distribution and driver are called `name`.

    The example itself is installed in the test environment, so the copy gets a name of its own
    for its entry point to be found only through the plugin folder.
    """
    src = tmp / f"src-{name}"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("*.egg-info", "tests", "build"))
    pkg = src / "twinbench_sysmon"
    pkg.rename(src / f"twinbench_{name}")
    for f in [src / "pyproject.toml", *(src / f"twinbench_{name}").glob("*.py")]:
        text = f.read_text(encoding="utf-8")
        text = text.replace("twinbench_sysmon", f"twinbench_{name}")
        text = text.replace("twinbench-sysmon", f"twinbench-{name}")
        text = text.replace('name = "sysmon"', f'name = "{name}"').replace("sysmon =", f"{name} =")
        f.write_text(text, encoding="utf-8")
    return src
