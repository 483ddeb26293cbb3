"""`twinbench run` with rules, derived channels and twins attached, as real subprocesses."""

import json

from tests.integration.cli import run


def test_rules_and_derived_channels_in_a_headless_run(tmp_path, twinbench_exe, clean_env):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nname = "hot"\ncondition = "temperature > 30"\nseverity = "critical"\n\n'
        '[[rule]]\nname = "power"\ncondition = "power > 1000"\nseverity = "warning"\n'
    )
    out = tmp_path / "s.json"
    r = run(
        [
            *twinbench_exe,
            "run",
            "--headless",
            "--duration",
            "3",
            "--set",
            "faults=overheat@0.3+9",
            "--rules",
            str(rules),
            "--derived",
            "power = current * voltage [W]",
            "--summary",
            str(out),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(out.read_text())
    chans = s["devices"]["sim"]["channels"]
    assert chans["power"]["unit"] == "W" and chans["power"]["count"] == chans["current"]["count"]
    assert s["rules"]["rules"]["hot"]["raised"] >= 1
    assert s["rules"]["rules"]["power"]["raised"] == 0  # the derived channel is evaluated
    assert s["rules"]["rules"]["power"]["faults"] == 0
    alarms = [e for e in s["events"] if e["kind"] == "alarm"]
    assert alarms and "hot" in alarms[0]["message"]
    assert s["twins"]["sim"]["properties"]["reported"]["$version"] >= 1
    assert s["diagnostics"]["devices"]["sim"]["samples"] > 0


def test_bad_rules_and_derived_definitions_exit_2(tmp_path, twinbench_exe, clean_env):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\ncondition = "temprature > 1"\n')
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "1", "--rules", str(bad)], clean_env
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.toml" in r.stderr and "temprature" in r.stderr
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "1", "--derived", "nope"], clean_env
    )
    assert r.returncode == 2 and "NAME = EXPRESSION" in r.stderr
    r = run([*twinbench_exe, "run", "--headless", "--duration", "1", "--share", "g"], clean_env)
    assert r.returncode == 2 and "--driver mqtt" in r.stderr
