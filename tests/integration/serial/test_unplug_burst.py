"""Frames written just before an unplug arrive: a burst, then the cable is pulled, 100 times."""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from twinbench.runtime import Runtime

CYCLES = 100
BURST = 3


class Board:
    """A pty with a stable link that can be pulled and put back, like a USB CDC board."""

    def __init__(self, link):
        self.link, self.master, self.slave = link, -1, -1

    def plug(self):
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        tmp = self.link.with_name(self.link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        os.replace(tmp, self.link)

    def write(self, data, timeout=2.0):
        """Write all of `data`; AssertionError when the reader does not take it in time."""
        end = time.monotonic() + timeout
        while data:
            try:
                data = data[os.write(self.master, data) :]
            except BlockingIOError:
                assert time.monotonic() < end, "the port's buffer stayed full: nobody reads"
                time.sleep(0.001)

    def unplug(self):
        self.link.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.001)
    return False


def test_burst_then_unplug_loses_nothing(tmp_path):
    board = Board(tmp_path / "ttyBURST")
    board.plug()
    rt = Runtime()
    sec = tmp_path / "p.toml"
    sec.write_text('[framing]\ntype = "end"\n[decoder]\ntype = "csv"\nnames = ["seq", "v"]\n')
    drv = rt.add_driver("serial", {"port": str(board.link), "profile": str(sec), "device_id": "b"})
    got: list = []
    stall = threading.Event()

    def slow_disk(chunks):  # a consumer that must not lose data and holds producers back
        got.extend(chunks)
        while stall.is_set():  # a disk that stalls while the board writes and is pulled
            time.sleep(0.001)

    rt.add_consumer("test", slow_disk, maxsize=1, policy="block")
    rt.start()
    seq = 0
    filler = b"".join(b"-1,%d.5\n" % i for i in range(200))
    try:
        drv.stream.retry_s = 0.002
        for _ in range(CYCLES):
            assert wait_for(lambda: drv.stream.connected and board.master >= 0)
            stall.set()
            for _ in range(3):  # three reads, three chunks: the consumer's queue is full
                board.write(filler)
                time.sleep(0.003)
            burst = b"".join(b"%d,1\n" % (seq + k) for k in range(BURST))
            seq += BURST
            board.write(burst)
            time.sleep(0.05)  # the board is pulled 50 ms after its last frames
            board.unplug()
            stall.clear()
            assert wait_for(lambda: not drv.stream.connected)
            board.plug()
    finally:
        stall.clear()
        rt.stop()
        board.unplug()
    s = np.concatenate([c.column("seq") for c in got])
    s = s[s >= 0].astype(np.int64)
    assert s.tolist() == list(range(seq))
    assert drv.loss()["frames"] == CYCLES * (3 * 200 + BURST)
