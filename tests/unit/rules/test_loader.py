"""Rule files: the example loads, and bad files name the file, line, rule and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinbench.errors import ConfigError
from twinbench.rules.loader import load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "examples" / "rules.toml"
SIM = ["temperature", "current", "rpm", "vibration", "voltage", "qw", "qx", "qy", "qz"]


def test_example_file_loads() -> None:
    rs = load_rules(EXAMPLE, SIM)
    names = [r.name for r in rs.rules]
    assert names == ["winding-overheat", "current-spike", "bearing-vibration", "supply-sag"]
    hot = rs.rules[0]
    assert hot.hold_ns == 2_000_000_000 and hot.severity == "critical" and hot.clear is not None
    assert [a.kind for a in hot.actions] == ["notify", "log"]
    assert rs.tolerance_ns == 50_000_000 and rs.late == "drop"


def test_unknown_channel_names_file_line_rule_column(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text(
        '[[rule]]\nname = "ok"\ncondition = "rpm > 1"\n\n'
        '[[rule]]\nname = "bad"\nseverity = "major"\n'
        'condition = "avg(temprature, tumbling(5s)) > 3"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_rules(f, SIM)
    msg = str(info.value)
    assert msg.startswith(f"{f}:8: rule 'bad': condition:")
    assert "unknown channel 'temprature' (closest: temperature)" in msg
    assert "column 5" in msg


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('[[rule]]\ncondition = "x > 1"', "needs a name"),
        ('[[rule]]\nname = "a"', "condition: missing"),
        ('[[rule]]\nname = "a"\ncondition = "x >"', "end of expression"),
        ('[[rule]]\nname = "a"\ncondition = "x > 1"\nseverity = "urgent"', "severity: must be"),
        ('[[rule]]\nname = "a"\ncondition = "x > 1"\nhold = "ten"', "hold: expected a duration"),
        ('[[rule]]\nname = "a"\ncondition = "x > 1"\ncolour = 1', "colour: unknown key"),
        (
            '[[rule]]\nname = "a"\ncondition = "x > 1"\n[[rule]]\nname = "a"\ncondition = "x > 2"',
            "duplicate rule name",
        ),
        ('[[rule]]\nname = "a"\ncondition = "x > 1"\n[[rule.action]]\ntype = "fax"', "action type"),
        (
            '[[rule]]\nname = "a"\ncondition = "x > 1"\n[[rule.action]]\ntype = "webhook"',
            "needs 'url'",
        ),
        (
            '[[rule]]\nname = "a"\ncondition = "x > 1"\n[[rule.action]]\ntype = "webhook"\n'
            'url = "file:///etc/passwd"',
            "http://",
        ),
        ('[settings]\nlate = "keep"', "settings.late"),
        ("[[rule]\n", "invalid TOML"),
    ],
)
def test_bad_files_are_clear(body: str, words: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse_rules(body, "bad.toml", ["x"])
    assert str(info.value).startswith("bad.toml")
    assert words in str(info.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such rules file"):
        load_rules(tmp_path / "missing.toml")
