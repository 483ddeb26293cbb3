"""Every benchmark command quoted in docs/performance.md names a script and flags that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "performance.md"


def commands(text: str) -> list[list[str]]:
    """Each quoted command (inline code or a code-block line) that runs a benchmark script."""
    spans = re.findall(r"```[a-z]*\n(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", text)
    out = []
    for span in spans:
        for line in span.splitlines():
            words = shlex.split(line.split("#")[0])
            if any(w.startswith("benchmarks/bench_") for w in words):
                out.append(words)
    return out


def flags_of(script: Path) -> set[str]:
    """The --options a benchmark script defines (plus --smoke from benchmarks/common.py)."""
    src = script.read_text() + (script.parent / "common.py").read_text()
    return set(re.findall(r'"(--[a-z0-9-]+)"', src))


def test_every_quoted_benchmark_command_exists():
    cmds = commands(DOC.read_text())
    assert len(cmds) >= 8, "docs/performance.md should quote the command of every figure"
    for words in cmds:
        at = next(i for i, w in enumerate(words) if w.startswith("benchmarks/bench_"))
        script = words[at]
        path = ROOT / script
        assert path.is_file(), f"docs/performance.md quotes {script}, which does not exist"
        known = flags_of(path)
        for w in words[at + 1 :]:  # the script's own options, not those of a command before it
            flag = w.split("=")[0]
            if flag.startswith("--"):
                assert flag in known, f"{script} has no option {flag} (has {sorted(known)})"


def test_the_parser_catches_a_missing_flag():
    cmds = commands("run `python benchmarks/bench_plot.py --nope`\n")
    assert cmds == [["python", "benchmarks/bench_plot.py", "--nope"]]
    assert "--nope" not in flags_of(ROOT / "benchmarks" / "bench_plot.py")
