"""An OS error on a serial port reaches the window as the one sentence with what to do (the same
as the command line's), in the device tree's status, never as a raw "[Errno 2]"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_missing_serial_port_says_what_to_do_in_the_tree(make_bench, qtbot, tmp_path):
    from twinbench.oserrors import explain

    bench = make_bench(wait_data=False)
    win = bench.window
    port = str(tmp_path / "ttyGONE0")
    control = bench.ctx.services["bench_control"]
    control.connect("serial", {"port": port}, device_id="board")  # as the Ports panel does
    tree = win.tree
    want = explain(FileNotFoundError(2, "No such file or directory"), port, "serial")
    qtbot.waitUntil(lambda: want in tree.status("board"), timeout=10_000)
    status = tree.status("board")
    assert "Errno" not in status and "is the board plugged in?" in status
