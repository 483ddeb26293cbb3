"""Fixtures for serial tests: the simulated board on a real pty (POSIX only) and a runtime."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals are POSIX-only", allow_module_level=True)


class SimBoard:
    """A running `twinbench sim --serial` process."""

    def __init__(self, exe: list[str], tmp: Path, fmt: str, *args: str, launch: bool = True):
        self.link = tmp / "ttySIM"
        self.profile = tmp / f"{fmt}.toml"
        from twinbench.drivers.serial.simboard import profile_for

        self.profile.write_bytes(tomli_w.dumps(profile_for(fmt, "board")).encode())
        self.cmd = [*exe, "sim", "--serial", "--format", fmt, "--link", str(self.link), *args]
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        if launch:
            self.launch()

    def launch(self) -> None:
        """Start the board process and wait for its port line."""
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = self.proc.stdout.readline().strip()

    def finish(self, timeout: float = 60) -> dict:
        """Wait for the board to end; return its JSON summary."""
        out, _ = self.proc.communicate(timeout=timeout)
        self.lines = out.splitlines()
        return json.loads(self.lines[-1])

    def kill(self) -> None:
        """Stop the board if it still runs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.communicate(timeout=10)  # also closes the stdout pipe


@pytest.fixture
def sim_board(twinbench_exe, tmp_path) -> Iterator:
    """Factory: sim_board(fmt, *args) starts a board; every board is stopped afterwards."""
    boards: list[SimBoard] = []

    def start(fmt: str, *args: str, launch: bool = True) -> SimBoard:
        b = SimBoard(twinbench_exe, tmp_path, fmt, *args, launch=launch)
        boards.append(b)
        return b

    yield start
    for b in boards:
        b.kill()
