"""Serial line settings and writes on a bare pty pair (POSIX only)."""

from __future__ import annotations

import os
import select
import time
import tty

import pytest

from twinbench.errors import UsageError
from twinbench.runtime import Runtime


def read_master(fd, n, timeout=5.0):
    out = b""
    end = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            out += os.read(fd, 1024)
    return out


@pytest.mark.parametrize(
    "settings",
    [
        {"baudrate": 250000, "bytesize": 7, "parity": "even", "stopbits": "2"},
        {"baudrate": 31250, "parity": "odd", "rtscts": True, "dtr": False, "rts": False},
        {"baudrate": 1234567, "stopbits": "1.5", "bytesize": 5, "parity": "mark"},
    ],
)
def test_any_baud_and_line_settings_read_and_write(settings):
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    rt = Runtime()
    got = []
    drv = rt.add_driver("serial", {"port": name, "device_id": "p", "decoder": "csv", **settings})
    rt.add_consumer("t", got.extend, policy="block")
    rt.start()
    try:
        end = time.monotonic() + 10
        while drv.port is None and time.monotonic() < end:
            time.sleep(0.02)
        assert drv.port.baudrate == settings["baudrate"]
        rt.call(drv.write(b"AT\r\n")).result(5)
        assert read_master(master, 4) == b"AT\r\n"
        os.write(master, b"1,2\n3,4\n")
        while sum(len(c) for c in got) < 2 and time.monotonic() < end:
            time.sleep(0.02)
    finally:
        rt.stop()
        os.close(master)
        os.close(slave)
    assert [r for c in got for r in c.values.tolist()] == [[1, 2], [3, 4]]


def test_missing_port_and_bad_settings_are_usage_errors():
    rt = Runtime()
    with pytest.raises(UsageError, match="port"):
        rt.add_driver("serial", {})
    with pytest.raises(UsageError, match="parity"):
        rt.add_driver("serial", {"port": "/dev/null", "parity": "sometimes"})
    with pytest.raises(UsageError, match="baudrate"):
        rt.add_driver("serial", {"port": "/dev/null", "baudrate": "fast"})


def test_profile_device_id_names_the_device(tmp_path):
    """`[device] id` of a profile given with --set profile= names the device (not `serial`)."""
    from twinbench.runtime import Runtime

    prof = tmp_path / "imu.toml"
    prof.write_text(
        '[device]\nid = "imu-7"\n[framing]\ntype = "end"\n[decoder]\ntype = "quickplot"\n'
    )
    rt = Runtime()
    drv = rt.add_driver("serial", {"port": "/dev/ttyNONE", "profile": str(prof)})
    assert drv.device().id == "imu-7" and drv.decoder.device_id == "imu-7"
    drv = rt.add_driver("tcp", {"port": 1, "profile": str(prof)})
    assert drv.device().id == "imu-7"
    drv = rt.add_driver("serial", {"port": "/dev/ttyNONE", "profile": str(prof), "device_id": "x"})
    assert drv.device().id == "x"
