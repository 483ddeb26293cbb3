"""Serial ports the OS refuses: one sentence with what to do, from a real open() of a real port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path


def _run_serial(exe: list[str], env: dict[str, str], port: str, out: Path) -> dict:
    args = ["--driver", "serial", "--set", f"port={port}", "--duration", "0.5"]
    subprocess.run(
        [*exe, "run", "--headless", "--quiet", *args, "--summary", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return json.loads(out.read_text())


def _messages(summary: dict) -> list[str]:
    return [e["message"] for e in summary["events"] if e["message"]]


def test_missing_port_says_it_does_not_exist(twinbench_exe, clean_env, tmp_path) -> None:
    port = str(tmp_path / "ttyNOPE0")
    msgs = _messages(_run_serial(twinbench_exe, clean_env, port, tmp_path / "s.json"))
    assert (
        f"{port} does not exist: is the board plugged in? (`twinbench ports` lists ports)" in msgs
    )
    assert not any("Errno" in m for m in msgs)


def test_port_without_permission_says_join_dialout(twinbench_exe, clean_env, tmp_path) -> None:
    """A pty with mode 000; as root the child runs without the capabilities that bypass it."""
    master, slave = os.openpty()
    port = os.ttyname(slave)
    os.close(slave)
    os.chmod(port, 0)
    exe = twinbench_exe
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's file capabilities"
        exe = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *exe]
    try:
        msgs = _messages(_run_serial(exe, clean_env, port, tmp_path / "s.json"))
    finally:
        os.close(master)
    assert (
        f"Permission denied opening {port}: add yourself to the dialout group "
        "(sudo usermod -aG dialout $USER), then log out and back in"
    ) in msgs
