"""Rules re-run over a recording: what would have fired, at the sample times it would have."""

import json

import twinbench
from tests.integration.cli import run


def test_replay_with_new_rules_reports_alarms_at_event_time(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = run(
        [
            *twinbench_exe,
            "run",
            "--headless",
            "--duration",
            "3",
            "--set",
            "rate=200",
            "--set",
            "faults=overheat@1+10",
            "--record",
            str(rec),
            "--quiet",
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    session = next(rec.iterdir())
    df = twinbench.load_session(session, form="wide")
    threshold = float(df["temperature"].iloc[0]) + 3.0  # crossed only during the overheat fault
    crossing = df["time"][df["temperature"] > threshold].iloc[0]
    rules = tmp_path / "what-if.toml"
    rules.write_text(
        f'[[rule]]\nname = "what_if"\ncondition = "temperature > {threshold}"\nseverity = "major"\n'
    )
    out = tmp_path / "s.json"
    r = run(
        [
            *twinbench_exe,
            "replay",
            str(session),
            "--fast",
            "--rules",
            str(rules),
            "--summary",
            str(out),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(out.read_text())
    assert s["rules"]["rules"]["what_if"]["raised"] >= 1
    assert any(e["kind"] == "alarm" and "what_if" in e["message"] for e in s["events"])
    # the raise carries the recorded sample time, not the (fast) replay's wall-clock time
    printed = r.stdout.split("alarm raised: what_if on sim at ")[1].split(" UTC")[0]
    assert printed == crossing.strftime("%H:%M:%S.%f")[:12]
