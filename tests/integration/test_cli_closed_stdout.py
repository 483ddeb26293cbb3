"""Every `twinbench` command that prints ends quietly when its stdout is closed (`| head -1`).

Each command runs as a real subprocess whose stdout is a pipe with no reader left: the first
write fails with EPIPE exactly as it does after `head -1` has exited, with no race.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from twinbench.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "resources" / "examples" / "rules.toml"
MODELS = ROOT / "resources" / "models" / "dtmi"
KEYRING = Path(__file__).parent / "twin" / "keyring_backend"

# command -> arguments that make it print and exit 0 (SESSION: a recorded session, OUT: a path)
CASES: dict[str, list[str]] = {
    "run": ["run", "--headless", "--duration", "0.3"],
    "drivers": ["drivers", "list"],
    "rules": ["rules", "check", str(RULES)],
    "models": ["models", "check", str(MODELS)],
    "twin": ["twin", "show", "--duration", "0.3"],
    "ble": ["ble", "--help"],  # scans need BlueZ: tests/integration/ble covers `ble gatt | head`
    "export": ["export", "SESSION", "--out", "OUT.csv", "--format", "csv"],
    "sessions": ["sessions", "list", "REC"],
    "sql": ["sql", "SESSION", "SELECT * FROM samples"],
    "replay": ["replay", "SESSION", "--fast"],
    "sim": ["sim", "--serial", "--duration", "0.3"],
    "profiles": ["profiles", "list"],
    "ports": ["ports", "--json"],
    "identity": ["identity", "show", "dev-1"],
}
NOT_PRINTING = {"station"}  # opens a window; prints nothing on success


def run_closed_stdout(
    cmd: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `cmd` with stdout a pipe whose reading end is already closed."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run(
            cmd, stdout=w, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout
        )
    finally:
        os.close(w)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short recorded sim session."""
    root = tmp_path_factory.mktemp("rec")
    cmd = [sys.executable, "-m", "twinbench", "run", "--headless", "--quiet", "--duration", "0.3"]
    subprocess.run(
        [*cmd, "--record", str(root)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return root


def test_every_printing_command_has_a_case() -> None:
    assert set(CASES) | NOT_PRINTING == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_closed_stdout_ends_quietly(
    name: str, recording: Path, twinbench_exe: list[str], clean_env: dict[str, str], tmp_path
) -> None:
    session = str(next(p for p in recording.iterdir() if p.is_dir()))
    args = [
        a.replace("SESSION", session).replace("REC", str(recording)).replace("OUT", str(tmp_path))
        for a in CASES[name]
    ]
    env = dict(clean_env, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    if name == "identity":  # a file keyring with the device provisioned, so that `show` prints
        env.update(
            PYTHON_KEYRING_BACKEND="tb_test_keyring.FileKeyring",
            PYTHONPATH=str(KEYRING),
            TB_TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
        )
        group = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbq"
        subprocess.run(
            [*twinbench_exe, "identity", "provision", "dev-1"],
            input=group + "OS9Egw==\n",
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
    closed = run_closed_stdout([*twinbench_exe, *args], env)
    assert "Traceback" not in closed.stderr
    assert "Broken pipe" not in closed.stderr and "BrokenPipe" not in closed.stderr
    assert "Exception ignored" not in closed.stderr
    assert closed.returncode == 0, closed.stderr  # each case exits 0 with a reader
