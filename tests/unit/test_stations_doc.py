"""docs/stations.md: every TwinBench command parses, the JSON log lines have the documented
shape, and the files it points at exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from twinbench.cli import _command_parser

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "stations.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)


def test_every_twinbench_command_in_the_doc_parses():
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            argv = shlex.split(line)
            while argv and "=" in argv[0] and not argv[0].startswith("-"):
                argv = argv[1:]  # VAR=value prefixes
            if argv and argv[0] == "twinbench":
                commands.append(argv[1:])
    assert len(commands) >= 5
    for argv in commands:
        parser, _ = _command_parser(argv[0])
        parser.parse_args(argv)  # SystemExit fails the test


def test_json_log_lines_have_the_documented_fields():
    (block,) = _blocks("json")
    for line in block.splitlines():
        obj = json.loads(line)
        assert list(obj) == ["time", "level", "event", "device", "message", "fields"]


def test_files_the_doc_names_exist():
    for rel in re.findall(r"`((?:docs|packaging)/[\w./-]+)`", DOC):
        assert (ROOT / rel).is_file(), rel
