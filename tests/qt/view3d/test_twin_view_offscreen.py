"""On Qt's offscreen platform (no OpenGL) the twin view panel opens with a clear message."""

from __future__ import annotations

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels


def test_panel_is_registered_and_explains_missing_opengl(qtbot):
    spec = next(p for p in all_panels() if p.id == "twin-view")
    assert spec.title == "3D twin view"
    ctx = AppContext(Runtime())
    panel = spec.factory(ctx)
    qtbot.addWidget(panel)
    assert panel.scene is None
    assert "has no OpenGL" in panel.status_label.text()
    assert "QT_QPA_PLATFORM=xcb" in panel.status_label.text()
    assert ctx.tick_callbacks == []  # nothing to draw, nothing to pump
    panel.shutdown()
