"""Real `twinbench` processes on broken files: exit 2, one line, no traceback, promptly."""

from __future__ import annotations

import subprocess
import time

import pytest

DEEP = b"a = " + b"[" * 50_000 + b"]" * 50_000 + b"\n"
BINARY = bytes(range(256)) * 40


@pytest.mark.parametrize(
    ("argv", "content", "words"),
    [
        (["run", "--config", "{f}"], BINARY, "not UTF-8 text"),
        (["run", "--config", "{f}"], DEEP, "nested deeper than"),
        (["models", "check", "{f}"], BINARY, "not UTF-8 text"),
        (["profiles", "check", "{f}"], b"# " + b"x" * 2_000_000, "byte limit"),
        (
            ["profiles", "check", "{f}"],
            b'[[channels]]\nname = "t"\nrange = [1, 0]\n',
            "in.toml:3: channels[0].range: minimum 1 is not below maximum 0",
        ),
        (
            ["profiles", "check", "{f}"],
            b'[[groups]]\ntitle = "G"\nchannels = ["t"]\nwidget = "dial"\n',
            "in.toml:4: groups[0].widget: 'dial' is not valid; valid: gauge, bar, led, plot",
        ),
        (
            ["rules", "check", "{f}"],
            b'[[rule]]\nname = "r"\ncondition = "x > 1"\nhold = inf\n',
            "hold",
        ),
        (["{f}"], None, "is a folder"),
        (["run", "--derived", "p = (x *", "--duration", "0.2"], b"", "--derived"),
        (
            ["run", "--derived", "p = nosuch * 2", "--duration", "0.5"],
            b"",
            "unknown channel 'nosuch'",
        ),
    ],
)
def test_broken_input_is_one_line_and_exit_2(
    tmp_path, twinbench_exe, clean_env, argv, content, words
):
    f = tmp_path / "in.toml"
    if content is None:
        f.mkdir()
    else:
        f.write_bytes(content)
    env = dict(clean_env, TWINBENCH_CONFIG_DIR=str(tmp_path / "cfg"))
    t0 = time.monotonic()
    r = subprocess.run(
        [*twinbench_exe, *(a.replace("{f}", str(f)) for a in argv)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - t0 < 30
    out = r.stderr + r.stdout  # `rules check` reports on stdout
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert r.returncode == 2, out
    assert "Traceback" not in out
    assert words in out
    if argv[0] != "models":  # models check prints one line per problem, then a count
        assert len(lines) == 1, out
