"""A bad workspace or profile is a dialog, not a crash; a failed start-up never lingers."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from PySide6.QtWidgets import QApplication, QMessageBox


def _dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "problemDialog" and w.isVisible()
    ]


def test_bad_workspace_is_a_dialog_and_the_app_keeps_running(qtbot, make_bench, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('rules = 5\n[[device]]\ndriver = "sim"\n')
    bench = make_bench(workspace=str(bad))
    qtbot.waitUntil(lambda: bool(_dialogs()), timeout=5000)
    box = _dialogs()[0]
    assert box.text() == "Workspace not opened"
    text = box.informativeText()
    assert "bad.toml" in text and "rules: expected a rules file or a list" in text
    assert "sim" in bench.runtime.hub.devices  # the default bench runs on
    _dialogs()[0].close()


def test_bad_profile_in_an_opened_workspace_is_reported(qtbot, make_bench, tmp_path):
    prof = tmp_path / "p.toml"
    prof.write_text('name = "p"\n[framing]\ntype = "end"\nendain = "big"\n')
    ws = tmp_path / "w.toml"
    settings = f'{{ port = "/nonexistent", profile = "{prof}" }}'
    ws.write_text(f'[[device]]\ndriver = "serial"\nsettings = {settings}\n')
    bench = make_bench()
    bench.workspace_io.ask_unsaved = lambda: "discard"  # no modal question in a test
    bench.workspace_io.open(str(ws))
    # a dialog names the device and the profile's line and key; the status bar says it too
    qtbot.waitUntil(lambda: bool(_dialogs()), timeout=5000)
    box = _dialogs()[0]
    assert box.text() == "Device not opened"
    assert box.informativeText().startswith("device 'serial")
    assert "p.toml:4: framing.endain" in box.informativeText()
    assert any("p.toml:4: framing.endain" in p for p in bench.problems)
    box.close()
    qtbot.wait(600)
    assert not _dialogs()  # told once, not at every sync


def test_a_failure_while_building_the_window_closes_it(qtbot, config_dir, monkeypatch, capsys):
    import twinbench.widgets.plot_panel as plot_panel

    def broken(*a, **k):
        raise RuntimeError("plot area broke")

    monkeypatch.setattr(plot_panel, "PlotPanel", broken)
    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionStore

    bench = BenchApp(store=SessionStore(config_dir))
    qtbot.addWidget(bench.window)
    bench.show()
    qtbot.waitUntil(lambda: getattr(bench, "failed", False), timeout=10_000)
    qtbot.waitUntil(lambda: not bench.window.isVisible(), timeout=5000)
    bench.shutdown()
    assert "start-up failed: RuntimeError: plot area broke" in capsys.readouterr().err


def test_gui_on_a_bad_workspace_ends_on_sigterm(twinbench_exe, clean_env, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("rules = 5\n")
    env = dict(clean_env, TWINBENCH_CONFIG_DIR=str(tmp_path / "cfg"), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [*twinbench_exe, str(bad)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        time.sleep(4)
        assert proc.poll() is None  # still running, with the default bench
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    # 0: the app's handler closed the window; -SIGTERM: killed before it was installed
    assert proc.returncode in (0, -signal.SIGTERM), err.decode()
    assert b"Traceback" not in err
