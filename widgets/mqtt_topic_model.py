"""The MQTT topic tree as a Qt item model: rows built in bounded slices, figures off-thread.

The feeder thread takes the topics that are new in each driver's `TopicTree`, sorts them and
queues them; it also recomputes the per-subtree message totals, rates and bad counts, swapping
in whole dicts. The GUI thread only turns queued topics into rows, a time-boxed slice per tick
(one `beginInsertRows` per parent per slice), so 100,000 topics never freeze the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

COLUMNS = ("topic", "messages", "rate/s", "retained", "bad", "sent here")
PATH_ROLE = Qt.ItemDataRole.UserRole
SLICE_S = 0.006  # GUI time spent building rows per tick
BACKLOG_SLICE_S = 0.010  # ... while more than BACKLOG topics wait (a fresh `#` on a big broker)
BACKLOG = 20_000
FEED_S = 0.25  # how often the feeder looks for new topics
FIGURES_S = 1.0  # how often it recomputes totals and rates (2x that above 20,000 topics)

Index = QModelIndex | QPersistentModelIndex


class Node:
    """One level of a topic: its children in row order, the stat when a topic ends here."""

    __slots__ = ("attached", "children", "index", "name", "parent", "path", "row", "stat")

    def __init__(self, name: str, path: str, parent: Node | None) -> None:
        self.name = name
        self.path = path
        self.parent = parent
        self.children: list[Node] = []
        self.index: dict[str, Node] = {}
        self.row = 0
        self.stat: Any = None
        self.attached = parent is None  # in the model (the view may ask for it)


class TopicModel(QAbstractItemModel):
    """Topics split on '/' into a tree; columns read the live stats and the feeder's figures."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("", "", None)
        self.pending: deque[Any] = deque()  # TopicStats queued by the feeder
        self.totals: dict[str, int] = {}
        self.bad: dict[str, int] = {}
        self.own: frozenset[str] = frozenset()
        self.rows = 0  # nodes in the model
        self.topics_shown = 0  # nodes that are topics (counted as they are built)

    # -- building (GUI thread) -------------------------------------------------------------
    def apply(self, budget_s: float | None = None) -> int:
        """Turn queued topics into rows for at most `budget_s`; returns the topics taken."""
        pending = self.pending
        if not pending:
            return 0
        if budget_s is None:
            budget_s = BACKLOG_SLICE_S if len(pending) > BACKLOG else SLICE_S
        deadline = time.perf_counter() + budget_s
        groups: dict[Node, list[Node]] = {}
        n = 0
        while pending:
            st = pending.popleft()
            node = self.root
            for part in st.topic.split("/"):
                child = node.index.get(part)
                if child is None:
                    path = f"{node.path}/{part}" if node is not self.root else part
                    child = node.index[part] = Node(part, path, node)
                    if node.attached:
                        groups.setdefault(node, []).append(child)
                    else:  # not in the model yet: grows silently, shown with its parent
                        child.row = len(node.children)
                        node.children.append(child)
                node = child
            if node.stat is None:
                self.topics_shown += 1
            node.stat = st
            n += 1
            if not n % 128 and time.perf_counter() > deadline:
                break
        for parent, kids in groups.items():
            kids.sort(key=lambda k: k.name)
            first = len(parent.children)
            self.beginInsertRows(self._index(parent), first, first + len(kids) - 1)
            for i, k in enumerate(kids):
                k.row = first + i
            parent.children.extend(kids)
            for k in kids:
                self.rows += _attach(k)
            self.endInsertRows()
        return n

    def remove(self, path: str) -> int:
        """Take a topic subtree out of the model; returns the rows removed."""
        node = self.find(path)
        if node is None or node.parent is None:
            return 0
        parent = node.parent
        self.beginRemoveRows(self._index(parent), node.row, node.row)
        del parent.children[node.row]
        del parent.index[node.name]
        for i in range(node.row, len(parent.children)):
            parent.children[i].row = i
        self.endRemoveRows()
        gone = _count(node)
        self.rows -= gone
        return gone

    def find(self, path: str) -> Node | None:
        """The node of a topic path (None when not in the model)."""
        node = self.root
        for part in path.split("/"):
            node = node.index.get(part)  # type: ignore[assignment]
            if node is None or not node.attached:
                return None
        return node

    def index_of(self, path: str) -> QModelIndex:
        """The model index of a topic path (invalid when not shown)."""
        node = self.find(path)
        return QModelIndex() if node is None else self._index(node)

    def _index(self, node: Node) -> QModelIndex:
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    # -- QAbstractItemModel -----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """The index of a child row."""
        node = parent.internalPointer() if parent.isValid() else self.root
        if 0 <= row < len(node.children) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """The parent of an index."""
        if not index.isValid():
            return QModelIndex()
        return self._index(index.internalPointer().parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Children of a row."""
        if parent.isValid() and parent.column() > 0:
            return 0
        node = parent.internalPointer() if parent.isValid() else self.root
        return len(node.children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Topic and figures."""
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        """Name, message total, rate, retained flag, bad count, sent-by-this-app flag."""
        if not index.isValid():
            return None
        node: Node = index.internalPointer()
        if role == PATH_ROLE:
            return node.path
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        st = node.stat
        if col == 0:
            return node.name
        if col == 1:
            total = self.totals.get(node.path)
            return str(total if total is not None else (st.count if st else ""))
        if col == 2:
            return f"{st.rate_hz:.1f}" if st else ""
        if col == 3:
            return "yes" if st and st.retained else ""
        if col == 4:
            return str(self.bad.get(node.path) or "")
        return "yes" if node.path in self.own else ""


def _attach(node: Node) -> int:
    """Mark a node and everything below it as in the model; returns how many."""
    n, stack = 0, [node]
    while stack:
        x = stack.pop()
        x.attached = True
        n += 1
        stack.extend(x.children)
    return n


def _count(node: Node) -> int:
    n, stack = 0, [node]
    while stack:
        x = stack.pop()
        n += 1
        stack.extend(x.children)
    return n


class TreeFeeder:
    """One thread per panel: queues new topics and prepares totals, rates and bad counts."""

    def __init__(self, model: TopicModel, drivers: Callable[[], list[Any]]) -> None:
        self.model = model
        self.drivers = drivers
        self._seen: dict[int, tuple[int, int]] = {}  # id(tree) -> (epoch, topics taken)
        self._stop = threading.Event()
        self._figures_at = 0.0
        self.topics = 0
        self.passes = 0
        self.errors = 0
        self.thread = threading.Thread(target=self._run, name="twinbench-mqtt-tree", daemon=True)

    def start(self) -> None:
        """Start feeding."""
        self.thread.start()

    def is_alive(self) -> bool:
        """Whether the thread runs (the runtime asks, as of its consumer threads)."""
        return self.thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (also called by `Runtime.stop`)."""
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(FEED_S):
            try:
                self.step()
            except RuntimeError:  # a dict resized under us: the next pass sees it whole
                self.errors += 1

    def step(self, now: float | None = None, force_figures: bool = False) -> None:
        """One pass: queue new topics; every FIGURES_S (or when forced) recompute the figures."""
        now = time.monotonic() if now is None else now
        drivers = self.drivers()
        trees = [d.tree for d in drivers if getattr(d, "tree", None) is not None]
        for tree in trees:
            epoch, taken = self._seen.get(id(tree), (-1, 0))
            if epoch != tree.epoch:
                taken = 0  # topics were removed: offer all again (rows already shown stay)
            new = tree.new_since(taken)
            self._seen[id(tree)] = (tree.epoch, taken + len(new))
            if new:
                new.sort(key=lambda s: s.topic)
                self.model.pending.extend(new)
        self.topics = sum(len(t.topics) for t in trees)
        period = FIGURES_S if self.topics < 20_000 else 2 * FIGURES_S
        if force_figures or now - self._figures_at >= period:
            self._figures_at = now
            self.figures(drivers, trees, now)
        self.passes += 1

    def figures(self, drivers: list[Any], trees: list[Any], now: float) -> None:
        """Totals per subtree, rates, bad counts and own-publish topics, swapped in whole."""
        totals: dict[str, int] = {}
        get = totals.get
        for tree in trees:
            tree.update_rates(now)
            for st in tree.new_since(0):
                p, n = st.topic, st.count
                while True:
                    totals[p] = get(p, 0) + n
                    i = p.rfind("/")
                    if i < 0:
                        break
                    p = p[:i]
        bad: dict[str, int] = {}
        own: set[str] = set()
        for d in drivers:
            # list(...) copies in one step under the GIL: the decode thread keeps adding
            for topic, kinds in list(d.decoder.counters.bad.items()):
                bad[topic] = bad.get(topic, 0) + sum(list(kinds.values()))
            own.update(list(getattr(d, "own_topics", ())))
        self.model.totals = totals
        self.model.bad = bad
        self.model.own = frozenset(own)
