"""Shared helper for the integration tests: run a command as a real subprocess."""

from __future__ import annotations

import subprocess


def run(cmd: list[str], env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    """Run `cmd` with `env`, capturing stdout and stderr as text."""
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
