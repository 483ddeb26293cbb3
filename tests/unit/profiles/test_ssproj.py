"""Serial Studio project import, using projects written in Serial Studio's format."""

import struct

import pytest
import tomli_w

from twinbench.decode.checksums import compute
from twinbench.decode.pipeline import make_pipeline
from twinbench.errors import ConfigError
from twinbench.profiles.loader import parse_profile
from twinbench.profiles.ssproj import import_ssproj


def imported(fixtures_dir, name):
    data = import_ssproj(fixtures_dir / "serial-studio" / f"{name}.ssproj")
    parse_profile(tomli_w.dumps(data), f"{name}.toml")  # what the import writes loads back
    return data


def test_mpu6050_text_frames(fixtures_dir):
    d = imported(fixtures_dir, "MPU6050")
    assert d["framing"] == {"type": "start_end", "start": "$", "end": ";"}
    assert d["decoder"]["type"] == "csv"
    names = [c["name"] for c in d["channels"]]
    assert names[:3] == ["Accelerometer X", "Accelerometer Y", "Accelerometer Z"]
    assert len(names) == 7 and d["channels"][6]["unit"] == "\u2103"
    assert any("script parser" in n and "CSV" in n for n in d["notes"])
    c = make_pipeline(d).feed(b"$1.5,2,3,4,5,6,25.5;", 1)
    assert c.channels == tuple(names) and c.values.tolist() == [[1.5, 2, 3, 4, 5, 6, 25.5]]


def test_hexadecimal_adc_binary_crc16(fixtures_dir):
    d = imported(fixtures_dir, "HexadecimalADC")
    assert d["checksum"]["type"] == "crc-16/xmodem"  # Serial Studio's "CRC-16-CCITT"
    assert d["framing"]["start"] == "C0 DE" and d["framing"]["hex"] is True
    assert [c["name"] for c in d["channels"]] == [f"ADC {i}" for i in range(6)]
    assert d["channels"][0]["unit"] == "Volts" and d["channels"][0]["range"] == [0.0, 5.0]
    body = bytes([0, 51, 102, 153, 204, 255])
    fr = b"\xc0\xde" + body + compute("crc-16/xmodem", body).to_bytes(2, "big")
    bad = b"\xc0\xde" + body + b"\x00\x00"
    p = make_pipeline(d)
    c = p.feed(fr + bad + fr, 1)
    assert len(c) == 2
    assert c.values[0].tolist() == pytest.approx([0, 1, 2, 3, 4, 5])
    assert p.stats.checksum_errors == 1
    assert d["commands"][0]["label"] == "Data Polling"
    assert struct.calcsize(">H") == 2


@pytest.mark.parametrize("name", ["TinyGPS", "LuaRig", "BLE Battery Level"])
def test_other_examples_import_with_notes(fixtures_dir, name):
    d = imported(fixtures_dir, name)
    assert d["notes"]


def test_not_a_project(tmp_path):
    f = tmp_path / "x.ssproj"
    f.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a Serial Studio project"):
        import_ssproj(f)
    f.write_text("{broken")
    with pytest.raises(ConfigError, match=r"x\.ssproj"):
        import_ssproj(f)


def test_group_widgets_become_dashboard_groups(fixtures_dir):
    mpu = imported(fixtures_dir, "MPU6050")["groups"]
    assert mpu == [
        {
            "title": "Accelerometer",
            "widget": "plot",
            "channels": [f"Accelerometer {a}" for a in "XYZ"],
        },
        {"title": "Gyroscope", "widget": "plot", "channels": ["Gyro X", "Gyro Y", "Gyro Z"]},
        {"title": "Board", "channels": ["Temperature"]},  # no widget: kinds by name and unit
    ]
    gps = imported(fixtures_dir, "TinyGPS")["groups"]
    assert gps == [{"title": "Position", "widget": "track", "channels": ["Latitude", "Longitude"]}]
    assert imported(fixtures_dir, "BLE Battery Level")["groups"][0]["widget"] == "gauge"


def test_dataset_widgets_and_leds_split_a_group(fixtures_dir, tmp_path):
    import json

    proj = json.loads((fixtures_dir / "serial-studio" / "MPU6050.ssproj").read_text())
    acc, gyro, board = proj["groups"]
    board["widget"] = "datagrid"
    acc["widget"] = "plot3d"  # no such tile here: said in the notes
    for ds, w in zip(acc["datasets"], ("gauge", "compass", ""), strict=True):
        ds["widget"] = w
    acc["datasets"][2]["led"] = True
    gyro["widget"] = "map"  # datasets marked lat / lon pick the pair
    gyro["datasets"][1]["widget"], gyro["datasets"][2]["widget"] = "lon", "lat"
    f = tmp_path / "p.ssproj"
    f.write_text(json.dumps(proj))
    d = import_ssproj(f)
    parse_profile(tomli_w.dumps(d), "p.toml")
    assert d["groups"] == [
        {"title": "Accelerometer (gauge)", "widget": "gauge", "channels": ["Accelerometer X"]},
        {"title": "Accelerometer (compass)", "widget": "compass", "channels": ["Accelerometer Y"]},
        {"title": "Accelerometer (led)", "widget": "led", "channels": ["Accelerometer Z"]},
        {"title": "Gyroscope", "widget": "track", "channels": ["Gyro Z", "Gyro Y"]},
        {"title": "Board", "widget": "table", "channels": ["Temperature"]},
    ]
    assert "group 'Accelerometer': widget 'plot3d' has no tile here; kinds by name" in d["notes"]
