"""The console panel: raw bytes shown as text/hex, send line to a real TCP peer, commands."""

from __future__ import annotations

import socket
import time

import pytest

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext


@pytest.fixture
def tcp_rig(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    prof = tmp_path / "gw.toml"
    prof.write_text(
        '[framing]\ntype = "end"\n[decoder]\ntype = "csv"\n'
        '[[commands]]\nlabel = "Reset"\ndata = "RST"\neol = "\\n"\n'
    )
    rt = Runtime()
    drv = rt.add_driver(
        "tcp",
        {
            "host": "127.0.0.1",
            "port": server.getsockname()[1],
            "device_id": "gw",
            "profile": str(prof),
        },
    )
    rt.start()
    conn, _ = server.accept()
    conn.settimeout(5)
    yield rt, drv, conn, prof
    conn.close()
    rt.stop()
    server.close()


def test_console_shows_bytes_and_sends(qtbot, tcp_rig):
    from twinbench.widgets.console import ConsolePanel

    rt, _drv, conn, prof = tcp_rig
    ctx = AppContext(runtime=rt)
    panel = ConsolePanel(ctx)
    qtbot.addWidget(panel)
    conn.sendall(b"1,2\nno decoder matches \xff\n")

    def shown():
        for cb in ctx.tick_callbacks:
            cb()
        return "no decoder matches" in panel.view.toPlainText()

    qtbot.waitUntil(shown, timeout=5000)
    assert panel.device.currentText() == "gw"
    assert "1,2" in panel.view.toPlainText()
    assert "bad" in panel.loss.text()

    panel.mode.setCurrentText("hex")
    conn.sendall(b"\xc0\xde")
    qtbot.waitUntil(lambda: (panel.tick(), "C0 DE" in panel.view.toPlainText())[1], timeout=5000)

    panel.line.setText("AT+X")
    panel.eol.setCurrentText("CRLF")
    panel.send_line()
    assert conn.recv(100) == b"AT+X\r\n"
    assert panel.history.items == ["AT+X"]

    buttons = [panel.commands.itemAt(i).widget() for i in range(panel.commands.count())]
    assert [b.text() for b in buttons] == ["Reset"]
    buttons[0].click()
    assert conn.recv(100) == b"RST\n"

    panel.line.setText("01 02")
    panel.hex_in.setChecked(True)
    panel.eol.setCurrentText("none")
    panel.add_command("Ping")
    assert "Ping" in prof.read_text()
    time.sleep(0)
    buttons = [panel.commands.itemAt(i).widget() for i in range(panel.commands.count())]
    buttons[-1].click()
    assert conn.recv(100) == b"\x01\x02"
