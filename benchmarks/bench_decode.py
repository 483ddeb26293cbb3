"""Decode throughput on one core: text frames `$ax,ay,az,gx,gy,gz,temp;`, binary CRC-16 frames.

Rates are per CPU-second of this process, so other load on a shared machine does not skew them.

Baselines, same run: a per-frame Python loop (split + float / struct.unpack + crc) and, for the
text frames, pandas.read_csv on the same bytes.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.decode.checksums import compute, compute_rows
from twinbench.decode.pipeline import make_pipeline

TEXT_PROFILE = {
    "framing": {"type": "start_end", "start": "$", "end": ";"},
    "decoder": {"type": "csv", "columns": 7},
}
BIN_PROFILE = {
    "framing": {"type": "fixed", "start": "C0 DE", "hex": True, "length": 12},
    "checksum": {"type": "crc-16/xmodem"},
    "decoder": {
        "type": "binary",
        "endian": "big",
        "sequence": "seq",
        "fields": [
            {"name": "seq", "type": "uint16"},
            {"name": "a", "type": "int16", "scale": 0.01},
            {"name": "b", "type": "int16"},
            {"name": "c", "type": "uint8"},
            {"name": "d", "type": "uint8"},
        ],
    },
}


def cpu_best_of(fn: Callable[[], object]) -> float:
    """Best CPU time (this process, seconds) of 3 calls: one core, whatever the load."""
    return best_of(fn, clock=time.process_time)


def text_frames(n: int) -> bytes:
    """n frames of seven 2-decimal values, as an IMU board prints them."""
    rng = np.random.default_rng(1)
    v = np.round(rng.normal(0, 50, size=(n, 7)), 2)
    body = np.char.mod("%.2f", v)
    lines = [",".join(r) for r in body.tolist()]
    return ("$" + ";$".join(lines) + ";").encode()


def binary_frames(n: int) -> bytes:
    """n frames: C0 DE, seq u16, a i16, b i16, c u8, d u8, CRC-16/XMODEM (big-endian)."""
    rec = np.zeros(n, dtype=[("seq", ">u2"), ("a", ">i2"), ("b", ">i2"), ("c", "u1"), ("d", "u1")])
    rec["seq"] = np.arange(n) % 65536
    rec["a"] = np.arange(n) % 1000
    body = rec.view(np.uint8).reshape(n, 8)
    crc = compute_rows("crc-16/xmodem", body).astype(">u2").view(np.uint8).reshape(n, 2)
    sync = np.tile(np.frombuffer(b"\xc0\xde", np.uint8), (n, 1))
    return np.hstack([sync, body, crc]).tobytes()


def run_pipeline(profile: dict, data: bytes, block: int) -> int:
    """Feed `data` in reads of `block` bytes; return frames decoded."""
    p = make_pipeline(profile)
    n = 0
    for i in range(0, len(data), block):
        c = p.feed(data[i : i + block], time.time_ns())
        if c is not None:
            n += len(c)
    assert p.stats.rejected == 0 and p.stats.resync_bytes == 0, p.loss()
    return n


def loop_text(data: bytes) -> int:
    """Baseline: split frames and float() each value in Python."""
    rows = [[float(x) for x in fr.split(",")] for fr in data.decode()[1:-1].split(";$")]
    return len(rows)


def loop_binary(data: bytes) -> int:
    """Baseline: struct.unpack and a CRC per frame in Python."""
    n = 0
    for i in range(0, len(data), 12):
        fr = data[i : i + 12]
        if fr[:2] == b"\xc0\xde" and compute("crc-16/xmodem", fr[2:10]) == (fr[10] << 8 | fr[11]):
            struct.unpack(">HhhBB", fr[2:10])
            n += 1
    return n


def pandas_text(data: bytes) -> int:
    """Baseline: pandas.read_csv on the frames turned into lines."""
    import pandas as pd

    text = data.replace(b";$", b"\n").strip(b"$;")
    return len(pd.read_csv(io.BytesIO(text), header=None, dtype=float))


def main() -> None:
    """Print the decode table."""
    args = parser(__doc__ or "").parse_args()
    n_text = 20_000 if args.smoke else 1_000_000
    n_bin = 50_000 if args.smoke else 4_000_000
    n_loop = 5_000 if args.smoke else 100_000
    block = 1 << 20
    tdata = text_frames(n_text)
    bdata = binary_frames(n_bin)
    rows = [
        (
            "text: Python loop per frame (baseline)",
            n_loop,
            cpu_best_of(lambda: loop_text(tdata[: _cut(tdata, n_loop)])),
            "frames",
        ),
        ("text: pandas.read_csv", n_text, cpu_best_of(lambda: pandas_text(tdata)), "frames"),
        (
            "text: make_pipeline csv, 1 MiB reads",
            n_text,
            cpu_best_of(lambda: run_pipeline(TEXT_PROFILE, tdata, block)),
            "frames",
        ),
        (
            "binary: Python loop per frame (baseline)",
            n_loop,
            cpu_best_of(lambda: loop_binary(bdata[: 12 * n_loop])),
            "frames",
        ),
        (
            "binary+CRC-16: make_pipeline, 1 MiB reads",
            n_bin,
            cpu_best_of(lambda: run_pipeline(BIN_PROFILE, bdata, block)),
            "frames",
        ),
    ]
    assert run_pipeline(TEXT_PROFILE, tdata, block) == n_text
    assert run_pipeline(BIN_PROFILE, bdata, block) == n_bin
    print(
        f"text frame {len(tdata) / n_text:.1f} B, binary frame 12 B; "
        "rates per CPU-second, one thread"
    )
    table(rows[:3], rows[0][0])
    print()
    table(rows[3:], rows[3][0])


def _cut(data: bytes, n: int) -> int:
    """Byte length of the first n text frames."""
    pos = 0
    for _ in range(n):
        pos = data.index(b";", pos) + 1
    return pos


if __name__ == "__main__":
    main()
