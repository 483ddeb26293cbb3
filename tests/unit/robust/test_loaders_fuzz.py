"""Property-based tests: broken user files get exit 2 and one line naming the file, never a
traceback. Loaders with a check command run through the CLI's main() in this process; the
others (bench config, workspace, twin import) through their loader."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import assume, given

from tests.unit.robust.mutate import (
    LOADER,
    assert_refused_cleanly,
    broken_bytes,
    mutated_doc,
    run_cli,
    toml_bytes,
)
from twinbench.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
VIEW3D = (
    (ROOT / "docs" / "view3d.md").read_text().split("section of a profile", 1)[1].split("```")[1]
).removeprefix("toml\n")
PROFILES = sorted((ROOT / "resources" / "profiles").glob("*.toml"))
RULES = ROOT / "resources" / "examples" / "rules.toml"
BENCH = ROOT / "resources" / "examples" / "bench.toml"
FIX = ROOT / "tests" / "fixtures"
SSPROJ = FIX / "serial-studio" / "HexadecimalADC.ssproj"
MODEL = FIX / "dtdl" / "models" / "dtmi" / "com" / "example" / "thermostat-1.json"
WORKSPACE = """\
[workspace]
version = 1
rules = ["rules.toml"]

[[device]]
driver = "sim"
settings = { rate = 200 }

[[panel]]
type = "plot"
title = "Temperature"
config = { channels = ["sim/temperature"] }

[[derived]]
name = "power"
expr = "current * 24"
unit = "W"
"""
MQTT_PROFILE = """\
[[mqtt.devices]]
topic = "lab/{room}/{device}/telemetry"
device = "{room}-{device}"
format = "json"
time = "$.ts"
time_unit = "ms"
channels = { temp = "$.env.t", rpm = "$.motor.rpm" }
"""
BLE_PROFILES = """\
[[profile]]
name = "polar-h10"
match_name = "Polar H10*"
notify = ["2a37", "2a19=battery", "12345678-0000-1000-8000-00805f9b34fb=struct:seq:u32,t:i16*0.01"]

[profile.twin]
properties = { targetSpeed = "12345678-0000-1000-8000-00805f9b34fc" }
encoding = "<H"
read_back = true
"""
SIM_CHANNELS = "temperature,current,rpm,vibration,qw,qx,qy,qz,voltage,pressure"


def _profile_check(path: Path) -> tuple[int, str]:
    return run_cli("profiles", "check", str(path))


def _rules_check(path: Path) -> tuple[int, str]:
    return run_cli("rules", "check", str(path), "--channels", SIM_CHANNELS)


def _ssproj_import(path: Path) -> tuple[int, str]:
    return run_cli("profiles", "import", str(path), "-o", str(path.with_suffix(".toml")), "--force")


def _models_check(path: Path) -> tuple[int, str]:
    return run_cli("models", "check", str(path))


def _via_loader(load):  # type: ignore[no-untyped-def]
    def run(path: Path) -> tuple[int, str]:
        try:
            load(path)
        except ConfigError as exc:
            return 2, f"twinbench: error: {exc}"
        return 0, ""

    return run


def _bench(path: Path) -> None:
    from twinbench.bench.config import load_config

    load_config(path)


def _workspace(path: Path) -> None:
    from twinbench.workspace import load_workspace

    load_workspace(path)


def _mqtt_profile(path: Path) -> None:
    from twinbench.mqtt.rules import load_profile

    load_profile(str(path))


def _ble_profiles(path: Path) -> None:
    from twinbench.ble.profiles import load_profiles

    load_profiles(str(path))


def _view3d(path: Path) -> None:
    from twinbench.visuals.bindings import load_view_config

    load_view_config(str(path))


def _twin_import(path: Path) -> None:
    from twinbench.userfile import load_json

    load_json(path, "twin document")


TOML_LOADERS = {
    **{f"profile:{p.stem}": (p.read_text(), _profile_check) for p in PROFILES},
    "rules": (RULES.read_text(), _rules_check),
    "bench": (BENCH.read_text(), _via_loader(_bench)),
    "workspace": (WORKSPACE, _via_loader(_workspace)),
    "mqtt-profile": (MQTT_PROFILE, _via_loader(_mqtt_profile)),
    "ble-profiles": (BLE_PROFILES, _via_loader(_ble_profiles)),
    "view3d": (VIEW3D, _via_loader(_view3d)),
}
JSON_LOADERS = {
    "ssproj": (SSPROJ.read_text(), _ssproj_import),
    "dtdl": (MODEL.read_text(encoding="utf-8-sig"), _models_check),
    "twin-import": ('{"desired": {"mode": "idle", "setpoint": 21.5}}', _via_loader(_twin_import)),
}


def test_the_unmutated_files_load(tmp_path):
    for name, (text, run) in {**TOML_LOADERS, **JSON_LOADERS}.items():
        path = tmp_path / f"{name.replace(':', '-')}.{'json' if name in JSON_LOADERS else 'toml'}"
        path.write_text(text)
        rc, out = run(path)
        assert rc == 0, (name, out)


@pytest.mark.parametrize("name", sorted(TOML_LOADERS))
@LOADER
@given(data=__import__("hypothesis").strategies.data())
def test_toml_values_mutated(name, data, tmp_path):
    text, run = TOML_LOADERS[name]
    doc = data.draw(mutated_doc(tomllib.loads(text)))
    raw = toml_bytes(doc)
    assume(raw is not None)
    path = tmp_path / f"{name.replace(':', '-')}.toml"
    path.write_bytes(raw)
    assert_refused_cleanly(*run(path), path)


@pytest.mark.parametrize("name", sorted(TOML_LOADERS) + sorted(JSON_LOADERS))
@LOADER
@given(data=__import__("hypothesis").strategies.data())
def test_bytes_broken(name, data, tmp_path):
    text, run = {**TOML_LOADERS, **JSON_LOADERS}[name]
    path = tmp_path / f"{name.replace(':', '-')}.dat"
    path.write_bytes(data.draw(broken_bytes(text)))
    assert_refused_cleanly(*run(path), path)


@pytest.mark.parametrize("name", sorted(JSON_LOADERS))
@LOADER
@given(data=__import__("hypothesis").strategies.data())
def test_json_values_mutated(name, data, tmp_path):
    text, run = JSON_LOADERS[name]
    doc = data.draw(mutated_doc(json.loads(text)))
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))  # NaN/Infinity written as JSON's non-standard words
    assert_refused_cleanly(*run(path), path)
