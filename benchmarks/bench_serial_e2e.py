"""End to end over a real pty: simulator -> pty -> serial driver -> decode -> hub (POSIX only).

Baseline, same run: the same simulator output read raw from the pty (os.read in 64 KiB chunks,
no decoding). The table gives bytes per second from first to last byte; the pipeline row must be
>= 0.8x the raw rate with zero frames lost (checked from the frames' sequence numbers).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

import numpy as np
import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table

from twinbench.drivers.serial.simboard import profile_for
from twinbench.runtime import Runtime

EXE = [str(Path(sys.executable).with_name("twinbench"))]


def start_sim(tmp: Path, fmt: str, count: int) -> tuple[subprocess.Popen, Path]:
    """The simulated board, flat out, starting 1 s after the pty appears."""
    link = tmp / "tty"
    cmd = [*EXE, "sim", "--serial", "--format", fmt, "--rate", "0", "--count", str(count)]
    cmd += ["--link", str(link), "--start-delay", "1.0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc, link


def run_raw(tmp: Path, fmt: str, count: int) -> tuple[int, float]:
    """Baseline: read every byte raw; (bytes, seconds from first to last byte)."""
    proc, link = start_sim(tmp, fmt, count)
    fd = os.open(link, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    total, t0, t1 = 0, 0.0, 0.0
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.2)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                break
            if not data:
                break
            t1 = time.perf_counter()
            t0 = t0 or t1
            total += len(data)
    finally:
        os.close(fd)
        out, _ = proc.communicate(timeout=60)
    summary = json.loads(out.splitlines()[-1])
    assert total == summary["bytes"], (total, summary)
    return total, t1 - t0


def run_pipeline(tmp: Path, fmt: str, count: int) -> tuple[int, float, int, dict]:
    """Driver + decode + hub; (bytes, seconds first byte to last frame, frames, loss)."""
    prof = tmp / "p.toml"
    prof.write_bytes(tomli_w.dumps(profile_for(fmt, "board")).encode())
    link = tmp / "tty"
    rt = Runtime()
    drv = rt.add_driver("serial", {"port": str(link), "profile": str(prof), "device_id": "board"})
    marks = {"first": 0.0, "last": 0.0}
    seqs: list[np.ndarray] = []
    lock = threading.Lock()

    def on_bytes(dev: str, data: bytes, t: int) -> None:
        if not marks["first"]:
            marks["first"] = time.perf_counter()

    def consume(chunks: list) -> None:
        with lock:
            for c in chunks:
                seqs.append(c.column("seq"))
            marks["last"] = time.perf_counter()

    rt.hub.on_bytes(on_bytes)
    rt.add_consumer("bench", consume, maxsize=1 << 16, policy="block")
    rt.start()  # the driver retries until the simulator's pty appears
    proc, _ = start_sim(tmp, fmt, count)
    try:
        out, _ = proc.communicate(timeout=120)
        deadline = time.monotonic() + 10
        while drv.loss()["bytes_in"] < json.loads(out.splitlines()[-1])["bytes"]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        time.sleep(0.2)
    finally:
        rt.stop()
    s = np.concatenate(seqs).astype(np.int64) if seqs else np.empty(0, np.int64)
    ok = s.shape[0] == count and bool((s == np.arange(count) % 65536).all())
    loss = drv.loss()
    lost = count - s.shape[0] if ok or s.shape[0] != count else -1
    loss["chunks"] = len(seqs)
    return loss["bytes_in"], marks["last"] - marks["first"], lost, loss


def main() -> None:
    """Print the end-to-end table."""
    args = parser(__doc__ or "").parse_args()
    count = 20_000 if args.smoke else 600_000
    fmt = "binary"
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        raw_s, pipe_s, lost_all = [], [], []
        for _ in range(1 if args.smoke else 3):  # alternate, keep the best of each
            nbytes, secs = run_raw(tmp, fmt, count)
            raw_s.append(secs)
            nb, secs2, lost, loss = run_pipeline(tmp, fmt, count)
            pipe_s.append(secs2)
            lost_all.append(lost)
        rows.append(("pty raw read, 64 KiB chunks (baseline)", nbytes, min(raw_s), "B"))
        rows.append(("sim -> pty -> serial driver -> decode -> hub", nb, min(pipe_s), "B"))
    frame = nbytes // count
    print(f"{count:,} frames of {frame} bytes ({fmt}, CRC-16); wall-clock, best of {len(raw_s)}")
    table(rows, rows[0][0])
    print(f"frames lost per run: {lost_all}; last loss counters: {loss}")


if __name__ == "__main__":
    main()
