"""`twinbench run --config bench.toml --junit out.xml` as a CI job runs it: no TTY, no display,
no keyring, and the job's timeout ending it with SIGTERM. The assertions are judged on what was
seen, every report is written, and the exit code says they passed."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

from tests.integration.summary_check import check_summary


def test_sigterm_at_the_timeout_still_passes_and_reports(
    tmp_path, twinbench_exe, ci_env, sim_bench
):
    sim_bench.write_text(sim_bench.read_text().replace("duration = 3.0 ", "duration = 600.0 "))
    out = tmp_path / "reports"
    out.mkdir()
    cmd = [*twinbench_exe, "run", "--headless", "--config", str(sim_bench)]
    cmd += ["--junit", str(out / "junit.xml"), "--summary", str(out / "summary.json")]
    cmd += ["--record", str(out / "rec"), "--log-format", "json", "--progress"]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        env=ci_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no controlling terminal, as on a runner
    )
    try:
        seen = []
        while not seen or seen[-1]["event"] != "connection":  # wait until the rig is connected
            seen.append(json.loads(proc.stderr.readline()))
        assert seen[-1]["device"] == "sim" and seen[0]["event"] == "recording"
        time.sleep(1.5)  # the job's time runs out
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr
    events = seen + [json.loads(line) for line in stderr.splitlines()]
    kinds = [e["event"] for e in events]
    assert "stopped" in kinds and kinds[-1] == "result" and events[-1]["fields"]["ok"] is True
    assert kinds.count("assertion") == 4
    suite = ET.parse(out / "junit.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert (int(suite.get("tests")), int(suite.get("failures"))) == (4, 0)
    summary = check_summary(json.loads((out / "summary.json").read_text()))
    assert summary["stopped_by"] == "SIGTERM"
    assert summary["bench"]["passed"] and summary["devices"]["sim"]["samples"] > 0
    (session,) = (out / "rec").iterdir()
    assert (session / "bench-junit.xml").read_bytes() == (out / "junit.xml").read_bytes()
    assert "passed: 4/4 assertions" in stdout
