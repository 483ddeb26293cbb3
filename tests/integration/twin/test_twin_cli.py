"""`twinbench twin` in real subprocesses: show, export, import, errors."""

import json
import subprocess


def _run(exe, env, *args):
    return subprocess.run(
        [*exe, "twin", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_show_sets_desired_and_runs_command(twinbench_exe, clean_env):
    res = _run(
        twinbench_exe, clean_env, "show", "--desired", "targetSpeed=1500", "--invoke", "reboot=0"
    )
    assert res.returncode == 0, res.stderr
    assert "command reboot: 200" in res.stdout
    assert "targetSpeed" in res.stdout and "[accepted 200]" in res.stdout
    assert "°C" in res.stdout and "model dtmi:twinbench:sim:MotorRig;1" in res.stdout


def test_export_then_import_round_trip(twinbench_exe, clean_env, tmp_path):
    out = tmp_path / "twin.json"
    res = _run(twinbench_exe, clean_env, "export", str(out), "--desired", "mode=idle")
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    assert data["properties"]["desired"]["mode"] == "idle"
    assert "$metadata" in data["properties"]["reported"]
    assert data["status"] == "enabled" and data["connectionState"] == "Connected"
    assert data["etag"] and data["lastActivityTime"].endswith("Z")
    data["properties"]["desired"]["targetSpeed"] = 900
    data["properties"]["reported"]["forged"] = 1  # only the device writes reported
    out.write_text(json.dumps(data))
    res = _run(twinbench_exe, clean_env, "import", str(out), "--json")
    assert res.returncode == 0, res.stderr
    twin = json.loads(res.stdout)
    assert twin["properties"]["reported"]["targetSpeed"]["value"] == 900
    assert "forged" not in twin["properties"]["reported"]
    data["properties"]["desired"]["$secret"] = 1
    out.write_text(json.dumps(data))
    res = _run(twinbench_exe, clean_env, "import", str(out))
    assert res.returncode == 2 and "'$secret' is not allowed" in res.stderr


def test_bad_inputs_give_one_line_errors(twinbench_exe, clean_env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    res = _run(twinbench_exe, clean_env, "import", str(bad))
    assert res.returncode == 2 and "bad.json" in res.stderr and "Traceback" not in res.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"properties": {"desired": {"targetSpeed": "fast"}}}))
    res = _run(twinbench_exe, clean_env, "import", str(wrong))
    assert res.returncode == 2 and "not a number" in res.stderr
    res = _run(twinbench_exe, clean_env, "show", "--invoke", "selfTest=3", "--timeout", "0.2")
    assert res.returncode == 1 and "no reply within 0.2 s" in res.stderr
