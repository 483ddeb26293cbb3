"""packaging/twinbench-station.service: a well-formed unit whose ExecStart is a valid TwinBench
command, whose credential is the one the station config names, and that systemd accepts."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from twinbench.bench.config import load_config
from twinbench.cli import _command_parser

ROOT = Path(__file__).resolve().parents[3]
UNIT = ROOT / "packaging" / "twinbench-station.service"
STATION = ROOT / "packaging" / "station.toml"


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of key=value lines (keys may repeat, as in systemd); comments skipped."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, eq, value = line.partition("=")
        assert current is not None and eq and key.strip().isidentifier(), f"line {n}: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


def _get(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def test_unit_sections_restart_and_journal():
    unit = parse_unit(UNIT.read_text())
    assert set(unit) == {"Unit", "Service", "Install"}
    svc = unit["Service"]
    assert _get(svc, "Restart") == ["on-failure"]
    assert _get(svc, "RestartPreventExitStatus") == ["1 2"]  # a failed assertion is no crash
    assert _get(svc, "StandardOutput") == ["journal"] == _get(svc, "StandardError")
    assert _get(svc, "KillSignal") == ["SIGTERM"]
    assert _get(unit["Install"], "WantedBy") == ["multi-user.target"]


def test_execstart_is_a_valid_twinbench_command_using_the_loaded_credential():
    svc = parse_unit(UNIT.read_text())["Service"]
    (exec_start,) = _get(svc, "ExecStart")
    argv = shlex.split(exec_start)
    assert Path(argv[0]).name == "twinbench"
    parser, _ = _command_parser(argv[1])
    args = parser.parse_args(argv[1:])
    assert args.headless and args.config == "/etc/twinbench/station.toml" and args.junit
    (cred,) = _get(svc, "LoadCredential")
    name, _, source = cred.partition(":")
    assert source.startswith("/etc/twinbench/credentials/")
    cfg = load_config(STATION)  # the station config the unit runs is valid
    assert cfg.devices[0].settings["password_credential"] == name


def test_systemd_accepts_the_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    # systemd checks that ExecStart's program exists: point it at this environment's twinbench
    exe = Path(sys.executable).with_name("twinbench")
    text = UNIT.read_text().replace("/usr/bin/twinbench", str(exe))
    unit = tmp_path / "twinbench-station.service"
    unit.write_text(text)
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    problems = [ln for ln in r.stderr.splitlines() if str(unit) in ln]
    assert r.returncode == 0 and problems == [], r.stderr
