"""The one reader of user files: size limit, folders, encoding, nesting, schema types."""

from __future__ import annotations

import pytest

from tests.unit.robust.mutate import run_cli
from twinbench.errors import ConfigError
from twinbench.userfile import (
    CONFIG_LIMIT,
    MAX_DEPTH,
    SchemaError,
    check_table,
    expect,
    load_json,
    load_toml,
)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:  # 30 MB of one long comment
        fh.write(b"# " + b"x" * 30_000_000 + b"\n")
    for argv in (
        ("profiles", "check", str(big)),
        ("rules", "check", str(big)),
        ("run", "--config", str(big)),
    ):
        rc, out = run_cli(*argv)
        assert rc == 2, out
        assert out.startswith(f"twinbench: error: {big}: 30,000,003 bytes is larger than the ")
        assert f"{CONFIG_LIMIT:,}-byte limit" in out and out.count("\n") == 1


def test_folders_binary_and_nul_bytes(tmp_path):
    with pytest.raises(ConfigError, match=r"is a folder, expected a workspace"):
        load_toml(tmp_path, "workspace")
    f = tmp_path / "b.toml"
    f.write_bytes(b'name = "x"\n\xff\xfe\x00garbage')
    with pytest.raises(ConfigError, match=r"b.toml:2: not UTF-8 text \(byte 11\)"):
        load_toml(f)
    f.write_bytes(b'name = "x\x00"\n')
    with pytest.raises(ConfigError, match=r"b.toml:1: NUL byte"):
        load_toml(f)
    f.write_bytes(b'\xef\xbb\xbfname = "bom"\n')
    assert load_toml(f)[0] == {"name": "bom"}
    rc, out = run_cli("models", "check", str(f))  # binary in a DTDL model: one line per problem
    assert rc == 2 and "Traceback" not in out


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 400, 100_000])
def test_nesting_deeper_than_the_limit(tmp_path, depth):
    f = tmp_path / "deep.toml"
    f.write_text("a = " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError, match=r"deep.toml: (nested deeper than|invalid TOML)"):
        load_toml(f)
    j = tmp_path / "deep.json"
    j.write_text("[" * depth + "]" * depth)
    with pytest.raises(ConfigError, match=rf"deep.json: nested deeper than {MAX_DEPTH} levels"):
        load_json(j)


def test_nesting_within_the_limit_loads(tmp_path):
    f = tmp_path / "ok.json"
    f.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert load_json(f) is not None


def test_json_refuses_nan_and_names_the_line(tmp_path):
    f = tmp_path / "n.json"
    f.write_text('{\n"a": NaN}')
    with pytest.raises(ConfigError, match=r"n.json: invalid JSON: NaN is not a JSON number"):
        load_json(f)
    f.write_text('{\n"a": }')
    with pytest.raises(ConfigError, match=r"n.json:2: invalid JSON at column 6"):
        load_json(f)


def test_schema_helper_names_key_kind_and_choices():
    schema = {
        "type": ("a string", ("a", "b")),
        "n": ("a whole number", range(1, 11)),
        "x": "a number",
    }
    check_table({"type": "a", "n": 3, "x": 1.5}, schema, "t")
    cases = [
        ({"tpe": "a"}, "t.tpe: unknown key; valid: n, type, x"),
        ({"type": "c"}, "t.type: 'c' is not valid; valid: a, b"),
        ({"n": 11}, "t.n: 11 is out of range 1..10"),
        ({"n": True}, "t.n: expected a whole number, got True"),
        ({"x": float("inf")}, "t.x: inf is not a finite number"),
        ({"x": "1"}, "t.x: expected a number, got '1'"),
    ]
    for table, message in cases:
        with pytest.raises(SchemaError) as info:
            check_table(table, schema, "t")
        assert str(info.value) == message
    with pytest.raises(SchemaError, match="k: expected a table"):
        expect([], "a table", "k")
