"""The test suite stands on its own: no test reads outside the repository, and the only skips
are the documented platform ones (README "The suite stands on its own")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DOCUMENTED_SKIPS = {
    "pseudo-terminals are POSIX-only",
    "mosquitto not installed",
    "dbus-daemon is not installed",
    "needs dpkg-deb (Debian)",
    "systemd-analyze not installed",
    "pyspark not installed (scripts/setup --with-spark)",
    "Spark needs Java 17+ (scripts/setup --with-spark installs it)",
    "official DTDL parser unavailable: ",
}


def _test_sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py")}


def test_no_test_reads_the_shared_folder_outside_the_repository() -> None:
    outside = re.compile(r"""\.\./shared|/work/shared|parents?\[?\d*\]?\s*/\s*["']shared["']""")
    hits = [
        str(p.relative_to(ROOT))
        for p, text in _test_sources().items()
        if outside.search(text) and p != Path(__file__)
    ]
    assert hits == []


def test_every_fixture_folder_is_listed_with_its_source_and_licence() -> None:
    readme = (TESTS / "fixtures" / "README.md").read_text(encoding="utf-8")
    for folder in sorted(p for p in (TESTS / "fixtures").iterdir() if p.is_dir()):
        assert f"`{folder.name}/" in readme, folder.name
    assert "MIT" in readme and "MPL-2.0" in readme


def _text(node: ast.expr) -> str | None:
    """A string literal's text, or an f-string's leading literal part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _skip_reasons() -> list[tuple[str, str]]:
    """(file, reason) of every skip the tests can take: pytest.skip, skipif, importorskip."""
    out = []
    for path, text in _test_sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            fn = ast.unparse(node.func)
            if fn in ("pytest.skip", "pytest.importorskip") or fn.endswith("mark.skipif"):
                reason = next((_text(a) for a in node.args if _text(a) is not None), None)
                for kw in node.keywords:
                    if kw.arg in ("reason", "msg") and isinstance(kw.value, ast.Constant):
                        reason = kw.value.value
                out.append((str(path.relative_to(ROOT)), str(reason)))
            elif fn.endswith("mark.skip"):
                out.append((str(path.relative_to(ROOT)), "unconditional skip"))
    return out


def test_only_documented_platform_skips() -> None:
    reasons = _skip_reasons()
    assert reasons, "the scan found no skip at all: it is broken"
    assert [(f, r) for f, r in reasons if r not in DOCUMENTED_SKIPS] == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for reason in DOCUMENTED_SKIPS:
        assert reason in readme
