"""Fixtures shared by the Qt tests: temporary config/data folders and whole BenchApps."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """Fresh config and data folders (TWINBENCH_CONFIG_DIR, TWINBENCH_DATA_DIR)."""
    folder = tmp_path / "config"
    monkeypatch.setenv("TWINBENCH_CONFIG_DIR", str(folder))
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    return folder


@pytest.fixture
def make_bench(qtbot, config_dir):
    """Start BenchApps (window shown, devices live); all are shut down after the test."""
    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionStore

    made = []

    def make(wait_data: bool = True, workspace: str | None = None, fresh: bool = False):
        bench = BenchApp(store=SessionStore(config_dir), workspace=workspace, fresh=fresh)
        made.append(bench)
        qtbot.addWidget(bench.window)
        bench.show()
        qtbot.waitUntil(lambda: bench.ready, timeout=10_000)
        if wait_data:
            qtbot.waitUntil(lambda: bench.history.span() is not None, timeout=10_000)
        return bench

    yield make
    for bench in made:
        rec = bench.ctx.services.get("recorder") if bench.ready else None
        if rec is not None and rec.recording:
            rec.stop()
        bench.window.close()
        bench.shutdown()


@pytest.fixture
def pty_board():
    """Factory: pty_board(fmt, rate) streams the simulated board on a real pseudo-terminal from
    a thread and returns it (`.path` is the port); every board is stopped afterwards."""
    import sys
    import threading

    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("pseudo-terminals are POSIX-only")
    from twinbench.drivers.serial.simboard import PtyBoard

    running = []

    def start(fmt: str = "csv", rate: float = 200.0):
        board, stop = PtyBoard(fmt, rate), threading.Event()
        board.plug()
        thread = threading.Thread(target=board.run, args=(stop,), daemon=True)
        thread.start()
        running.append((board, stop, thread))
        return board

    yield start
    for board, stop, thread in running:
        stop.set()
        thread.join(timeout=5)
        board.close()
