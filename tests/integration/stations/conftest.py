"""Fixtures for station and CI tests: a CI-like environment for child processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def ci_env(clean_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """What a CI runner gives a job: no display, no keyring, no TTY, a bare HOME, CI=true."""
    env = {k: v for k, v in clean_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("TWINBENCH_LOG_FORMAT", None)
    home = tmp_path / "home"
    home.mkdir()
    env.update(
        HOME=str(home),
        CI="true",
        TERM="dumb",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
    )
    env.pop("QT_QPA_PLATFORM", None)
    return env


@pytest.fixture
def sim_bench(tmp_path: Path) -> Path:
    """The example bench config (the simulated rig) at tests/hil/bench.toml under tmp_path."""
    dest = tmp_path / "tests" / "hil" / "bench.toml"
    dest.parent.mkdir(parents=True)
    dest.write_text((ROOT / "resources" / "examples" / "bench.toml").read_text())
    return dest
