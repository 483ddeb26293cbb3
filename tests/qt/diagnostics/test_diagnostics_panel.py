"""The diagnostics panel shows a streaming device's real sample rate."""

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.diagnostics_panel import DiagnosticsPanel


def _figure(panel, device, name):
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        if top.text(0) == device:
            for j in range(top.childCount()):
                if top.child(j).text(0) == name:
                    return top.child(j).text(1)
    return None


def test_samples_per_second_of_a_1khz_device(qtbot):
    rt = Runtime()
    rt.add_driver("sim", {"rate": 1000, "block_ms": 10})
    ctx = AppContext(runtime=rt)
    rt.start()
    try:
        qtbot.waitUntil(lambda: "sim" in rt.hub.devices, timeout=5000)
        panel = DiagnosticsPanel(ctx)
        qtbot.addWidget(panel)

        def rate_shown():
            for cb in ctx.tick_callbacks:
                cb()
            text = _figure(panel, "sim", "samples/s")
            assert text is not None and text != "measuring…" and float(text) > 500

        qtbot.waitUntil(rate_shown, timeout=8000)
    finally:
        rt.stop()
