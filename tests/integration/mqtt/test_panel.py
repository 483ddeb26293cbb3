"""The MQTT panel (pytest-qt) on a real broker: tree, details, plot a field, history, diff,
clear retained, delete from view, make device, composer."""

from __future__ import annotations

import json

import pytest

from twinbench.widgets.context import AppContext
from twinbench.widgets.mqtt_panel import MqttPanel


@pytest.fixture
def panel_on(mq, qtbot, tmp_path):
    """Start a runtime with the mqtt driver and open the panel on it."""
    made = []

    def start(settings):
        rt, col = mq.start(settings)
        made.append(rt)
        ctx = AppContext(runtime=rt, services={"mqtt_profiles_path": tmp_path / "conn.toml"})
        panel = MqttPanel(ctx)
        qtbot.addWidget(panel)
        made.append(panel)
        return rt, col, panel

    yield start
    for x in reversed(made):
        (x.shutdown if isinstance(x, MqttPanel) else x.stop)()


def shown(panel, topic, mq):
    """Wait until the panel's tree shows `topic`, then select it."""
    drv = panel.drivers()[0]
    assert mq.wait_for(lambda: topic in drv.tree.topics)
    panel.refresh(force=True)
    assert panel.select(topic)


def test_panel_tree_plot_and_publish(broker, mq, panel_on):
    rt, col, panel = panel_on({"port": broker.port, "pattern": "lab/{device}/t", "insecure": True})
    panel.c_topic.setText("lab/p1/t")
    panel.c_payload.setPlainText(json.dumps({"env": {"x": 4.5}}))
    panel.c_qos.setValue(1)
    panel.c_send.click()
    assert mq.wait_for(lambda: len(col.column("p1", "env.x")) == 1)
    shown(panel, "lab/p1/t", mq)
    assert '"x": 4.5' in panel.details.payload.toPlainText()
    assert panel.details.fields.currentText() == "$.env.x"
    # the topic is device p1 already: "Plot field" shows its channel, never a second device
    assert panel.plot_selected() == "p1/env.x"
    rt.services["mqtt_publish"]("lab/p1/t", {"env": {"x": 5.5}}, qos=1).wait_for_publish(5)
    assert mq.wait_for(lambda: list(col.column("p1", "env.x")) == [4.5, 5.5])
    assert sorted(rt.hub.devices) == ["p1"]
    panel.refresh(force=True)
    assert panel.status.text().startswith("1 topics, 0 bad messages")
    assert not panel.insecure.isHidden()


def test_bad_counts_search_and_own_publishes_without_a_pattern(broker, mq, panel_on):
    rt, col, panel = panel_on({"port": broker.port, "topics": "#"})
    pub = rt.services["mqtt_publish"]
    for i in range(5):
        pub(f"lab/d{i}/t", b'{"x": ' if i == 0 else b'{"x": 1}', qos=1).wait_for_publish(5)
    drv = panel.drivers()[0]
    assert mq.wait_for(lambda: len(drv.tree.topics) == 5)
    panel.refresh(force=True)
    # the app's own publishes are in the tree, flagged, and made no device
    assert rt.hub.devices == {} and col.devices() == set()
    assert "no device pattern" in panel.status.text()
    m = panel.model
    leaf = m.index_of("lab/d1/t")
    assert m.data(leaf.siblingAtColumn(5)) == "yes"
    assert m.data(m.index_of("lab").siblingAtColumn(1)) == "5"
    panel.search.setText("d4")
    proxy = panel.view.model()
    assert proxy is panel.proxy
    lab = proxy.index(0, 0)
    assert proxy.rowCount(lab) == 1 and proxy.index(0, 0, lab).data() == "d4"
    panel.search.setText("")
    # "Plot field" on a topic that is no device makes one device, once
    assert panel.select("lab/d2/t")
    assert panel.plot_selected() == "topic:lab/d2/t/$.x"
    assert panel.plot_selected() == "topic:lab/d2/t/$.x"
    pub("lab/d2/t", b'{"x": 7}', qos=1).wait_for_publish(5)
    assert mq.wait_for(lambda: list(col.column("topic:lab/d2/t", "$.x")) == [7.0])
    assert sorted(rt.hub.devices) == ["topic:lab/d2/t"]


