import pytest

from twinbench.errors import ConfigError
from twinbench.workspace import (
    DerivedEntry,
    DeviceEntry,
    PanelEntry,
    Workspace,
    load_workspace,
    save_workspace,
)


def test_round_trip(tmp_path):
    ws = Workspace(
        devices=[DeviceEntry("sim", {"rate": 500, "devices": 2}, profile="", model="m.json")],
        panels=[PanelEntry("fft", "fft-1", "Spectrum", {"channel": "sim/vibration", "size": 8192})],
        derived=[DerivedEntry("power", "current * voltage", "W")],
        rules=["rules.toml"],
        bindings={"sim": {"orientation": ["qw", "qx", "qy", "qz"]}},
        layout="AAAA/w==",
    )
    p = tmp_path / "bench.twb.toml"
    save_workspace(ws, p)
    back = load_workspace(p)
    assert back.devices == ws.devices and back.panels == ws.panels and back.derived == ws.derived
    assert back.rules == ["rules.toml"] and back.bindings == ws.bindings
    assert back.layout == "AAAA/w==" and back.warnings == []
    assert back.missing_files() == ["m.json", "rules.toml"]


def test_unknown_keys_and_newer_versions_are_warnings_not_errors(tmp_path):
    p = tmp_path / "w.toml"
    p.write_text(
        '[workspace]\nversion = 7\ncolour = "blue"\n\n[[device]]\ndriver = "sim"\nwheels = 4\n'
        "\n[future_feature]\nx = 1\n"
    )
    ws = load_workspace(p)
    assert ws.devices[0].driver == "sim"
    text = "\n".join(ws.warnings)
    assert "newer TwinBench (format 7" in text
    assert "[[device]] #1: unknown key 'wheels'" in text
    assert "unknown key 'future_feature'" in text


@pytest.mark.parametrize(
    "body,match",
    [
        ("[[device]]\nsettings = {}\n", r"\[\[device\]\] #1: key 'driver' is required"),
        ("[[device]]\ndriver = 'sim'\nsettings = 3\n", "'settings' must be a table"),
        ("device = 3\n", r"\[\[device\]\] must be an array of tables"),
        ("[[derived]]\nname = 'x'\n", "'name' and 'expr' are required"),
        ("[workspace\n", "line 1"),
    ],
)
def test_malformed_files_name_file_and_key(tmp_path, body, match):
    p = tmp_path / "bad.toml"
    p.write_text(body)
    with pytest.raises(ConfigError, match=match) as e:
        load_workspace(p)
    assert str(p) in str(e.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such workspace file"):
        load_workspace(tmp_path / "nope.toml")
