"""A panel asked for a device or channel that does not exist yet selects it once it appears."""

import numpy as np

from twinbench.model import Channel, Chunk, Device


def tick(ctx):
    for cb in list(ctx.tick_callbacks):
        cb()


def test_workspace_selection_waits_for_device_and_derived_channel(qtbot, ctx):
    from twinbench.widgets.value_panels import ValuePanel

    hub = ctx.runtime.hub
    hub.declare(Device("other", "sim", (Channel("a"),)))
    panel = ValuePanel(ctx)
    qtbot.addWidget(panel)
    panel.apply_workspace_config({"device": "rig", "channels": ["power"]})
    tick(ctx)
    # neither exists yet: the selection is kept as asked, not replaced by what is there
    assert panel.workspace_config()["device"] == "rig"
    assert panel.workspace_config()["channels"] == ["power"]
    hub.declare(Device("rig", "sim", (Channel("temperature"),)))
    tick(ctx)
    assert panel.device_box.currentText() == "rig"
    assert panel.workspace_config()["channels"] == ["power"]
    hub.declare(Device("rig", "sim", (Channel("temperature"), Channel("power", "W"))))
    hub.publish(Chunk("rig", ("power",), np.array([1], np.int64), np.array([5.0])))
    tick(ctx)
    assert panel.channel_boxes[0].currentText() == "power"
    # a choice by the user ends the wait
    panel.device_box.setCurrentText("other")
    assert panel.workspace_config()["device"] == "other"
