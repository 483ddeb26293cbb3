"""MQTT dock panel: topic tree (capped refresh), payload view, one-click plot, message composer."""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.mqtt.topictree import numeric_fields, render_payload
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

REFRESH_S = 0.25  # the tree is rebuilt at most 4 times a second, however busy the broker
REFRESH_BIG_S = 1.0  # ... and once a second when it shows many topics
MAX_SHOWN = 2000  # topics shown at once; the search narrows a bigger tree


class MqttPanel(FormState, QWidget):
    """Browse topics seen by the MQTT driver(s) and publish messages."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {
        "search": "search",
        "publish_topic": "c_topic",
        "publish_payload": "c_payload",
        "publish_qos": "c_qos",
        "publish_retain": "c_retain",
        "publish_properties": "c_props",
    }
    STATE_IGNORED = ("payload", "fields")  # the selected topic's payload and its fields

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._last = 0.0
        self._version = -1
        self._shown = 0
        self._bad: dict[str, dict[str, int]] = {}
        self.search = QLineEdit(placeholderText="search topics")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["topic", "messages", "rate/s", "retained", "bad"])
        self.payload = QPlainTextEdit(readOnly=True)
        self.fields = QComboBox()
        self.plot_btn = QPushButton("Plot field")
        self.status = QLabel("")
        self.insecure = QLabel("")
        self.insecure.setStyleSheet("color: white; background: #c62828; padding: 2px")
        self.insecure.hide()
        # composer
        self.c_topic = QLineEdit(placeholderText="topic")
        self.c_payload = QPlainTextEdit()
        self.c_qos = QSpinBox(minimum=0, maximum=2)
        self.c_retain = QCheckBox("retain")
        self.c_props = QLineEdit(placeholderText='MQTT 5 properties, JSON: {"ContentType": "..."}')
        self.c_send = QPushButton("Publish")
        lay = QVBoxLayout(self)
        lay.addWidget(self.insecure)
        lay.addWidget(self.search)
        split = QSplitter()
        split.addWidget(self.tree)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.payload)
        row = QHBoxLayout()
        row.addWidget(self.fields, 1)
        row.addWidget(self.plot_btn)
        rl.addLayout(row)
        split.addWidget(right)
        lay.addWidget(split, 1)
        comp = QHBoxLayout()
        comp.addWidget(self.c_topic, 2)
        comp.addWidget(QLabel("QoS"))
        comp.addWidget(self.c_qos)
        comp.addWidget(self.c_retain)
        comp.addWidget(self.c_send)
        lay.addLayout(comp)
        lay.addWidget(self.c_payload)
        lay.addWidget(self.c_props)
        lay.addWidget(self.status)
        self.c_payload.setMaximumHeight(80)
        self.tree.currentItemChanged.connect(lambda *_: self.show_selected())
        self.search.textChanged.connect(lambda *_: self.refresh(force=True))
        self.plot_btn.clicked.connect(self.plot_selected)
        self.c_send.clicked.connect(self.publish)
        ctx.on_tick(self.refresh)

    def drivers(self) -> list[Any]:
        """The MQTT drivers now open."""
        return list(self.ctx.runtime.services.get("mqtt_drivers", []))

    def refresh(self, force: bool = False) -> None:
        """Rebuild the tree from the model, at most every REFRESH_S seconds."""
        now = time.monotonic()
        period = REFRESH_BIG_S if self._shown > 500 else REFRESH_S
        if not force and now - self._last < period:
            return
        self._last = now
        drivers = self.drivers()
        self.insecure.setVisible(any(d.cfg.get("insecure") for d in drivers))
        self.insecure.setText("INSECURE: broker certificate not verified")
        trees = [d.tree for d in drivers if d.tree is not None]
        version = sum(t.version for t in trees)
        if not force and version == self._version:
            return
        self._version = version
        for t in trees:
            t.update_rates()
        current = self.tree.currentItem()
        keep = current.data(0, 256) if current is not None else None
        self._bad = {}
        for d in drivers:
            self._bad.update(d.decoder.counters.snapshot())
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        for t in trees:
            self._add(self.tree.invisibleRootItem(), t.tree(self.search.text(), MAX_SHOWN), keep)
        self.tree.setUpdatesEnabled(True)
        total = sum(len(t.topics) for t in trees)
        self._shown = min(total, MAX_SHOWN)
        bad = sum(sum(v.values()) for v in self._bad.values())
        more = f" (showing {MAX_SHOWN}: search to narrow)" if total > MAX_SHOWN else ""
        self.status.setText(f"{total} topics, {bad} bad messages{more}")

    def _add(self, parent: QTreeWidgetItem, node: Any, keep: str | None) -> None:
        for name, child in sorted(node.children.items()):
            st = child.stat
            item = QTreeWidgetItem(
                [
                    name,
                    str(child.total()),
                    f"{st.rate_hz:.1f}" if st else "",
                    "yes" if st and st.retained else "",
                    str(sum(self._bad.get(child.path, {}).values()) or ""),
                ]
            )
            item.setData(0, 256, child.path)
            parent.addChild(item)
            if child.path == keep:
                self.tree.setCurrentItem(item)
            if len(child.children) < 50:
                item.setExpanded(True)
            self._add(item, child, keep)

    def _stat(self) -> tuple[Any, Any]:
        item = self.tree.currentItem()
        if item is None:
            return None, None
        topic = item.data(0, 256)
        for d in self.drivers():
            if d.tree is not None and topic in d.tree.topics:
                return d, d.tree.topics[topic]
        return None, None

    def show_selected(self) -> None:
        """Show the selected topic's last payload (pretty JSON, text or hex) and its fields."""
        _, st = self._stat()
        self.fields.clear()
        if st is None:
            self.payload.setPlainText("")
            return
        _kind, text = render_payload(st.last_payload)
        bad = self._bad.get(st.topic)
        if bad:
            text = "bad: " + ", ".join(f"{k} {v}" for k, v in sorted(bad.items())) + "\n\n" + text
        self.payload.setPlainText(text)
        self.fields.addItems(list(numeric_fields(st.last_payload)))

    def plot_selected(self) -> None:
        """Emit the chosen numeric field of the selected topic as a channel."""
        drv, st = self._stat()
        path = self.fields.currentText()
        if drv is None or not path:
            return
        dev = drv.decoder.watch(st.topic, path)
        self.status.setText(f"plotting {path} of {st.topic} as device {dev!r}")

    def publish(self) -> None:
        """Publish the composed message through `mqtt_publish`."""
        pub = self.ctx.runtime.services.get("mqtt_publish")
        if pub is None:
            self.status.setText("no MQTT driver is connected")
            return
        try:
            props = json.loads(self.c_props.text()) if self.c_props.text().strip() else None
            pub(self.c_topic.text(), self.c_payload.toPlainText(), self.c_qos.value(),
                self.c_retain.isChecked(), props)  # fmt: skip
        except (ValueError, TypeError) as exc:
            self.status.setText(f"not published: {exc}")
            return
        self.status.setText(f"published to {self.c_topic.text()}")


PANELS = [PanelSpec("mqtt", "MQTT topics", MqttPanel, area="right")]
