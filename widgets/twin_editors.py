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
            spin.setRange(*_INT_LIMITS[kind])  # the model's range is checked, never clamped to
            self.widget = spin
        elif self.schema.numeric and kind not in _WIDE_INTS:
            dspin = QDoubleSpinBox()
            dspin.setDecimals(3)
            dspin.setRange(-1e12, 1e12)
            self.widget = dspin
        else:
            edit = QLineEdit()
            if kind in ("Object", "Map", "Array") or kind in _WIDE_INTS:
                edit.setPlaceholderText("JSON value")
            self.widget = edit
        self.range = rng

    def range_text(self) -> str:
        """The model's range as shown next to the editor ('' when it has none)."""
        return "" if self.range is None else f"{self.range[0]:g} … {self.range[1]:g}"

    def error(self) -> str:
        """Why the edited value cannot be sent ('' when it can)."""
        try:
            self.value()
        except ValueError as exc:
            return str(exc)
        return ""

    def on_change(self, callback: Any) -> None:
        """Call `callback()` whenever the edited value changes."""
        w = self.widget
        if isinstance(w, QCheckBox):
            w.toggled.connect(lambda *_: callback())
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda *_: callback())
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.valueChanged.connect(lambda *_: callback())
        elif isinstance(w, QLineEdit):
            w.textChanged.connect(lambda *_: callback())

    def value(self) -> Any:
        """The edited value, typed by the schema; ValueError when out of range or badly typed."""
        value = self._raw()
        if (
            self.range is not None
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and not (self.range[0] <= value <= self.range[1])
        ):
            raise ValueError(f"{value:g} is outside the model's range {self.range_text()}")
        if self.schema.kind in ("Object", "Map", "Array") or self.schema.kind in _WIDE_INTS:
            err = self.schema.check(value, "value") if value is not None else None
            if err:
                raise ValueError(err)
        return value

    def _raw(self) -> Any:
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
            try:
                return json.loads(text) if text else None
            except json.JSONDecodeError as exc:
                raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
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
