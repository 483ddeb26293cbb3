"""Ports panel: ports appear and vanish, recognised boards are connected with their profile."""

from __future__ import annotations

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext


def test_ports_come_and_go_and_recognised_ones_connect(qtbot, tmp_path, monkeypatch):
    from twinbench.widgets.ports import PortsPanel

    monkeypatch.setenv("TWINBENCH_CONFIG_DIR", str(tmp_path))
    ports = [
        {
            "device": "/dev/ttyACM7",
            "vid": 0x2341,
            "pid": 0x0043,
            "serial_number": "X1",
            "manufacturer": "Arduino",
            "description": "Uno",
        }
    ]
    rt = Runtime()
    ctx = AppContext(runtime=rt)
    panel = PortsPanel(ctx, lister=lambda: list(ports), interval=0.05)
    qtbot.addWidget(panel)
    try:
        panel.tick()
        assert panel.table.rowCount() == 1
        assert panel.table.item(0, 1).text() == "2341:0043"
        assert panel.table.item(0, 5).text() == "arduino-plotter"
        assert [d.cfg["port"] for d in rt.drivers] == ["/dev/ttyACM7"]
        ports.append(
            {
                "device": "/dev/ttyUSB3",
                "vid": None,
                "pid": None,
                "serial_number": None,
                "manufacturer": None,
                "description": "",
            }
        )
        qtbot.waitUntil(lambda: (panel.tick(), panel.table.rowCount() == 2)[1], timeout=5000)
        assert len(rt.drivers) == 1  # unknown boards are not connected by themselves
        panel.table.selectRow(1)
        panel.connect_selected()
        assert rt.drivers[-1].cfg["port"] == "/dev/ttyUSB3"
        del ports[0]
        qtbot.waitUntil(lambda: (panel.tick(), panel.table.rowCount() == 1)[1], timeout=5000)
    finally:
        panel.close_watcher()
