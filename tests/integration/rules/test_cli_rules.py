"""`twinbench rules check|dryrun` as a real subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "examples" / "rules.toml"


def run(exe: list[str], env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*exe, "rules", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_check_ok(twinbench_exe, clean_env) -> None:
    r = run(twinbench_exe, clean_env, "check", str(EXAMPLE), "--driver", "sim")
    assert r.returncode == 0, r.stderr
    assert "ok, 4 rule(s)" in r.stdout


def test_check_bad_file_exit_2(twinbench_exe, clean_env, tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('[[rule]]\nname = "hot"\ncondition = "temprature > 80"\n')
    r = run(twinbench_exe, clean_env, "check", str(f), "--channels", "temperature,rpm")
    assert r.returncode == 2
    assert f"{f}:3: rule 'hot': condition: unknown channel 'temprature'" in r.stdout
    assert "closest: temperature" in r.stdout and "Traceback" not in r.stderr
    assert "    temprature > 80\n    ^" in r.stdout


def test_dryrun_over_simulated_overheat(twinbench_exe, clean_env) -> None:
    r = run(
        twinbench_exe,
        clean_env,
        "dryrun",
        str(EXAMPLE),
        "--seconds",
        "40",
        "--faults",
        "overheat@5+30",
    )
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stdout.splitlines() if "winding at" in ln]
    assert lines and "raised" in lines[0] and "critical" in lines[0]