def test_history_diff_and_value_plot(broker, mq, panel_on):
    _, _, panel = panel_on({"port": broker.port, "topics": "h/#", "qos": 1})
    c = mq.publisher(broker.port)
    try:
        c.publish("h/a", json.dumps({"v": 1, "s": "x"}), qos=1).wait_for_publish(5)
        shown(panel, "h/a", mq)  # selecting a topic starts its history (with the last message)
        for v in (2, 3):
            c.publish("h/a", json.dumps({"v": v, "s": "x"}), qos=1).wait_for_publish(5)
        drv = panel.drivers()[0]
        assert mq.wait_for(lambda: drv.tree.topics["h/a"].count == 3)
        panel.refresh(force=True)
    finally:
        mq.close(c)
    h = panel.details.history
    assert h.rowCount() == 3
    assert [h.item(r, 1).text() for r in range(3)] == ["1", "1", "1"]  # QoS
    assert '"v":3' in h.item(0, 4).text().replace(" ", "")  # newest first
    diff = panel.details.diff.toPlainText()
    assert '-  "v": 2,' in diff and '+  "v": 3,' in diff
    h.selectRow(2)  # the first message has no predecessor
    assert panel.details.diff.toPlainText() == "(only one message so far)"
    h.selectRow(1)
    assert '-  "v": 1,' in panel.details.diff.toPlainText()
    panel.details.fields.setCurrentText("$.v")
    _, y = panel.details.values_curve.getData()
    assert list(y) == [1.0, 2.0, 3.0]


def test_clear_retained_and_delete_from_view(broker, mq, panel_on):
    c = mq.publisher(broker.port)
    c.publish("r/a/1", b"41", qos=1, retain=True).wait_for_publish(5)
    c.publish("r/b", b"1", qos=1, retain=True).wait_for_publish(5)
    mq.close(c)
    rt, _, panel = panel_on({"port": broker.port, "topics": "r/#"})
    shown(panel, "r/a/1", mq)
    assert panel.model.data(panel.model.index_of("r/a/1").siblingAtColumn(3)) == "yes"
    panel.clear_retained()
    drv = panel.drivers()[0]
    assert mq.wait_for(lambda: drv.tree.topics["r/a/1"].last_payload == b"")
    # a fresh subscriber gets r/b retained but no longer r/a/1
    got = []
    sub = mq.publisher(broker.port)
    sub.on_message = lambda cl, u, msg: got.append(msg.topic)
    sub.subscribe("r/#", qos=1)
    assert mq.wait_for(lambda: "r/b" in got)
    sub.publish("r/end", b"", qos=1).wait_for_publish(5)  # after the retained ones
    assert mq.wait_for(lambda: "r/end" in got)
    mq.close(sub)
    assert "r/a/1" not in got
    # delete a subtree from the view: gone until it sends again
    assert panel.select("r/a")
    assert panel.delete_selected() == 2
    assert panel.model.find("r/a") is None and "r/a/1" not in drv.tree.topics
    rt.services["mqtt_publish"]("r/a/2", b"5", qos=1).wait_for_publish(5)
    shown(panel, "r/a/2", mq)
    assert panel.model.find("r/a/1") is None


def test_make_device_on_a_subtree(broker, mq, panel_on):
    rt, col, panel = panel_on({"port": broker.port, "topics": "plant/#"})
    pub = rt.services["mqtt_publish"]
    pub("plant/a/temp", b"20", qos=1).wait_for_publish(5)
    shown(panel, "plant/a/temp", mq)
    assert rt.hub.devices == {}
    assert panel.select("plant")
    assert panel.make_device(per_child=True) == "plant/{device}/#"
    for dev in ("a", "b"):
        pub(f"plant/{dev}/temp", b"21", qos=1).wait_for_publish(5)
    assert mq.wait_for(lambda: col.devices() == {"a", "b"})
