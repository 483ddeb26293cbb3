"""The serial driver against the simulated board over real pseudo-terminals (POSIX only)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from twinbench.diagnostics import Diagnostics
from twinbench.runtime import Runtime


def run_driver(board, **settings):
    """Run the serial driver on the board until the board ends; return chunks, driver, events."""
    rt = Runtime()
    cfg = {"port": str(board.link), "profile": str(board.profile), "device_id": "board"}
    drv = rt.add_driver("serial", {**cfg, **settings})
    got = []
    raw = []
    rt.hub.on_bytes(lambda dev, data, t: raw.append(len(data)))
    rt.add_consumer("test", got.extend, maxsize=1 << 16, policy="block")
    rt.start()  # the driver retries until the board's pty appears
    try:
        if board.proc is None:
            board.launch()
        summary = board.finish()
    finally:
        rt.stop()
    return SimpleNamespace(chunks=got, drv=drv, rt=rt, summary=summary, raw=sum(raw))


def seqs(chunks):
    return np.concatenate([c.column("seq") for c in chunks]).astype(np.int64)


@pytest.mark.parametrize("fmt", ["binary", "text", "cobs", "slip", "length", "csv"])
def test_every_frame_arrives_in_order(sim_board, fmt):
    board = sim_board(fmt, "--rate", "0", "--count", "3000", "--start-delay", "1.0", launch=False)
    r = run_driver(board)
    chunks, drv, _rt, summary = r.chunks, r.drv, r.rt, r.summary
    assert summary["frames"] == 3000
    s = seqs(chunks) % 65536
    assert s.tolist() == list(range(3000))
    loss = drv.loss()
    assert loss["frames"] == 3000
    assert loss["checksum_errors"] == loss["malformed"] == loss["sequence_gaps"] == 0
    assert r.raw == loss["bytes_in"] == summary["bytes"]


@pytest.mark.parametrize("fmt", ["quickplot", "jsonl", "keyvalue"])
def test_text_protocols_decode_named_channels(sim_board, fmt):
    board = sim_board(fmt, "--rate", "0", "--count", "500", "--start-delay", "1.0", launch=False)
    r = run_driver(board)
    chunks, _drv, _rt, _summary = r.chunks, r.drv, r.rt, r.summary
    assert seqs(chunks).tolist() == list(range(500))
    assert "rpm" in chunks[-1].channels
    assert np.isfinite(chunks[-1].values).all()


def test_corrupt_bytes_are_counted_and_skipped(sim_board):
    board = sim_board(
        "binary",
        "--rate",
        "0",
        "--count",
        "4000",
        "--corrupt",
        "0.05",
        "--noise",
        "7",
        "--start-delay",
        "1.0",
        launch=False,
    )
    r = run_driver(board)
    chunks, drv, _rt, summary = r.chunks, r.drv, r.rt, r.summary
    loss = drv.loss()
    got = len(seqs(chunks))
    assert summary["corrupted_bytes"] > 0
    assert loss["checksum_errors"] + loss["truncated"] > 0
    assert loss["resync_bytes"] > 0
    assert got + loss["checksum_errors"] + loss["truncated"] + loss["malformed"] >= 4000 - 50
    assert np.isfinite(np.concatenate([c.values for c in chunks])).all()
    # the same counters reach the diagnostics panel's snapshot
    assert Diagnostics(r.rt).snapshot()["devices"]["board"]["losses"] == drv.loss()


def test_unplug_shows_disconnected_then_reconnects(sim_board):
    board = sim_board(
        "text", "--rate", "1000", "--duration", "3", "--unplug-at", "1.0", "--unplug-for", "0.5"
    )
    r = run_driver(board)
    chunks, _drv, rt, _summary = r.chunks, r.drv, r.rt, r.summary
    states = [e.data.get("state") for e in rt.events.recent if e.kind == "connection"]
    assert "UNPLUG" in board.lines[0] or "UNPLUG" in board.lines
    i = states.index("connected")
    assert "disconnected" in states[i:]
    j = states.index("disconnected", i)
    assert "connected" in states[j:]
    s = seqs(chunks)
    assert s[-1] > 2000  # frames after the replug arrived
    assert np.all(np.diff(s) > 0)  # nothing decoded twice, nothing out of order
