"""Serial port discovery (pyserial's list_ports) and a watcher that reports arrivals/removals."""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

BY_ID = "/dev/serial/by-id"  # udev's stable names (Linux): they survive replugs and reboots


def by_id_names(folder: str | None = None) -> dict[str, list[str]]:
    """Device node -> its stable /dev/serial/by-id names (empty where udev makes none)."""
    root = Path(folder or os.environ.get("TWINBENCH_SERIAL_BY_ID") or BY_ID)
    out: dict[str, list[str]] = {}
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return out
    for link in entries:
        try:
            out.setdefault(os.path.realpath(link), []).append(str(link))
        except OSError:
            continue
    return out


def list_ports(include_ptys: bool = False) -> list[dict[str, Any]]:
    """Every serial port: device, by-id names, description, vid, pid, serial number, maker.

    With `include_ptys`, pseudo-terminals (/dev/pts/N: simulators, socat bridges) too.
    """
    from serial.tools import list_ports as lp

    names = by_id_names()
    out = []
    for info in lp.comports():
        out.append(
            {
                "device": info.device,
                "description": info.description if info.description != "n/a" else "",
                "vid": info.vid,
                "pid": info.pid,
                "serial_number": info.serial_number,
                "manufacturer": info.manufacturer,
                "hwid": info.hwid,
            }
        )
    if include_ptys:
        known = {p["device"] for p in out}
        for dev in sorted(glob.glob("/dev/pts/[0-9]*")):
            if dev not in known:
                out.append(
                    {"device": dev, "description": "pseudo-terminal", "vid": None, "pid": None,
                     "serial_number": None, "manufacturer": None, "hwid": "pty"}
                )  # fmt: skip
    for p in out:
        p["by_id"] = names.get(os.path.realpath(p["device"]), [])
    return sorted(out, key=lambda p: p["device"])


class PortWatcher:
    """Polls the port list on a thread and calls back when ports appear or vanish."""

    def __init__(
        self,
        on_change: Callable[[list[dict[str, Any]], list[dict[str, Any]]], None],
        interval: float = 1.0,
        lister: Callable[[], list[dict[str, Any]]] = list_ports,
    ) -> None:
        self.on_change, self.interval, self.lister = on_change, interval, lister
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="twinbench-ports", daemon=True)
        self.known: dict[str, dict[str, Any]] = {}

    def start(self) -> None:
        """Start polling."""
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        self._thread.join(5)

    def poll(self) -> None:
        """Compare the port list with the last one and report the difference."""
        now = {p["device"]: p for p in self.lister()}
        added = [p for d, p in now.items() if d not in self.known]
        removed = [p for d, p in self.known.items() if d not in now]
        self.known = now
        if added or removed:
            self.on_change(added, removed)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)
