"""The malformed inputs the robustness review reported, each refused with one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.robust.mutate import run_cli
from twinbench.errors import ConfigError
from twinbench.profiles.loader import parse_profile
from twinbench.profiles.ssproj import import_ssproj
from twinbench.rules.loader import parse_rules
from twinbench.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[3]

PROFILE_CASES = [
    ("channels = [1, 2]", "2: channels[0]: expected a table, got 1"),
    ("commands = [3]", "2: commands[0]: expected a table, got 3"),
    ('checksum = "crc-16/xmodem"', "2: checksum: expected a table"),
    (
        '[decoder]\ntype = "binary"\nendian = "sideways"\nfields = [{name = "a", type = "uint8"}]',
        "4: decoder.endian: 'sideways' is not valid; valid: little, big",
    ),
    ('[framing]\ntype = "length"\nendian = "middle"', "4: framing.endian: 'middle' is not valid"),
    (
        '[framing]\ntype = "fixed"\nlength = 9223372036854775807',
        "framing.length: 9223372036854775807 is out of range 1..16777216",
    ),
    (
        '[[channels]]\nname = "a"\nsource = 1.5',
        "4: channels[0].source: expected a string or a whole number",
    ),
    (
        '[[commands]]\nlabel = "x"\ndata = "r"\neol = 5',
        "5: commands[0].eol: expected a string, got 5",
    ),
    (
        '[[commands]]\nlabel = "x"\ndata = "ZZ"\nhex = true',
        "commands[0].data: 'ZZ' is not hexadecimal bytes",
    ),
    ('[decoder]\ntype = "csv"\ncolumns = "abc"', "4: decoder.columns: expected a whole number"),
    ('[decoder]\ntype = "csv"\ncolumns = [0, 2, 5]', "4: decoder.columns: expected a whole number"),
    (
        '[framing]\ntype = "end"\nmax_fram = 5',
        "4: framing.max_fram: unknown key; valid: adjust, end, endian, hex, length, max_frame",
    ),
    (
        '[checksum]\ntype = "crc-16/xmodem"\nendain = "big"',
        "4: checksum.endain: unknown key; valid: algorithm",
    ),
    ('[decoder]\ntype = "csv"\ndelimter = ";"', "4: decoder.delimter: unknown key"),
]


@pytest.mark.parametrize(("body", "message"), PROFILE_CASES)
def test_profile_values_of_the_wrong_type_or_choice(body, message):
    with pytest.raises(ConfigError) as info:
        parse_profile(f'name = "p"\n{body}\n', "p.toml")
    assert f"p.toml:{message}" in str(info.value) or message in str(info.value)
    assert "\n" not in str(info.value)


RULE_CASES = [
    ("hold = inf", "hold: inf is not a duration"),
    ("hold = nan", "hold: nan is not a duration"),
    ('enabled = "yes"', "enabled: expected true or false"),
    ('condition = "avg(x, sliding(99999999999h)) > 1"', "99999999999h is longer than a year"),
    (
        '[[rule.action]]\ntype = "webhook"\nurl = "https://h"\nheaders = "x"',
        "headers must be a table",
    ),
    ('[[rule.action]]\ntype = "mqtt"\ntopic = "a"\nqos = 7', "qos must be 0, 1 or 2"),
]


@pytest.mark.parametrize(("extra", "message"), RULE_CASES)
def test_rule_values_refused(extra, message):
    lines = ["[[rule]]", 'name = "r"']
    if not extra.startswith("condition"):
        lines.append('condition = "x > 1"')
    body = "\n".join([*lines, extra]) + "\n"
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rules(body, "r.toml", ["x"])


def test_a_rule_that_is_not_a_table():
    with pytest.raises(ConfigError, match=r"r.toml: rule #1 must be a \[\[rule\]\] table"):
        parse_rules("rule = [1, 2]\n", "r.toml", ["x"])


def test_workspace_rules_of_the_wrong_type(tmp_path):
    ws = tmp_path / "w.toml"
    ws.write_text("rules = 5\n")
    with pytest.raises(ConfigError, match=r"w.toml: rules: expected a rules file or a list"):
        load_workspace(ws)
    rc, out = run_cli("run", "--config", str(tmp_path))  # a folder where a file belongs
    assert rc == 2 and "is a folder" in out and out.count("\n") == 1


SSPROJ_CASES = [
    ({"groups": 5}, "groups: expected an array"),
    ({"groups": [], "sources": 5}, "sources: expected an array"),
    ({"groups": [], "sources": [5]}, "sources[0]: expected a table"),
    ({"groups": [], "frameDetection": "x"}, "frameDetection: expected a whole number"),
    ({"groups": [], "decoderMethod": [1]}, "decoderMethod: expected a whole number"),
    ({"groups": [{"datasets": 5}]}, "datasets: expected an array"),
    ({"groups": [{"datasets": [{"index": "one"}]}]}, "index: expected a whole number"),
    ({"groups": [5]}, "groups[0]: expected a table"),
    ({"groups": [], "actions": {"a": 1}}, "actions: expected an array"),
    ({"groups": [], "busType": 0, "connection": 5}, "connection: expected a table"),
    (
        {"groups": [], "busType": 0, "connection": {"baudRate": "fast"}},
        "baudRate: expected a whole number",
    ),
]


@pytest.mark.parametrize(("project", "message"), SSPROJ_CASES)
def test_malformed_serial_studio_projects(tmp_path, project, message):
    f = tmp_path / "p.ssproj"
    f.write_text(json.dumps(project))
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        import_ssproj(f)
    assert str(info.value).startswith(str(f))


def test_serial_studio_project_with_a_bad_hex_delimiter_names_the_file(tmp_path):
    """Found by the loader fuzz test: a hexadecimal frame start that is not hex bytes."""
    fixture = ROOT / "tests" / "fixtures" / "serial-studio" / "HexadecimalADC.ssproj"
    project = json.loads(fixture.read_text())
    for source in project.get("sources", []):
        source["frameStart"] = "1"
    project["frameStart"] = "1"
    f = tmp_path / "adc.ssproj"
    f.write_text(json.dumps(project))
    with pytest.raises(ConfigError, match="is not hexadecimal bytes") as info:
        import_ssproj(f)
    assert str(info.value).startswith(str(f))


def test_mqtt_profile_channels_that_are_not_assignments_name_the_file_and_key(tmp_path):
    """Found by the loader fuzz test: `channels = "0"` said neither file nor key."""
    from twinbench.mqtt.rules import load_profile

    f = tmp_path / "fleet.toml"
    f.write_text('[[mqtt.devices]]\ntopic = "lab/{device}"\nchannels = "0"\n')
    with pytest.raises(ConfigError) as info:
        load_profile(str(f))
    message = str(info.value)
    assert "fleet.toml" in message and "mqtt.devices[0].channels" in message
    assert "'0' is not NAME=PATH" in message


def test_view3d_section_of_the_docs_is_a_valid_profile_section():
    """README and docs/view3d.md say a profile may carry [view3d]: the checker accepts it."""
    doc = (ROOT / "docs" / "view3d.md").read_text()
    block = doc.split("## Bindings: the `[view3d]` section of a profile", 1)[1]
    toml = block.split("```toml", 1)[1].split("```", 1)[0]
    p = parse_profile(f'name = "rig"\n{toml}', "rig.toml")
    assert len(p.data["view3d"]["bindings"]) == 7
    with pytest.raises(ConfigError, match=r"\[view3d\]: unknown key 'binding'"):
        parse_profile('name = "rig"\n[[view3d.binding]]\nkind = "label"\n', "rig.toml")


def test_readme_names_only_profile_tables_the_checker_accepts():
    from twinbench.profiles.loader import TOP_KEYS

    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| device profile |"))
    named = [n.strip("[]") for n in row.split("`") if n.startswith("[")]
    assert len(named) >= 6 and set(named) <= TOP_KEYS, named


def test_readme_error_examples_are_what_twinbench_prints(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Bad input and limits", 1)[1].split("```", 2)[1]
    shown = [ln.removeprefix("twinbench: error: ") for ln in block.strip().splitlines()]
    got = []
    for body in (
        'name = "rig"\n\n[framing]\nendian = "middle"\ntype = "length"\n',
        'name = "rig"\n\n[framing]\ntype = "end"\n\n[decoder]\ntype = "csv"\n\ndelimter = ";"\n',
    ):
        with pytest.raises(ConfigError) as info:
            parse_profile(body, "rig.toml")
        got.append(str(info.value))
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * 30_000_000 + b"\n")
    rc, out = run_cli("profiles", "check", str(big))
    assert rc == 2
    got.append(out.strip().removeprefix("twinbench: error: ").replace(str(tmp_path) + "/", ""))
    assert got == shown
