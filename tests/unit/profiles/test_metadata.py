"""Profile channel metadata (range, warn/alarm thresholds) and [[groups]]: what a good profile
gives the model, and one line naming file, line, key and the valid choices for each bad one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinbench.drivers.serial.driver import SerialDriver
from twinbench.errors import ConfigError
from twinbench.model import Band, Channel, ChannelGroup
from twinbench.profiles import loader
from twinbench.profiles.metadata import profile_channels, profile_groups

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
name = "motor"
[framing]
type = "end"
[decoder]
type = "csv"

[[channels]]
name = "temperature"
unit = "degC"
range = [0, 120.0]
warn = { high = 80.0 }
alarm = { low = -10.0, high = 100 }

[[channels]]
name = "load"
unit = "%"
range = [0.0, 100.0]

[[channels]]
name = "qw"
[[channels]]
name = "qx"
[[channels]]
name = "qy"
[[channels]]
name = "qz"

[[groups]]
title = "Motor"
widget = "gauge"
channels = ["temperature", "load"]

[[groups]]
title = "Orientation"
widget = "attitude"
channels = ["qw", "qx", "qy", "qz"]

[[groups]]
title = "Anything"
channels = ["load"]
"""


def load(tmp_path, text: str) -> loader.Profile:
    f = tmp_path / "p.toml"
    f.write_text(text)
    return loader.load_profile(f)


def error(tmp_path, text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        load(tmp_path, text)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(tmp_path / "p.toml"))
    return msg


def test_a_good_profile_gives_channels_and_groups(tmp_path):
    prof = load(tmp_path, GOOD)
    chans = {c.name: c for c in profile_channels(prof.data)}
    assert chans["temperature"] == Channel(
        "temperature",
        "degC",
        range=(0.0, 120.0),
        warn=Band(None, 80.0),
        alarm=Band(-10.0, 100.0),
    )
    assert chans["load"].range == (0.0, 100.0) and chans["load"].warn is None
    assert chans["qw"].range is None and chans["qw"].alarm is None
    assert profile_groups(prof.data) == (
        ChannelGroup("Motor", ("temperature", "load"), "gauge"),
        ChannelGroup("Orientation", ("qw", "qx", "qy", "qz"), "attitude"),
        ChannelGroup("Anything", ("load",), ""),
    )


def test_the_serial_device_carries_them(tmp_path):
    (tmp_path / "p.toml").write_text(GOOD)
    drv = SerialDriver({"port": "/dev/null", "profile": str(tmp_path / "p.toml")}, sink=None)
    dev = drv.device()
    assert dev.channel("temperature").range == (0.0, 120.0)
    assert dev.channel("temperature").alarm == Band(-10.0, 100.0)
    assert [g.title for g in dev.groups] == ["Motor", "Orientation", "Anything"]


CH = '[framing]\ntype = "end"\n[[channels]]\nname = "t"\n'  # line 4: name = "t"


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        ("range = [5.0, 5.0]\n", ":5: channels[0].range:", "minimum 5 is not below maximum 5"),
        ("range = [10, 0]\n", ":5: channels[0].range:", "minimum 10 is not below maximum 0"),
        ('range = [0, "hot"]\n', ":5: channels[0].range[1]:", "expected a number, got 'hot'"),
        ("range = [1]\n", ":5: channels[0].range:", "expected [minimum, maximum]"),
        ("range = [true, 2]\n", ":5: channels[0].range[0]:", "expected a number"),
        ("warn = 80\n", ":5: channels[0].warn:", "expected a table, got 80"),
        ("warn = {}\n", ":5: channels[0].warn:", "expected low, high or both"),
        ("warn = { hi = 80 }\n", ":5: channels[0].warn.hi:", "unknown key; valid: high, low"),
        ('alarm = { high = "x" }\n', ":5: channels[0].alarm.high:", "expected a number"),
        ("alarm = { high = nan }\n", ":5: channels[0].alarm.high:", "not a finite number"),
        ("alarm = { low = 9, high = 1 }\n", ":5: channels[0].alarm.low:", "not below high 1"),
        (
            "warn = { high = 80 }\nalarm = { high = 70 }\n",
            ":6: channels[0].alarm.high:",
            "70 is below warn.high 80; an alarm lies beyond a warning",
        ),
        (
            "warn = { low = 10 }\nalarm = { low = 20 }\n",
            ":6: channels[0].alarm.low:",
            "20 is above warn.low 10",
        ),
        ("limits = [0, 1]\n", ":5: channels[0].limits:", "valid: alarm, description, name"),
    ],
)
def test_bad_channel_metadata(tmp_path, extra, where, words):
    msg = error(tmp_path, CH + extra)
    assert where in msg and words in msg, msg


