"""MQTT dock panel: connection profiles, topic tree (model/view), topic details, composer.

The tree is a `TopicModel` fed by one `TreeFeeder` thread; the GUI tick only builds rows in a
time-boxed slice and repaints the visible ones, so `#` on a busy broker does not freeze the window.
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from twinbench.errors import TwinBenchError
from twinbench.mqtt.rules import channel_for_path
from twinbench.widgets.context import AppContext
from twinbench.widgets.mqtt_connection import ConnectionBox
from twinbench.widgets.mqtt_details import TopicDetails
from twinbench.widgets.mqtt_topic_model import PATH_ROLE, TopicModel, TreeFeeder
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

REFRESH_S = 0.25  # figures and the selected topic are redrawn at most 4 times a second
EXPAND_BELOW = 20  # top-level rows are expanded while there are fewer than this


class MqttPanel(FormState, QWidget):
    """Browse topics seen by the MQTT driver(s), inspect their history and publish."""

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
        self._shown_count = -1
        self.closed = False
        self.model = TopicModel()
        self.feeder = TreeFeeder(self.model, self.drivers)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterRole(PATH_ROLE)
        self.insecure = QLabel("INSECURE: broker certificate not verified")
        self.insecure.setStyleSheet("color: white; background: #c62828; padding: 2px")
        self.insecure.hide()
        self.connection = ConnectionBox(ctx.runtime, ctx.services.get("mqtt_profiles_path"))
        self.connection.setChecked(not self.drivers())
        self.search = QLineEdit(placeholderText="search topics")
        self.view = QTreeView()
        self.view.setUniformRowHeights(True)
        self.view.setModel(self.model)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.view.setColumnWidth(0, 220)
        self.details = TopicDetails()
        self.plot_btn = QPushButton("Plot field")
        self.plot_btn.setToolTip(
            "plot the chosen numeric field (the device's channel if it is one)"
        )
        self.clear_btn = QPushButton("Clear retained")
        self.clear_btn.setToolTip("publish an empty retained message: the broker forgets it")
        self.delete_btn = QPushButton("Delete from view")
        self.delete_btn.setToolTip("hide this topic and everything below until they send again")
        self.make_btn = QPushButton("Make device")
        self.make_btn.setToolTip("make this topic subtree one device (from now on)")
        self.make_each_btn = QPushButton("Device per child")
        self.make_each_btn.setToolTip("make each child of this subtree a device (from now on)")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        # composer
        self.c_topic = QLineEdit(placeholderText="topic")
        self.c_payload = QPlainTextEdit()
        self.c_qos = QSpinBox(minimum=0, maximum=2)
        self.c_retain = QCheckBox("retain")
        self.c_props = QLineEdit(placeholderText='MQTT 5 properties, JSON: {"ContentType": "..."}')
        self.c_send = QPushButton("Publish")
        self._layout()
        self.view.selectionModel().currentChanged.connect(lambda *_: self.show_selected())
        self.search.textChanged.connect(self._search)
        self.plot_btn.clicked.connect(self.plot_selected)
        self.clear_btn.clicked.connect(self.clear_retained)
        self.delete_btn.clicked.connect(self.delete_selected)
        self.make_btn.clicked.connect(lambda: self.make_device(False))
        self.make_each_btn.clicked.connect(lambda: self.make_device(True))
        self.c_send.clicked.connect(self.publish)
        self.feeder.start()
        workers = getattr(ctx.runtime, "workers", None)
        if isinstance(workers, list):
            workers.append(self.feeder)  # runtime.stop() stops it with the consumers
        ctx.on_tick(self.refresh)

    def _layout(self) -> None:
        lay = QVBoxLayout(self)
        lay.addWidget(self.insecure)
        lay.addWidget(self.connection)
        lay.addWidget(self.search)
        split = QSplitter()
        split.addWidget(self.view)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.details, 1)
        for row_widgets in ((self.plot_btn, self.clear_btn, self.delete_btn),
                            (self.make_btn, self.make_each_btn)):  # fmt: skip
            row = QHBoxLayout()
            for w in row_widgets:
                row.addWidget(w)
            rl.addLayout(row)
        split.addWidget(right)
        split.setSizes([360, 360])
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
        self.c_payload.setMaximumHeight(60)

    def drivers(self) -> list[Any]:
        """The MQTT drivers now open."""
        return list(self.ctx.runtime.services.get("mqtt_drivers", []))

    # -- tick ------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Build queued rows (a bounded slice) and, a few times a second, redraw the figures."""
        if self.closed:
            return
        if force:  # now, figures included (tests, search, the user's refresh)
            self.feeder.step(force_figures=True)
            while self.model.pending:
                self.model.apply(1.0)
        elif self.model.apply():
            self._expand_top()
        self.connection.poll()
        now = time.monotonic()
        if not force and now - self._last < REFRESH_S:
            return
        self._last = now
        if force:
            self._expand_top()
        drivers = self.drivers()
        self.insecure.setVisible(any(d.cfg.get("insecure") for d in drivers))
        self.view.viewport().update()
        self.show_selected(quiet=True)
        total = sum(len(d.tree.topics) for d in drivers if d.tree is not None)
        bad = sum(self.model.bad.values())
        bits = [f"{total} topics", f"{bad} bad messages"]
        if self.model.pending:
            bits.append(f"{len(self.model.pending)} still to show")
        refused = sum(d.decoder.cap.refused_devices for d in drivers)
        if refused:
            cap = drivers[0].decoder.cap.limit
            bits.append(f"{refused} devices refused (cap {cap} per connection)")
        if drivers and not any(d.decoder.rules for d in drivers):
            bits.append("no device pattern: topics only (Make device, or set a pattern)")
        self.status.setText(", ".join(bits))

    def _expand_top(self) -> None:
        root = self.model.root
        if len(root.children) < EXPAND_BELOW:
            for child in root.children:
                idx = self._view_index(self.model.index(child.row, 0))
                if idx.isValid() and not self.view.isExpanded(idx):
                    self.view.expand(idx)

    def _view_index(self, src: QModelIndex) -> QModelIndex:
        return self.proxy.mapFromSource(src) if self.view.model() is self.proxy else src

    def _search(self, text: str) -> None:
        if text:
            self.proxy.setFilterFixedString(text)
            if self.view.model() is not self.proxy:
                self.view.setModel(self.proxy)
                self.view.selectionModel().currentChanged.connect(lambda *_: self.show_selected())
            self.view.expandAll()
        elif self.view.model() is not self.model:
            self.view.setModel(self.model)
            self.view.selectionModel().currentChanged.connect(lambda *_: self.show_selected())
            self._expand_top()

    # -- selection -------------------------------------------------------------------------
    def select(self, topic: str) -> bool:
        """Select a topic path in the view (True when it is shown)."""
        idx = self._view_index(self.model.index_of(topic))
        if not idx.isValid():
            return False
        self.view.scrollTo(idx)
        self.view.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def selected_path(self) -> str:
        """The topic path of the selected row ('' when none)."""
        idx = self.view.currentIndex()
        return str(idx.data(PATH_ROLE) or "") if idx.isValid() else ""

    def _stat(self) -> tuple[Any, Any]:
        topic = self.selected_path()
        for d in self.drivers():
            if d.tree is not None and topic in d.tree.topics:
                return d, d.tree.topics[topic]
        return None, None

    def show_selected(self, quiet: bool = False) -> None:
        """Show the selected topic in the details pane (its history starts when first selected)."""
        drv, st = self._stat()
        topic = self.selected_path()
        if quiet and (st is None or (topic, st.count) == self._shown_count):
            return
        self._shown_count = (topic, st.count) if st is not None else -1
        msgs = []
        if drv is not None:
            msgs = drv.tree.messages(topic) if quiet else drv.tree.watch(topic)
        bad = drv.decoder.counters.bad.get(topic, {}) if drv is not None else {}
        self.details.show_topic(topic, st, msgs, bad)

    # -- actions ---------------------------------------------------------------------------
    def plot_selected(self) -> str:
        """Plot the chosen field: the device channel when the topic is a device, else a new one."""
        drv, st = self._stat()
        path = self.details.fields.currentText()
        if drv is None or not path:
            return ""
        hit = drv.decoder.route(st.topic)
        hub = self.ctx.runtime.hub
        if hit is not None:
            rule, dev = hit
            ch = channel_for_path(rule, path)
            dst = hub.devices.get(dev)
            if ch and dst is not None and ch in dst.device.channel_names:
                plot = getattr(self.ctx.window, "plot", None)
                if plot is not None:
                    plot.set_channel_visible(dev, ch, True)
                self.status.setText(f"{st.topic} is device {dev!r}: plotting its channel {ch!r}")
                return f"{dev}/{ch}"
        dev = drv.decoder.watch(st.topic, path)
        self.status.setText(f"plotting {path} of {st.topic} as device {dev!r}")
        return f"{dev}/{path}"

    def clear_retained(self) -> None:
        """Publish an empty retained message to the selected topic (the broker forgets it)."""
        drv, st = self._stat()
        if drv is None:
            self.status.setText("select a topic first")
            return
        drv.publish(st.topic, b"", qos=1, retain=True)
        self.status.setText(f"cleared the retained message of {st.topic}")

    def delete_selected(self) -> int:
        """Remove the selected subtree from the view (topics come back when they send again)."""
        path = self.selected_path()
        if not path:
            return 0
        for d in self.drivers():
            if d.tree is not None:
                d.tree.remove(path)
        n = self.model.remove(path)
        self.details.show_topic("", None, [], {})
        self.status.setText(f"removed {path} ({n} rows) from the view")
        return n

    def make_device(self, per_child: bool) -> str:
        """Make the selected subtree a device (or each of its children) from now on."""
        path = self.selected_path()
        drivers = self.drivers()
        if not path or not drivers:
            return ""
        drv = self._stat()[0] or drivers[0]
        try:
            pattern = drv.make_device(path, per_child)
        except TwinBenchError as exc:  # a topic that cannot be a pattern
            self.status.setText(f"cannot make a device of {path}: {exc}")
            return ""
        self.status.setText(
            f"devices from pattern {pattern!r} from now on "
            "(add it to a profile or the pattern setting to keep it)"
        )
        return pattern

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

    # -- shutdown --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the feeder thread and the tick callback."""
        if self.closed:
            return
        self.closed = True
        self.ctx.off_tick(self.refresh)
        self.feeder.stop()
        workers = getattr(self.ctx.runtime, "workers", None)
        if isinstance(workers, list) and self.feeder in workers:
            workers.remove(self.feeder)

    def closeEvent(self, event: Any) -> None:
        """Release the feeder thread with the widget."""
        self.shutdown()
        super().closeEvent(event)


PANELS = [PanelSpec("mqtt", "MQTT topics", MqttPanel, area="right")]
