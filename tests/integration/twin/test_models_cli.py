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


def _run(twinbench_exe, clean_env, *args):
    return subprocess.run(
        [*twinbench_exe, "models", *map(str, args)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )


def test_models_check_options_match_the_official_ones(twinbench_exe, clean_env, tmp_path):
    doc = {
        "@context": ["dtmi:dtdl:context;3", "dtmi:com:example:ext;1"],
        "@id": "dtmi:x:y;1",
        "@type": "Interface",
    }
    f = tmp_path / "ext.json"
    f.write_text(json.dumps(doc))
    default = _run(twinbench_exe, clean_env, "check", f)
    assert default.returncode == 2 and "unresolvableContextSpecifier" in default.stderr
    allowed = _run(twinbench_exe, clean_env, "check", f, "--extensions", "allow")
    assert allowed.returncode == 0, allowed.stderr
    v2only = _run(
        twinbench_exe, clean_env, "check", f, "--extensions", "allow", "--max-dtdl-version", "2"
    )
    assert v2only.returncode == 2 and "disallowedContextVersion" in v2only.stderr
    bad = _run(twinbench_exe, clean_env, "check", f, "--extensions", "maybe")
    assert bad.returncode == 2 and "allow" in bad.stderr and "Traceback" not in bad.stderr


def test_models_show_text_and_json(twinbench_exe, clean_env, dtdl_fixtures):
    repo = dtdl_fixtures / "models"
    dtmi = "dtmi:com:example:TemperatureController;1"
    text = _run(twinbench_exe, clean_env, "show", dtmi, "--repo", repo)
    assert text.returncode == 0, text.stderr
    assert "Component thermostat1: dtmi:com:example:Thermostat;1" in text.stdout
    assert (
        "Property targetTemperature: double [Temperature, degreeCelsius, writable]" in text.stdout
    )
    out = _run(twinbench_exe, clean_env, "show", dtmi, "--repo", repo, "--json")
    tree = json.loads(out.stdout)
    assert tree["dtdlVersion"] == 2
    thermo = tree["components"]["dtmi:com:example:Thermostat;1"]
    report = next(c for c in thermo["contents"] if c["name"] == "getMaxMinReport")
    assert report["response"]["schema"]["kind"] == "Object"
    missing = _run(twinbench_exe, clean_env, "show", "dtmi:com:example:Nothing;1", "--repo", repo)
    assert missing.returncode == 2 and "nothing-1.json" in missing.stderr
    no_repo = _run(twinbench_exe, clean_env, "show", dtmi)
    assert no_repo.returncode == 2 and "--repo" in no_repo.stderr
