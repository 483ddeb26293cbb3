"""`twinbench run --headless --config bench.toml` as a real subprocess: exit codes and reports."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import twinbench.resources
from tests.integration.cli import run
from tests.integration.summary_check import check_summary

EXAMPLE = Path(twinbench.resources.__file__).parent / "examples" / "bench.toml"


def test_example_passes_and_writes_junit_and_summary(tmp_path, twinbench_exe, clean_env):
    cfg = tmp_path / "bench.toml"
    shutil.copy(EXAMPLE, cfg)
    rec = tmp_path / "rec"
    r = run(
        [
            *twinbench_exe,
            *("run", "--headless", "--config", str(cfg), "--duration", "1.5"),
            "--record",
            str(rec),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(("PASS", "FAIL"))]
    assert len(lines) == 4 and all(ln.startswith("PASS") for ln in lines)
    root = ET.parse(tmp_path / "bench-report.xml").getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 4 and not root.findall(".//failure")
    summary = check_summary(json.loads((tmp_path / "bench-summary.json").read_text()))
    assert summary["bench"]["passed"] is True
    assert summary["devices"]["sim"]["channels"]["temperature"]["count"] > 0
    (sess,) = list(rec.iterdir())
    assert json.loads((sess / "bench.json").read_text())["passed"] is True


def test_failed_assertion_exits_1(tmp_path, twinbench_exe, clean_env):
    cfg = tmp_path / "b.toml"
    text = EXAMPLE.read_text().replace("max = 90.0", "max = 1.0")
    cfg.write_text(text)
    junit = tmp_path / "j.xml"
    r = run(
        [
            *twinbench_exe,
            *("run", "--headless", "--config", str(cfg), "--duration", "1"),
            "--junit",
            str(junit),
        ],
        clean_env,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL  temperature stays in range: max = " in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("FAILED: 1 of 4 assertions")
    failures = ET.parse(junit).getroot().findall(".//failure")
    assert len(failures) == 1 and "line 20" in failures[0].text


def test_configuration_errors_exit_2_naming_line_and_key(tmp_path, twinbench_exe, clean_env):
    cfg = tmp_path / "b.toml"
    text = EXAMPLE.read_text().replace('channel = "rpm"', 'channel = "rmp"')
    cfg.write_text(text)
    line = text.splitlines().index('channel = "rmp"') + 1
    r = run([*twinbench_exe, "run", "--headless", "--config", str(cfg)], clean_env)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"twinbench: error: {cfg}:{line}: assert.channel: no channel 'rmp' on 'sim'; channels: "
        "temperature, current, rpm, vibration, voltage, qw, qx, qy, qz"
    )
    text = EXAMPLE.read_text().replace("rate = 500", "rate = -5")
    cfg.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "rate = -5" in t)
    r = run([*twinbench_exe, "run", "--headless", "--config", str(cfg)], clean_env)
    assert r.returncode == 2 and f"{cfg}:{line}: device[0]: " in r.stderr
    assert "setting 'rate': -5 is out of range" in r.stderr
    assert "Traceback" not in r.stderr


def test_commands_are_sent_and_unanswered_ones_fail(tmp_path, twinbench_exe, clean_env):
    cfg = tmp_path / "b.toml"
    cfg.write_text(
        EXAMPLE.read_text()
        + '\n[[command]]\nat = 0.2\nname = "reset"\n\n[[assert]]\ncheck = "command"\n'
        'command = "reset"\nwithin = 1.0\n'
    )
    r = run(
        [*twinbench_exe, "run", "--headless", "--config", str(cfg), "--duration", "1"], clean_env
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL  command 'reset' answered: command 'reset' never answered" in r.stdout
    summary = check_summary(json.loads((tmp_path / "bench-summary.json").read_text()))
    msgs = [e["message"] for e in summary["events"] if e["kind"] == "command"]
    assert msgs[0] == "reset sent" and msgs[1].startswith("reset failed: ")
