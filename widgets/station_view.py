"""Station view for technicians: one Start button, each assertion live with a large pass/fail."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from twinbench.bench.config import BenchConfig

STYLE = {
    "PASS": "background:#1b7f3b;color:white",
    "FAIL": "background:#b3261e;color:white",
    "RUNNING": "background:#555;color:white",
    "READY": "background:#333;color:#ccc",
}


def verdict(outcome: Any, finished: bool) -> str:
    """PASS/FAIL once decided; RUNNING while a check can still change."""
    if finished:
        return "PASS" if outcome.passed else "FAIL"
    check = outcome.assertion.check
    if check in ("twin", "command") and outcome.passed:
        return "PASS"
    if check == "no_alarm" and not outcome.passed:
        return "FAIL"
    return "RUNNING"


class StationView(QWidget):
    """Runs a bench config on Start; shows each assertion and the overall result live."""

    def __init__(self, cfg: BenchConfig, record: str | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.record = record
        self.run: Any = None
        self.setWindowTitle(f"TwinBench station: {cfg.name}")
        big = QFont()
        big.setPointSize(20)
        big.setBold(True)
        self.start_btn = QPushButton("Start")
        self.start_btn.setFont(big)
        self.start_btn.setMinimumHeight(64)
        self.start_btn.clicked.connect(self.start)
        self.overall = QLabel("READY")
        self.overall.setFont(big)
        self.overall.setStyleSheet(STYLE["READY"])
        self.info = QLabel(f"{len(cfg.assertions)} checks, up to {cfg.duration:g} s")
        grid = QGridLayout()
        self.badges: list[QLabel] = []
        self.details: list[QLabel] = []
        for i, a in enumerate(cfg.assertions):
            badge = QLabel("READY")
            badge.setFont(big)
            badge.setMinimumWidth(140)
            badge.setStyleSheet(STYLE["READY"])
            detail = QLabel("")
            grid.addWidget(QLabel(a.name), i, 0)
            grid.addWidget(detail, i, 1)
            grid.addWidget(badge, i, 2)
            self.badges.append(badge)
            self.details.append(detail)
        lay = QVBoxLayout(self)
        lay.addWidget(self.start_btn)
        lay.addWidget(self.overall)
        lay.addLayout(grid)
        lay.addWidget(self.info)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        """Start a run of the bench config."""
        from twinbench.bench.runner import BenchRun

        if self.run is not None and self.run.running:
            return
        try:
            self.run = BenchRun(self.cfg, record=self.record)
            self.run.start()
        except Exception as exc:  # a config or device error is shown, not raised into Qt
            self.overall.setText("ERROR")
            self.overall.setStyleSheet(STYLE["FAIL"])
            self.info.setText(str(exc))
            self.run = None
            return
        self.start_btn.setEnabled(False)
        self.overall.setText("RUNNING")
        self.overall.setStyleSheet(STYLE["RUNNING"])
        self.timer.start()

    def tick(self) -> None:
        """Step the run and refresh the badges (10 Hz)."""
        run = self.run
        if run is None:
            return
        finished = False
        if not run.step():
            out = run.finish()
            finished = True
            self.timer.stop()
            self.start_btn.setEnabled(True)
            self.start_btn.setText("Start again")
            passed = out["bench"]["passed"]
            self.overall.setText("PASS" if passed else "FAIL")
            self.overall.setStyleSheet(STYLE["PASS" if passed else "FAIL"])
            rec = out.get("recording", {}).get("folder", "")
            self.info.setText(f"saved with the recording: {rec}" if rec else "done")
        else:
            self.info.setText(f"{run.elapsed:.1f} / {run.limit:g} s")
        for o, badge, detail in zip(run.live(), self.badges, self.details, strict=True):
            v = verdict(o, finished)
            badge.setText(v)
            badge.setStyleSheet(STYLE[v])
            detail.setText(o.message)

    def closeEvent(self, event: Any) -> None:
        """Stop a run in progress when the window closes."""
        self.timer.stop()
        if self.run is not None and self.run.running:
            self.run.finish()
        super().closeEvent(event)
