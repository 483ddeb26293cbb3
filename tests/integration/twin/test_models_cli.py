"""`twinbench models check` in a real subprocess: exit codes and messages."""

import json
import subprocess


def test_models_check_ok_and_invalid(twinbench_exe, clean_env, dtdl_fixtures, tmp_path):
    repo = dtdl_fixtures / "models"
    ok = subprocess.run(
        [*twinbench_exe, "models", "check", str(repo / "dtmi"), "--repo", str(repo)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "dtmi:com:example:Thermostat;1" in ok.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "@context": "dtmi:dtdl:context;2",
                "@id": "dtmi:x:y;1",
                "@type": "Interface",
                "contents": [{"@type": "Telemetry", "name": "t", "schema": "dtmi:x:missing;1"}],
            }
        )
    )
    res = subprocess.run(
        [*twinbench_exe, "models", "check", str(bad)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )
    assert res.returncode == 2
    assert "dtmi:x:missing;1" in res.stderr and "bad.json" in res.stderr
