"""Run the twin view panel on a live sim rig under a real display; print a JSON report.

Started as a subprocess by test_twin_view_qt.py (needs QT_QPA_PLATFORM=xcb and a DISPLAY).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from twinbench.runtime import Runtime
from twinbench.visuals.bindings import Binding, parse_view_config
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels


def main(out_png: str, mode: str, big_model: str = "") -> int:
    app = QApplication.instance() or QApplication([])
    runtime = Runtime()
    win = QMainWindow()
    ctx = AppContext(runtime, window=win)
    if mode == "bad":
        runtime.add_driver("sim", {"rate": 200, "devices": 2})
        ctx.services["view3d"] = parse_view_config(
            {
                "devices": [
                    {"device": "sim-1", "model": big_model},
                    {"device": "sim-2", "model": big_model + ".missing.glb"},
                ],
                "bindings": [
                    {
                        "kind": "orientation",
                        "device": "sim-1",
                        "channels": ["qw", "qx", "qy", "qz"],
                    },
                    {"kind": "label", "device": "sim-1", "part": "ball", "channels": ["nope"]},
                    {"kind": "color", "device": "sim-1", "part": "rotor", "channels": ["rpm"]},
                ],
            },
            "test-profile.toml",
        )
    else:
        runtime.add_driver("sim", {"rate": 200, "faults": "overheat@0+30"})
    spec = next(p for p in all_panels() if p.id == "twin-view")
    panel = spec.factory(ctx)
    win.setCentralWidget(panel)
    win.resize(800, 600)
    win.show()
    timer = QTimer()
    timer.timeout.connect(lambda: [cb() for cb in ctx.tick_callbacks])
    timer.start(16)
    runtime.start()
    if mode != "bad":
        panel.add_binding(Binding("label", "sim", "shaft", ("no_such_channel",), origin="gui"))

    def ready() -> bool:
        if mode == "bad":
            return "sim-1" in panel.scene.devices and "sim-2" in panel.errors
        dv = panel.scene.devices.get("sim")
        return dv is not None and dv.rotation is not None and dv.parts["motor"].label is not None

    deadline = time.monotonic() + 90.0  # loads run on a worker thread; the machine may be busy
    end = None
    while end is None or time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
        if end is None and (ready() or time.monotonic() > deadline):
            end = time.monotonic() + 1.5
    scene = panel.scene
    dv = scene.devices.get("sim")
    if mode == "bad":
        report = {"status": panel.status_text(), "devices": sorted(scene.devices)}
        report["faces"] = scene.n_faces()
        timer.stop()
        panel.shutdown()
        runtime.stop()
        win.close()
        print("REPORT " + json.dumps(report), flush=True)
        return 0
    report = {
        "platform": app.platformName(),
        "renderer": scene.renderer,
        "status": panel.status_text(),
        "parts": sorted(dv.parts) if dv else [],
        "rotation": None if dv is None or dv.rotation is None else dv.rotation.tolist(),
        "motor_color": None if dv is None else list(dv.parts["motor"].color),
        "label": None
        if dv is None or dv.parts["motor"].label is None
        else dv.parts["motor"].label.text,
        "bindings": [b.describe() for b in panel.evaluator.bindings],
    }
    w, h = scene.canvas.size
    panel.save_screenshot(out_png)
    report["picked"] = panel.pick((w / 2, h / 2))
    report["info"] = panel.info_label.text()
    form = panel.open_binding_form()
    report["form"] = [form.device.currentText(), form.part.text()]
    form.kind.setCurrentText("color")
    form.part.setText("shaft")
    form.channels.setText("rpm")
    form.lo.setValue(0.0)
    form.hi.setValue(3000.0)
    form._accept()
    for _ in range(20):
        app.processEvents()
        [cb() for cb in ctx.tick_callbacks]
        time.sleep(0.02)
    report["shaft_color"] = list(dv.parts["shaft"].color)
    runtime.events.emit(
        "alarm", "sim", "too hot", rule="overtemp", severity="major", state="raised", value=99.0
    )
    seen = set()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        app.processEvents()
        [cb() for cb in ctx.tick_callbacks]
        seen.add(bool(dv.parts["motor"].mesh.visible))
        time.sleep(0.02)
    report["blink"] = sorted(seen)
    img = scene.screenshot()
    report["distinct_colours"] = int(np.unique(img[..., :3].reshape(-1, 3), axis=0).shape[0])
    timer.stop()
    panel.shutdown()
    runtime.stop()
    win.close()
    print("REPORT " + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
