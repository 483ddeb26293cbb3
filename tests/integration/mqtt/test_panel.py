"""The MQTT panel (pytest-qt) on a real broker: tree, payload view, plot a field, composer."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from twinbench.widgets.context import AppContext
from twinbench.widgets.mqtt_panel import MqttPanel


def test_panel_tree_plot_and_publish(broker, mq, qtbot):
    rt, col = mq.start({"port": broker.port, "pattern": "lab/{device}/t", "insecure": True})
    try:
        ctx = AppContext(runtime=rt)
        panel = MqttPanel(ctx)
        qtbot.addWidget(panel)
        panel.c_topic.setText("lab/p1/t")
        panel.c_payload.setPlainText(json.dumps({"env": {"x": 4.5}}))
        panel.c_qos.setValue(1)
        panel.c_send.click()
        assert mq.wait_for(lambda: len(col.column("p1", "env.x")) == 1)
        panel.refresh(force=True)
        flags = Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly
        items = panel.tree.findItems("t", flags)
        panel.tree.setCurrentItem(items[0])
        assert '"x": 4.5' in panel.payload.toPlainText()
        assert panel.fields.currentText() == "$.env.x"
        panel.plot_selected()
        rt.services["mqtt_publish"]("lab/p1/t", {"env": {"x": 5.5}}, qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: list(col.column("topic:lab/p1/t", "$.env.x")) == [5.5])
        panel.refresh(force=True)
        assert "1 topics, 0 bad messages" in panel.status.text()
        assert not panel.insecure.isHidden()
    finally:
        rt.stop()


def test_panel_shows_bad_counts_and_caps_the_tree(broker, mq, qtbot, monkeypatch):
    import twinbench.widgets.mqtt_panel as mp

    monkeypatch.setattr(mp, "MAX_SHOWN", 3)
    rt, _ = mq.start({"port": broker.port, "pattern": "lab/{device}/t"})
    try:
        panel = MqttPanel(AppContext(runtime=rt))
        qtbot.addWidget(panel)
        pub = rt.services["mqtt_publish"]
        for i in range(5):
            pub(f"lab/d{i}/t", b'{"x": ' if i == 0 else b"1", qos=1).wait_for_publish(5)
        drv = rt.drivers[0]
        assert mq.wait_for(lambda: len(drv.tree.topics) == 5)
        panel.refresh(force=True)
        assert "5 topics, 1 bad messages (showing 3" in panel.status.text()
        flags = Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly
        assert len(panel.tree.findItems("t", flags)) == 3
        leaf = panel.tree.findItems("d0", flags)[0].child(0)
        assert leaf.text(4) == "1"
        panel.tree.setCurrentItem(leaf)
        assert panel.payload.toPlainText().startswith("bad: malformed_json 1")
        panel.search.setText("d4")
        assert [i.text(0) for i in panel.tree.findItems("d4", flags)] == ["d4"]
        assert len(panel.tree.findItems("t", flags)) == 1
    finally:
        rt.stop()
