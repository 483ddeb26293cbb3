"""The binding form validates like a profile entry and hands the binding over."""

from __future__ import annotations

import pytest

from twinbench.errors import ConfigError
from twinbench.widgets.binding_form import BindingForm


def test_form_builds_a_colour_binding(qtbot):
    got = []
    form = BindingForm(["sim", "sim-2"], "motor", got.append)
    qtbot.addWidget(form)
    form.kind.setCurrentText("color")
    form.channels.setText(" temperature ")
    form.colormap.setCurrentText("hot")
    form.lo.setValue(0.0)
    form.hi.setValue(120.0)
    form._accept()
    (b,) = got
    assert (b.kind, b.device, b.part, b.channels) == ("color", "sim", "motor", ("temperature",))
    assert (b.colormap, b.range) == ("hot", (0.0, 120.0))


def test_form_shows_what_is_wrong(qtbot):
    got = []
    form = BindingForm(["sim"], "", got.append)
    qtbot.addWidget(form)
    form.kind.setCurrentText("orientation")
    form.channels.setText("qw, qx")
    form._accept()
    assert got == []
    assert "binding form: 'orientation' binding takes 4 channels, got 2" in form.error.text()
    with pytest.raises(ConfigError):
        form.binding()
    form.kind.setCurrentText("imu")
    form.units.setCurrentText("rad/s")
    form.channels.setText("ax, ay, az, gx, gy, gz")
    form._accept()
    assert got and got[0].units == "rad/s"
