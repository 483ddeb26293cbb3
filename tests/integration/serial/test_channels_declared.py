"""A board whose decoder finds its channels in the stream (CSV, no profile): the device lists
them (the device tree reads the declared channels; they were missing before)."""

from __future__ import annotations

import time

from twinbench.runtime import Runtime


def test_csv_board_without_profile_declares_its_channels(sim_board):
    board = sim_board("csv", "--rate", "198", "--start-delay", "0.3", launch=False)
    rt = Runtime()
    rt.add_driver("serial", {"port": str(board.link), "decoder": "csv", "device_id": "board"})
    rt.start()
    try:
        board.launch()
        end = time.monotonic() + 10
        while time.monotonic() < end:
            st = rt.hub.devices.get("board")
            if st is not None and st.samples > 50:
                break
            time.sleep(0.05)
        st = rt.hub.devices["board"]
        assert st.samples > 50
        seen = {name for names in st.layouts for name in names}
        assert seen and seen <= set(st.device.channel_names)
        assert len(st.device.channel_names) == 10  # seq + 9 motor channels
    finally:
        rt.stop()


def test_csv_board_channels_show_in_the_device_tree(sim_board, qapp):
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.device_tree import DeviceTreeModel

    board = sim_board("csv", "--rate", "198", "--start-delay", "0.3", launch=False)
    rt = Runtime()
    rt.add_driver("serial", {"port": str(board.link), "decoder": "csv", "device_id": "board"})
    model = DeviceTreeModel(AppContext(rt))
    rt.start()
    try:
        board.launch()
        end = time.monotonic() + 10
        while time.monotonic() < end and model.rows() < 11:
            time.sleep(0.05)
            model.refresh()
        assert model.devices == ["board"]
        assert model.rowCount(model.device_index("board")) == 10
        idx = model.channel_index("board", model.channels[0][1].name, 2)
        while time.monotonic() < end and not model.data(idx):
            time.sleep(0.05)
            model.refresh()
        assert model.data(idx)  # its latest value
    finally:
        rt.stop()
