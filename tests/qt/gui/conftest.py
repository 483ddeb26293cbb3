"""Fixtures for the main-window tests: a BenchApp on a temporary config folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A fresh config folder, also exported as TWINBENCH_CONFIG_DIR."""
    folder = tmp_path / "config"
    monkeypatch.setenv("TWINBENCH_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def make_bench(qtbot, config_dir):
    """Start BenchApps (window shown, devices live); all are shut down after the test."""
    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionStore

    made = []

    def make(wait_data: bool = True):
        bench = BenchApp(store=SessionStore(config_dir))
        made.append(bench)
        qtbot.addWidget(bench.window)
        bench.show()
        qtbot.waitUntil(lambda: bench.ready, timeout=10_000)
        if wait_data:
            qtbot.waitUntil(lambda: bench.history.span() is not None, timeout=10_000)
        return bench

    yield make
    for bench in made:
        bench.window.close()
        bench.shutdown()
