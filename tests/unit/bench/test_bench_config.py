"""Bench configs: validation errors name file, line and key; assertions decide from events."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import twinbench.resources
from twinbench.bench.checks import EventWatch, evaluate
from twinbench.bench.config import load_config
from twinbench.errors import ConfigError
from twinbench.events import EventLog

EXAMPLE = Path(twinbench.resources.__file__).parent / "examples" / "bench.toml"

GOOD = """
[bench]
duration = 2

[[device]]
driver = "sim"

[[assert]]
check = "stat"
channel = "rpm"
stat = "mean"
min = 1
"""


def write(tmp_path, text):
    p = tmp_path / "bench.toml"
    p.write_text(text)
    return p


def test_example_loads():
    cfg = load_config(EXAMPLE)
    assert [a.check for a in cfg.assertions] == ["stat", "stat", "no_loss", "no_alarm"]
    assert cfg.devices[0].driver == "sim" and cfg.junit == EXAMPLE.parent / "bench-report.xml"


@pytest.mark.parametrize(
    ("extra", "where", "match"),
    [
        ('\n[[assert]]\ncheck = "stat"\nchannel = "x"\nstat = "median"\nmax = 1\n', 17, "stat"),
        ('\n[[assert]]\ncheck = "twin"\nproperty = "p"\nwithin = 1\ncolour = 2\n', 18, "colour"),
        ('\n[[assert]]\ncheck = "no_alarm"\nseverity = "huge"\n', 16, "severity"),
        ('\n[[assert]]\ncheck = "vibes"\n', 15, "check"),
        ('\n[[assert]]\ncheck = "stat"\nchannel = "x"\nstat = "max"\n', 14, "min"),
        ('\n[[assert]]\ncheck = "stat"\nchannel = 3\nstat = "max"\nmax = 1\n', 16, "channel"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, extra, where, match):
    p = write(tmp_path, GOOD + extra)
    with pytest.raises(ConfigError) as ei:
        load_config(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p}:{where}: assert[1].") and match in msg


def test_other_config_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"bench.toml:3: bench.duration"):
        load_config(write(tmp_path, GOOD.replace("duration = 2", "duration = -1")))
    with pytest.raises(ConfigError, match=r"invalid TOML"):
        load_config(write(tmp_path, GOOD + "\n[[assert]\n"))
    with pytest.raises(ConfigError, match=r"at least one \[\[device\]\]"):
        load_config(write(tmp_path, GOOD.replace('[[device]]\ndriver = "sim"', "")))
    with pytest.raises(ConfigError, match=r":6: device\[0\].drivr"):
        load_config(write(tmp_path, GOOD.replace('driver = "sim"', 'drivr = "sim"')))
    with pytest.raises(ConfigError, match="no such bench config"):
        load_config(tmp_path / "missing.toml")


def _cfg(tmp_path, asserts):
    return load_config(write(tmp_path, GOOD + asserts))


def test_twin_command_and_alarm_assertions_from_events(tmp_path):
    cfg = _cfg(
        tmp_path,
        """
[[assert]]
check = "twin"
property = "motor.state"
equals = "running"
within = 5

[[assert]]
check = "twin"
property = "temp"
min = 50
max = 60
within = 0.000001

[[assert]]
check = "command"
command = "reset"
within = 5

[[assert]]
check = "no_alarm"
severity = "major"

[[assert]]
check = "no_alarm"
severity = "critical"
""",
    )
    log = EventLog()
    watch = EventWatch(cfg.assertions)
    log.listen(watch)
    watch.start()
    log.emit("twin", "sim", "", property="motor.state", value="stopped")
    log.emit("twin", "sim", "", property="motor.state", value="running")
    time.sleep(0.01)
    log.emit("twin", "sim", "", property="temp", value=55.0)  # in range, but too late
    log.emit("command", "sim", "", name="reset", state="sent")
    log.emit("command", "sim", "", name="reset", state="answered", reply="ok")
    log.emit("alarm", "sim", "hot", rule="hot", severity="major", state="raised", value=91.0)
    summary = {"devices": {"sim": {"channels": {"rpm": {"mean": 5.0, "unit": "rpm"}}}}}
    out = evaluate(cfg.assertions, summary, watch)
    assert [o.passed for o in out] == [True, True, False, True, False, True]
    assert "too" not in out[2].message and out[2].message.startswith("reached after")
    assert out[4].message.startswith("1 alarm(s), first: hot major")


def test_missing_events_fail_with_reason(tmp_path):
    cfg = _cfg(
        tmp_path,
        '\n[[assert]]\ncheck = "command"\ncommand = "go"\n\n[[assert]]\ncheck = "no_loss"\n',
    )
    watch = EventWatch(cfg.assertions)
    summary = {"devices": {"sim": {"channels": {"rpm": {"mean": 0.5}}}}, "dropped_samples": 3}
    out = evaluate(cfg.assertions, summary, watch)
    assert [o.passed for o in out] == [False, False, False]
    assert out[1].message == "command 'go' never answered"
    assert out[2].value == 3


def test_until_stops_at_the_first_matching_event(tmp_path):
    cfg = load_config(
        write(
            tmp_path,
            GOOD.replace(
                "duration = 2",
                'duration = 2\nuntil = { kind = "twin", property = "state", value = "ready" }',
            ),
        )
    )
    log = EventLog()
    watch = EventWatch(cfg.assertions, cfg.until)
    log.listen(watch)
    log.emit("twin", "sim", "", property="state", value="booting")
    log.emit("alarm", "sim", "", property="state", value="ready")
    assert not watch.stop.is_set()
    log.emit("twin", "sim", "", property="state", value="ready")
    assert watch.stop.is_set()
    with pytest.raises(ConfigError, match=r"bench.until: expected a table with 'kind'"):
        load_config(write(tmp_path, GOOD.replace("duration = 2", 'duration = 2\nuntil = "x"')))


def test_commands_are_parsed(tmp_path):
    cfg = load_config(
        write(
            tmp_path, GOOD + '\n[[command]]\nat = 0.5\nname = "reset"\npayload = { hard = true }\n'
        )
    )
    (c,) = cfg.commands
    assert (c.at, c.name, c.payload) == (0.5, "reset", {"hard": True})
    with pytest.raises(ConfigError, match=r"command\[0\].at"):
        load_config(write(tmp_path, GOOD + '\n[[command]]\nat = -1\nname = "x"\n'))
