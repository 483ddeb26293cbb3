"""Scan filters, profile matching and notify specs, without a bus."""

from __future__ import annotations

import re

import pytest

from twinbench.ble.decoders import DecoderError
from twinbench.ble.profiles import BUILTIN_PROFILES, BleProfile, match_profile, parse_notify
from twinbench.ble.scanner import ScanEntry, ScanFilter
from twinbench.ble.sig import normalize_uuid

HR = normalize_uuid("180d")
ENV = normalize_uuid("181a")


def _entry(name: str = "", rssi: int = -50, uuids: tuple[str, ...] = (), sd=None) -> ScanEntry:
    return ScanEntry("AA:00:00:00:00:01", name, rssi, None, uuids, {}, sd or {})


def test_filter_by_name_glob_substring_service_and_rssi() -> None:
    e = _entry("Polar H10 1234", -70, (HR,))
    assert ScanFilter().matches(e)
    assert ScanFilter(name="polar*").matches(e)
    assert ScanFilter(name="h10").matches(e)
    assert not ScanFilter(name="garmin*").matches(e)
    assert ScanFilter(service="180D").matches(e)
    assert not ScanFilter(service="181a").matches(e)
    assert ScanFilter(service="181a").matches(_entry(sd={ENV: b"\x01"}))
    assert not ScanFilter(rssi_min=-60).matches(e)
    assert not ScanFilter(name="x").matches(_entry(""))  # unnamed devices fail a name filter
    with pytest.raises(ValueError, match="not a Bluetooth UUID"):
        ScanFilter(service="heart")


def test_profiles_match_by_service_or_name() -> None:
    assert match_profile(_entry(uuids=(HR,)), BUILTIN_PROFILES).name == "heart-rate"
    assert match_profile(_entry(uuids=(ENV,)), BUILTIN_PROFILES).name == "environmental"
    assert match_profile(_entry("thing"), BUILTIN_PROFILES) is None
    by_name = BleProfile("tag", match_name="SensorTag*")
    assert by_name.matches(_entry("SensorTag 2.0"))
    assert not BleProfile("empty").matches(_entry("x"))


def test_parse_notify() -> None:
    specs = parse_notify(
        "2a37; 2a19=battery ;7e1a0002-7b1e-4c1b-9c1a-7e1a7e1a7e1a=struct:a:u8,b:i16"
    )
    assert [s.decoder for s in specs] == ["", "battery", "struct:a:u8,b:i16"]
    assert specs[0].uuid == normalize_uuid("2a37")
    assert parse_notify("") == ()
    with pytest.raises(DecoderError, match="notify entry 2 'zz'"):
        parse_notify("2a37;zz")


def test_load_profiles_and_errors_name_file_and_key(tmp_path) -> None:
    from twinbench.ble.profiles import load_profiles
    from twinbench.errors import ConfigError

    good = tmp_path / "ble.toml"
    good.write_text(
        '[[profile]]\nname = "tag"\nmatch_name = "Tag*"\n'
        'notify = ["2a19", "7e1a0002-7b1e-4c1b-9c1a-7e1a7e1a7e1a=struct:seq:u32"]\n'
    )
    (prof,) = load_profiles(str(good))
    assert prof.name == "tag" and prof.matches(_entry("Tag 7"))
    assert [n.decoder for n in prof.notify] == ["", "struct:seq:u32"]
    cases = {
        'name = "x"\n': "one or more [[profile]]",
        "[[profile]]\nname = 3\n": "profile[1].name",
        '[[profile]]\nname = "a"\n': "give match_name and/or match_service",
        '[[profile]]\nname = "a"\nmatch_service = "zz"\n': "not a Bluetooth UUID",
        '[[profile]]\nname = "a"\nmatch_name = "a"\nnotify = ["2a37=nope"]\n': "unknown decoder",
        '[[profile]]\nname = "a"\ncolour = 1\n': "unknown key(s) colour",
        "[[profile]\n": "line 1",
    }
    for text, msg in cases.items():
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ConfigError, match=re.escape(msg)) as info:
            load_profiles(str(bad))
        assert str(bad) in str(info.value)
    with pytest.raises(ConfigError, match="no such BLE profiles file"):
        load_profiles(str(tmp_path / "missing.toml"))
