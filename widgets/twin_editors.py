"""Typed, range-checked editors generated from DTDL schemas (writable properties, requests)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from twinbench.dtdl import Schema

_INT_LIMITS = {
    "integer": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedByte": (0, 255),
    "unsignedShort": (0, 65535),
}
_WIDE_INTS = {"long", "unsignedInteger", "unsignedLong"}


class ValueEditor:
    """Wraps the widget that edits one value of a schema; `value()` returns it typed."""

    def __init__(self, schema: Schema | None, rng: tuple[float, float] | None = None) -> None:
        self.schema = schema or Schema("string")
        kind = self.schema.kind
        self.widget: QWidget
        if kind == "boolean":
            self.widget = QCheckBox()
        elif kind == "Enum":
            box = QComboBox()
            for name, val in self.schema.enum:
                box.addItem(str(name), val)
            self.widget = box
        elif kind in _INT_LIMITS:
            spin = QSpinBox()
            lo, hi = _INT_LIMITS[kind]
            if rng is not None:
                lo, hi = max(lo, int(rng[0])), min(hi, int(rng[1]))
            spin.setRange(lo, hi)
            self.widget = spin
        elif self.schema.numeric and kind not in _WIDE_INTS:
            dspin = QDoubleSpinBox()
            dspin.setDecimals(3)
            lo, hi = rng if rng is not None else (-1e12, 1e12)
            dspin.setRange(lo, hi)
            self.widget = dspin
        else:
            edit = QLineEdit()
            if kind in ("Object", "Map", "Array") or kind in _WIDE_INTS:
                edit.setPlaceholderText("JSON value")
            self.widget = edit
        self.range = rng

    def value(self) -> Any:
        """The edited value, typed by the schema (raises ValueError on bad JSON)."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox):
            return int(w.value())
        if isinstance(w, QDoubleSpinBox):
            return float(w.value())
        assert isinstance(w, QLineEdit)
        text = w.text().strip()
        if self.schema.kind in ("Object", "Map", "Array") or self.schema.kind in _WIDE_INTS:
            return json.loads(text) if text else None
        return text

    def set_value(self, value: Any) -> None:
        """Show a value (from the twin) in the editor."""
        w = self.widget
        if value is None:
            return
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            i = w.findData(value)
            if i >= 0:
                w.setCurrentIndex(i)
        elif isinstance(w, QSpinBox) and isinstance(value, int | float):
            w.setValue(int(value))
        elif isinstance(w, QDoubleSpinBox) and isinstance(value, int | float):
            w.setValue(float(value))
        elif isinstance(w, QLineEdit):
            w.setText(value if isinstance(value, str) else json.dumps(value))
