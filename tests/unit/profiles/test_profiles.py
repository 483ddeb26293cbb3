"""Profiles: the shipped examples load; errors name file, line and key; recognition."""

from pathlib import Path

import pytest

from twinbench.errors import ConfigError
from twinbench.profiles import loader

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("path", sorted((ROOT / "resources" / "profiles").glob("*.toml")))
def test_examples_are_valid(path):
    prof = loader.load_profile(path)
    assert prof.name == path.stem


def check(tmp_path, text):
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as exc:
        loader.load_profile(f)
    return str(exc.value)


def test_error_names_file_line_and_key(tmp_path):
    msg = check(
        tmp_path,
        'name = "x"\n[framing]\ntype = "end"\n\n[decoder]\ntype = "binary"\nfields = [\n'
        '  { name = "a", type = "int8" },\n  { name = "b", type = "int12" },\n]\n',
    )
    assert msg.startswith(f"{tmp_path / 'p.toml'}:9: decoder.fields[1].type:")
    assert "int12" in msg


def test_bad_transport_setting(tmp_path):
    msg = check(tmp_path, '[transport]\ndriver = "serial"\n\nbaudrate = "fast"\n')
    assert ":4: transport.baudrate:" in msg


def test_unknown_keys_and_bad_toml(tmp_path):
    assert ":1: colour:" in check(tmp_path, 'colour = "red"\n')
    assert "invalid TOML" in check(tmp_path, "[framing\n")
    msg = check(tmp_path, '[[channels]]\nname="a"\n[[channels]]\nname="b"\nrange=[1]\n')
    assert ":5: channels[1].range:" in msg
    assert ":4: recognition.vid:" in check(
        tmp_path, '[framing]\ntype="end"\n[recognition]\nvid="zz"\n'
    )


def test_missing_profile_name(tmp_path, monkeypatch):
    monkeypatch.setenv("TWINBENCH_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="no such profile"):
        loader.load_profile("nope")


def test_user_folder_and_recognition(tmp_path, monkeypatch):
    monkeypatch.setenv("TWINBENCH_CONFIG_DIR", str(tmp_path))
    assert loader.profiles_dir() == tmp_path / "profiles"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text(
        '[recognition]\nvid = "1a86"\npid = "7523"\nserial = "A1"\n[framing]\ntype="end"\n'
    )
    profs = loader.all_profiles()
    assert profs[0].name == "mine"
    port = {"device": "/dev/ttyUSB0", "vid": 0x1A86, "pid": 0x7523, "serial_number": "A1"}
    assert loader.match_port(port, profs).name == "mine"
    assert loader.match_port({**port, "serial_number": "B2"}, profs) is None
    uno = {"device": "/dev/ttyACM0", "vid": 0x2341, "pid": 0x0043, "description": "Arduino Uno"}
    assert loader.match_port(uno, profs).name == "arduino-plotter"
    assert loader.load_profile("mpu6050-text").device_id == "imu"
