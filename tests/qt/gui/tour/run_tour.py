"""The GUI tour, run by test_gui_tour.py in a subprocess on an X server (QT_QPA_PLATFORM=xcb):
the real main window driven through the flows step by step, a screenshot of the screen per
step in the light and the dark theme under $TWINBENCH_TOUR_OUT (build/gui-tour/<screen>/), and
the states of each step written to report.json for the outer test to assert.

Adding steps (the hook for other areas): put a `steps_<area>.py` beside this file exposing
`STEPS: list[tuple[int, str, Callable[[Tour], dict]]]` of (order, name, function). Steps run in
order across all such files; a step drives `tour.window` / `tour.bench` as a user would, waits
with `tour.qtbot`, and returns the states to record (JSON-serialisable). steps_layout.py holds
the layout, panel, recording, replay and open-data flows (orders 10-90).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

pytestmark = pytest.mark.qt_log_ignore(".*")

HERE = Path(__file__).resolve().parent


class Tour:
    """What a step gets: the running app, its window, qtbot, a scratch folder and screenshots."""

    def __init__(self, bench: Any, qtbot: Any, tmp: Path, out: Path, board: Any = None) -> None:
        self.board = board  # the pty_board fixture: a simulated serial board on a real pty
        self.bench = bench
        self.window = bench.window
        self.qtbot = qtbot
        self.tmp = tmp
        self.out = out
        self.shots: list[str] = []
        self.after_shot: list[Any] = []  # undo what a step changed for its screenshot only

    def shot(self, name: str) -> list[str]:
        """Save the whole screen (menus and dialogs included) in the light and dark theme."""
        saved = []
        before = self.window.actions.theme
        for theme in ("light", "dark"):
            self.window.actions.set_theme(theme)
            self.qtbot.wait(80)
            screen = self.window.screen() or QGuiApplication.primaryScreen()
            path = self.out / f"{name}-{theme}.png"
            assert screen.grabWindow(0).save(str(path), "PNG"), path
            saved.append(path.name)
        self.window.actions.set_theme(before)
        self.shots.extend(saved)
        return saved


def load_steps() -> list[tuple[int, str, Any]]:
    """Every (order, name, function) from the steps_*.py files here, in order."""
    steps = []
    for path in sorted(HERE.glob("steps_*.py")):
        spec = importlib.util.spec_from_file_location(f"tour_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        steps.extend(mod.STEPS)
    return sorted(steps, key=lambda s: s[0])


def test_tour(make_bench, qtbot, tmp_path, pty_board):
    out = Path(os.environ.get("TWINBENCH_TOUR_OUT", "build/gui-tour"))
    out.mkdir(parents=True, exist_ok=True)
    bench = make_bench()
    tour = Tour(bench, qtbot, tmp_path, out, pty_board)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    report: dict[str, Any] = {
        "platform": QGuiApplication.platformName(),
        "screen": [screen.width(), screen.height()],
        "steps": {},
    }
    for i, (_, name, fn) in enumerate(load_steps()):
        state = fn(tour)
        tour.qtbot.wait(100)
        state["shots"] = tour.shot(f"{i:02d}-{name}")
        while tour.after_shot:
            tour.after_shot.pop()()
        report["steps"][name] = state
        (out / "report.json").write_text(json.dumps(report, indent=1))
