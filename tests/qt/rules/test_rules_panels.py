"""The alarm panel and the rules editor, driven through their widgets."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt

from twinbench.model import Channel, Chunk, Device
from twinbench.rules import attach, parse_rules
from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels
from twinbench.widgets.rules_panels import AlarmPanel, RulesEditor

GOOD = '[[rule]]\nname = "hot"\nseverity = "critical"\ncondition = "temperature > 80"\n'


def make_ctx() -> AppContext:
    rt = Runtime()
    rt.hub.declare(Device("rig", "test", (Channel("temperature"), Channel("rpm"))))
    return AppContext(runtime=rt)


def chunk(t0: int, temps: list[float]) -> Chunk:
    t = (np.arange(t0, t0 + len(temps)) * 1_000_000_000).astype(np.int64)
    vals = np.column_stack([temps, np.zeros(len(temps))])
    return Chunk("rig", ("temperature", "rpm"), t, vals)


def tick(ctx: AppContext) -> None:
    for cb in ctx.tick_callbacks:
        cb()


def test_panels_are_registered() -> None:
    ids = {p.id for p in all_panels()}
    assert {"alarms", "rules-editor"} <= ids


def test_editor_validates_as_you_type(qtbot) -> None:
    ctx = make_ctx()
    ed = RulesEditor(ctx)
    qtbot.addWidget(ed)
    ed.editor.setPlainText('[[rule]]\nname = "hot"\ncondition = "temprature > 80"\n')
    qtbot.waitUntil(lambda: "unknown channel" in ed.status.text(), timeout=3000)
    assert "closest: temperature" in ed.status.text() and "editor:3" in ed.status.text()
    assert ed.editor.extraSelections()  # the bad line is marked
    ed.editor.setPlainText(GOOD)
    qtbot.waitUntil(lambda: "ok: 1 rule" in ed.status.text(), timeout=3000)
    assert not ed.editor.extraSelections()


def test_dry_run_over_recent_data(qtbot) -> None:
    ctx = make_ctx()
    ed = RulesEditor(ctx)
    qtbot.addWidget(ed)
    ctx.runtime.hub.publish(chunk(0, [20, 30, 90, 95]))
    ctx.runtime.hub.publish(chunk(4, [70, 60]))
    tick(ctx)
    assert len(ed.recent) == 2
    ed.editor.setPlainText(GOOD)
    qtbot.mouseClick(ed.dry_button, Qt.MouseButton.LeftButton)
    lines = [ed.results.item(i).text() for i in range(ed.results.count())]
    assert "raised" in lines[0] and "critical" in lines[0] and "rig" in lines[0]
    assert "cleared" in lines[1]
    assert lines[-1].startswith("-- 2 change(s) over 6 samples")


def test_apply_then_acknowledge_and_shelve(qtbot) -> None:
    ctx = make_ctx()
    ed = RulesEditor(ctx)
    panel = AlarmPanel(ctx)
    qtbot.addWidget(ed)
    qtbot.addWidget(panel)
    ed.editor.setPlainText(GOOD)
    qtbot.mouseClick(ed.apply_button, Qt.MouseButton.LeftButton)
    handle = ctx.services["rules"]
    try:
        handle.engine.process([chunk(0, [20, 90, 95])])  # synchronous: the runtime is not started
        tick(ctx)
        assert panel.model.rowCount() == 1
        assert "unacknowledged" in panel.model.item(0, 3).text()
        assert "rig: raised" in panel.notice.text()  # critical alarms are announced
        panel.view.selectionModel().select(
            panel.proxy.index(0, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
        assert panel.model.item(0, 3).text() == "active"
        panel.shelve_minutes.setValue(5)
        panel.view.selectionModel().select(
            panel.proxy.index(0, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(panel.shelve_button, Qt.MouseButton.LeftButton)
        assert "shelved" in panel.model.item(0, 3).text()
        states = [r.state for r in handle.book.history]
        assert states == ["raised", "acked", "shelved"]
        # filter and severity threshold
        panel.filter.setText("nothing-matches")
        assert panel.proxy.rowCount() == 0
        panel.filter.setText("hot")
        assert panel.proxy.rowCount() == 1
    finally:
        handle.close()


def test_alarm_panel_sorts_by_severity(qtbot) -> None:
    ctx = make_ctx()
    rules = parse_rules(
        GOOD + '[[rule]]\nname = "warm"\nseverity = "info"\ncondition = "temperature > 50"\n',
        "t.toml",
    )
    handle = attach(ctx.runtime, rules)
    ctx.services["rules"] = handle
    panel = AlarmPanel(ctx)
    qtbot.addWidget(panel)
    try:
        handle.engine.process([chunk(0, [20, 90])])
        tick(ctx)
        panel.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        assert [panel.proxy.index(r, 1).data() for r in range(2)] == ["warm", "hot"]
        panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        assert [panel.proxy.index(r, 1).data() for r in range(2)] == ["hot", "warm"]
        panel.min_severity.setCurrentIndex(3)  # critical only
        assert panel.model.rowCount() == 1
        jumps = []

        class Window:  # the main window's hook, as the lead wires it
            def jump_to(self, device: str, t_ns: int) -> None:
                jumps.append((device, t_ns))

        ctx.window = Window()
        panel.jump(panel.proxy.index(0, 2))
        assert jumps == [("rig", 1_000_000_000)]
    finally:
        handle.close()
