"""FFT / spectrum and spectrogram (waterfall) panels."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from twinbench.analysis.spectrum import WINDOWS, Spectrum, amplitude_spectrum
from twinbench.widgets.channel_pick import DynamicDefault
from twinbench.widgets.context import AppContext
from twinbench.widgets.offthread import jobs_of
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.tap_panel import TapPanel

SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768]


class SpectrumPanel(DynamicDefault, TapPanel):
    """Amplitude spectrum of one channel: window function, size, averaging, peak readout."""

    # size, window and averages are saved by workspace_config()
    STATE_IGNORED = (*TapPanel.STATE_IGNORED, "size_box", "window_box", "avg_box")

    capacity = 32768 * 8

    def __init__(self, ctx: AppContext) -> None:
        self.size_box = QComboBox()
        self.window_box = QComboBox()
        self.avg_box = QSpinBox()
        super().__init__(ctx)
        self.size_box.addItems([str(s) for s in SIZES])
        self.size_box.setCurrentText("8192")
        self.window_box.addItems(list(WINDOWS))
        self.window_box.setCurrentText("hann")
        self.avg_box.setRange(1, 8)
        for label, w in (("N", self.size_box), ("Window", self.window_box), ("Avg", self.avg_box)):
            self.controls.addWidget(QLabel(label))
            self.controls.addWidget(w)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "frequency", "Hz")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#2a9df4", width=1))
        self.layout_.addWidget(self.plot, 1)
        self.layout_.addWidget(self.readout)
        self.spectrum: Spectrum | None = None

    def refresh(self) -> None:
        """Queue the spectrum of the latest samples (worker thread); draw the last one done."""
        assert self.tap is not None
        jobs = jobs_of(self.ctx)
        done, spec = jobs.take(self)
        if done:
            self._draw(spec)
        size = int(self.size_box.currentText())
        avg = self.avg_box.value()
        fs = self.tap.sample_rate()
        _, v = self.tap.latest(size * avg)
        x = v[:, 0]
        x = x[np.isfinite(x)]
        if fs <= 0 or x.size < size:
            self.readout.setText(f"waiting for {size} samples ({x.size} so far)")
            return
        jobs.submit(self, amplitude_spectrum, x, fs, size, self.window_box.currentText(), avg)

    def _draw(self, spec: Spectrum) -> None:
        self.spectrum = spec
        self.curve.setData(spec.freqs, spec.amplitude, skipFiniteCheck=True)
        unit = self.unit(self.channel_boxes[0].currentText())
        peaks = ", ".join(f"{f:.1f} Hz: {a:.3g} {unit}".rstrip() for f, a in spec.peaks(3))
        fs = 2.0 * float(spec.freqs[-1]) if len(spec.freqs) else 0.0  # even sizes: Nyquist
        self.readout.setText(f"fs {fs:.0f} Hz, {spec.segments} avg; peaks {peaks}")

    def workspace_config(self) -> dict:
        """Selection plus size, window and averaging."""
        return {
            **super().workspace_config(),
            "size": int(self.size_box.currentText()),
            "window": self.window_box.currentText(),
            "averages": self.avg_box.value(),
        }

    def apply_workspace_config(self, cfg: dict) -> None:
        """Restore selection and settings."""
        self.size_box.setCurrentText(str(cfg.get("size", 8192)))
        self.window_box.setCurrentText(cfg.get("window", "hann"))
        self.avg_box.setValue(int(cfg.get("averages", 1)))
        super().apply_workspace_config(cfg)


class SpectrogramPanel(DynamicDefault, TapPanel):
    """A waterfall of successive spectra of one channel."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"size": "size_box"}

    capacity = 65536
    rows = 120
    max_hz = 20.0

    def __init__(self, ctx: AppContext) -> None:
        self.size_box = QComboBox()
        super().__init__(ctx)
        self.size_box.addItems([str(s) for s in SIZES[:6]])
        self.size_box.setCurrentText("1024")
        self.controls.addWidget(QLabel("N"))
        self.controls.addWidget(self.size_box)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "frequency", "Hz")
        self.plot.setLabel("left", "spectra ago")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.layout_.addWidget(self.plot, 1)
        self.waterfall = np.zeros((self.rows, 1))
        self._seen = 0

    def on_selection(self) -> None:
        """Start a new waterfall."""
        self._seen = 0

    def refresh(self) -> None:
        """Queue one spectrum per `size` new samples (worker thread); add the rows done."""
        assert self.tap is not None
        jobs = jobs_of(self.ctx)
        done, spec = jobs.take(self)
        if done:
            self._add_row(spec)
        size = int(self.size_box.currentText())
        if self.tap.total - self._seen < size:
            return
        self._seen = self.tap.total
        fs = self.tap.sample_rate()
        _, v = self.tap.latest(size)
        x = v[:, 0]
        if fs <= 0 or np.isfinite(x).sum() < size:
            return
        jobs.submit(self, amplitude_spectrum, x.copy(), fs, size)

    def _add_row(self, spec: Spectrum) -> None:
        row = 20 * np.log10(spec.amplitude + 1e-12)
        if self.waterfall.shape[1] != row.size:
            self.waterfall = np.full((self.rows, row.size), row.min())
        self.waterfall = np.roll(self.waterfall, 1, axis=0)
        self.waterfall[0] = row
        self.image.setImage(self.waterfall, autoLevels=True)
        self.image.setRect(0, 0, float(spec.freqs[-1]), float(self.rows))


PANELS = [
    PanelSpec("spectrum", "Spectrum (FFT)", SpectrumPanel, "bottom", multiple=True),
    PanelSpec("spectrogram", "Spectrogram", SpectrogramPanel, "bottom", multiple=True),
]