GROUP = CH + '[[channels]]\nname = "u"\n\n[[groups]]\ntitle = "G"\n'  # [[groups]] at line 8


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        (
            'channels = ["t"]\nwidget = "dial"\n',
            ":11: groups[0].widget:",
            "'dial' is not valid; valid: gauge, bar, led, plot, compass, table, attitude, track",
        ),
        (
            'channels = ["t", "tt"]\n',
            ":10: groups[0].channels[1]:",
            "'tt' is not a channel of this profile; valid: t, u",
        ),
        ("channels = []\n", ":10: groups[0].channels:", "names no channel"),
        ("channels = [1]\n", ":10: groups[0].channels[0]:", "expected a string, got 1"),
        ('channels = "t"\n', ":10: groups[0].channels:", "expected an array"),
        ("", ":8: groups[0]:", "a group needs a title and channels (missing channels)"),
        (
            'channels = ["t", "u"]\nwidget = "attitude"\n',
            ":10: groups[0].channels:",
            "widget 'attitude' reads 4 channels (qw, qx, qy, qz), got 2",
        ),
        (
            'channels = ["t"]\nwidget = "track"\n',
            ":10: groups[0].channels:",
            "widget 'track' reads 2 channels (latitude, longitude), got 1",
        ),
        ('channels = ["t"]\ncolour = "red"\n', ":11: groups[0].colour:", "valid: channels"),
    ],
)
def test_bad_groups(tmp_path, extra, where, words):
    msg = error(tmp_path, GROUP + extra)
    assert where in msg and words in msg, msg


def test_group_errors_elsewhere(tmp_path):
    msg = error(tmp_path, '[[groups]]\nchannels = ["a"]\n')
    assert ":1: groups[0]:" in msg and "(missing title)" in msg
    assert ":1: groups:" in error(tmp_path, 'groups = "all"\n')
    msg = error(tmp_path, "[groups]\ntitle = 1\n")
    assert "groups: expected an array of tables" in msg
    # the second of two groups: its own line
    two = GROUP + 'channels = ["t"]\n[[groups]]\ntitle = "H"\nchannels = ["v"]\n'
    assert ":13: groups[1].channels[0]: 'v'" in error(tmp_path, two)


def test_group_channels_checked_against_decoder_names_or_fields(tmp_path):
    named = '[decoder]\ntype = "csv"\nnames = ["a", "b"]\n[[groups]]\ntitle = "G"\n'
    assert load(tmp_path, named + 'channels = ["b"]\n')
    assert "valid: a, b" in error(tmp_path, named + 'channels = ["c"]\n')
    fields = (
        '[framing]\ntype = "cobs"\n[decoder]\ntype = "binary"\nfields = [{ name = "x", '
        'type = "int16" }, { name = "p", type = "pad", size = 2 }]\n[[groups]]\ntitle = "G"\n'
    )
    assert "valid: x" in error(tmp_path, fields + 'channels = ["p"]\n')
    # names that only a header will bring: not checked
    assert load(tmp_path, '[[groups]]\ntitle = "G"\nchannels = ["from_header"]\n')


DOC = ROOT / "docs" / "serial.md"


def doc_blocks() -> list[str]:
    """The TOML blocks of docs/serial.md (every one is a profile)."""
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S)


def test_every_profile_in_the_serial_doc_loads(tmp_path):
    blocks = doc_blocks()
    assert len(blocks) >= 2
    for text in blocks:
        load(tmp_path, text)
    groups = profile_groups(load(tmp_path, blocks[0]).data)
    assert groups == (ChannelGroup("ADC", ("ch0",), "gauge"),)


def test_the_serial_docs_dashboard_example_and_its_errors(tmp_path):
    text = next(b for b in doc_blocks() if "rig-dashboard" in b)
    prof = load(tmp_path, text)
    assert [g.widget for g in profile_groups(prof.data)] == ["gauge", "led"]
    volts = profile_channels(prof.data)[1]
    assert volts.warn == Band(22.5, 25.0) and volts.alarm == Band(21.5, 25.5)
    doc = " ".join(DOC.read_text().split())
    for old, new in (
        ("range = [0.0, 80.0]", "range = [80.0, 0.0]"),
        ('widget = "led"', 'widget = "dial"'),
        ('channels = ["temperature", "voltage"]', 'channels = ["temprature", "voltage"]'),
    ):
        msg = error(tmp_path, text.replace(old, new))
        assert f"`{msg.replace(str(tmp_path / 'p.toml'), 'p.toml')}`" in doc, msg
