"""Screenshots of the device lifecycle and workspace flows, for the GUI tour (build/gui-tour/).

Usage (the real window on xcb under Xvfb, a throw-away config folder):
    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" \\
        .venv/bin/python scripts/tour_lifecycle.py build/gui-tour 1920x1080 dark
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    """Run the flows and save one PNG per step."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/gui-tour")
    out.mkdir(parents=True, exist_ok=True)
    w, h = (int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "1920x1080").split("x"))
    theme = sys.argv[3] if len(sys.argv) > 3 else "light"
    tmp = Path(tempfile.mkdtemp())
    os.environ["TWINBENCH_CONFIG_DIR"] = str(tmp / "cfg")
    os.environ["TWINBENCH_DATA_DIR"] = str(tmp / "data")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionStore

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(cond: Callable[[], Any], ms: int = 8000) -> None:
        end = time.monotonic() + ms / 1000
        while not cond():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {cond}")
            wait(50)

    def save(widget: Any, name: str) -> None:
        path = out / f"life-{name}-{w}x{h}-{theme}.png"
        pix = widget.grab() if widget is not None else QGuiApplication.primaryScreen().grabWindow(0)
        pix.save(str(path))
        print(path)

    bench = BenchApp(store=SessionStore(tmp / "cfg"))
    win = bench.window
    win.resize(w, h)
    bench.show()
    until(lambda: bench.ready)
    win.actions.set_theme(theme)
    until(lambda: bench.history.span() is not None)
    wait(800)
    dlg = win.actions.connect_dialog()
    dlg.driver.setCurrentText("sim")
    dlg.connect_device()  # the defaults: "sim" is in use, "sim-2" proposed
    wait(200)
    save(dlg, "01-connect-duplicate-refused")
    dlg.connect_device()
    bench.control.connect("replay", {"session": str(tmp / "no-such-session")}, device_id="old-run")
    bench.control.connect("sim", {"rate": 200}, device_id="rig")
    until(lambda: "rig" in bench.runtime.hub.devices)
    wait(500)
    bench.control.disconnect("rig")
    wait(700)
    save(win, "02-tree-statuses")
    tree = win.tree
    menu = win.device_actions.menu_for("sim-2")
    rect = tree.visualRect(tree.tree_model.device_index("sim-2"))
    menu.popup(tree.viewport().mapToGlobal(rect.center()))
    wait(300)
    save(None, "03-context-menu")
    menu.close()
    edit = win.device_actions.run("edit", "sim-2")
    wait(300)
    save(edit, "04-edit-settings")
    edit.close()
    win.open_panel("gauge").widget().select("sim-2", "rpm")
    wait(500)
    ws = tmp / "day.twb.toml"
    bench.workspace_io.save(str(ws))
    bench.workspace_io.ask_unsaved = lambda: "discard"
    bench.workspace_io.start_fresh()
    wait(1000)
    save(win, "05-after-start-fresh")
    bench.workspace_io.open(str(ws))
    wait(1500)
    save(win, "06-workspace-reopened")
    win.close()
    bench.shutdown()
    app.quit()


if __name__ == "__main__":
    main()
