"""`twinbench --selftest` imports what the drivers load lazily, so a thin bundle fails it."""

from __future__ import annotations

from twinbench.selftest import missing_modules


def test_every_lazy_module_and_driver_imports_here() -> None:
    assert missing_modules() == []


def test_a_missing_module_is_named() -> None:
    bad = missing_modules(("orjson", "twinbench_no_such_module"))
    assert len(bad) == 1 and bad[0].startswith("twinbench_no_such_module (")
