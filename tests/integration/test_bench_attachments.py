"""Bench configs with rules and derived channels decide the exit code (real subprocesses)."""

import json
import subprocess


def bench(tmp_path, fault: str) -> str:
    (tmp_path / "rules.toml").write_text(
        '[[rule]]\nname = "overheat"\ncondition = "temperature > 33"\nseverity = "critical"\n'
    )
    return f"""
[bench]
name = "rig with rules"
duration = 2.5
rules = "rules.toml"
derived = ["power = current * voltage [W]"]

[[device]]
driver = "sim"
settings = {{ rate = 500, faults = "{fault}" }}

[[assert]]
check = "no_alarm"
severity = "major"

[[assert]]
check = "stat"
channel = "power"
stat = "mean"
min = 20
max = 300
"""


def run_bench(tmp_path, exe, env, fault):
    cfg = tmp_path / "bench.toml"
    cfg.write_text(bench(tmp_path, fault))
    out = tmp_path / "s.json"
    r = subprocess.run(
        [*exe, "run", "--headless", "--config", str(cfg), "--summary", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return r, json.loads(out.read_text()) if out.exists() else None


def test_quiet_rig_passes(tmp_path, twinbench_exe, clean_env):
    r, s = run_bench(tmp_path, twinbench_exe, clean_env, "")
    assert r.returncode == 0, r.stdout + r.stderr
    assert s["rules"]["rules"]["overheat"]["raised"] == 0
    assert "PASS" in r.stdout and "power" in r.stdout


def test_overheat_alarm_fails_the_bench(tmp_path, twinbench_exe, clean_env):
    r, s = run_bench(tmp_path, twinbench_exe, clean_env, "overheat@0+30")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL" in r.stdout
    assert s["rules"]["rules"]["overheat"]["raised"] >= 1


def test_rules_with_an_unknown_channel_are_a_config_error(tmp_path, twinbench_exe, clean_env):
    cfg = tmp_path / "bench.toml"
    cfg.write_text(bench(tmp_path, "").replace('rules = "rules.toml"', 'rules = "r2.toml"'))
    (tmp_path / "r2.toml").write_text('[[rule]]\nname = "x"\ncondition = "temprature > 1"\n')
    r = subprocess.run(
        [*twinbench_exe, "run", "--headless", "--config", str(cfg)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )
    assert r.returncode == 2 and "temprature" in r.stderr and "Traceback" not in r.stderr
