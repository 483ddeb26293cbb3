"""Bench reports: JUnit XML (one test case per assertion) and the JSON summary."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from twinbench.bench.checks import Outcome
from twinbench.errors import UsageError


def junit_xml(suite: str, outcomes: list[Outcome], seconds: float) -> bytes:
    """A JUnit XML document for the outcomes."""
    fails = sum(not o.passed for o in outcomes)
    root = ET.Element("testsuites", tests=str(len(outcomes)), failures=str(fails))
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(outcomes)),
        failures=str(fails),
        errors="0",
        skipped="0",
        time=f"{seconds:.3f}",
    )
    for o in outcomes:
        tc = ET.SubElement(
            ts, "testcase", classname=f"twinbench.bench.{o.assertion.check}", name=o.assertion.name
        )
        tc.set("time", f"{seconds:.3f}")
        if not o.passed:
            f = ET.SubElement(tc, "failure", message=o.message, type=o.assertion.check)
            f.text = f"{o.assertion.name}: {o.message} (config line {o.assertion.line})"
        else:
            ET.SubElement(tc, "system-out").text = o.message
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically, naming the path on failure."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def line(o: Outcome) -> str:
    """The one-line result printed for an assertion."""
    return f"{'PASS' if o.passed else 'FAIL'}  {o.assertion.name}: {o.message}"
