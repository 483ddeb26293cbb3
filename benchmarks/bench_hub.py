"""Hub throughput: chunks of 1,000 samples published to three draining subscribers.

Baseline, same run: the same chunks through three plain `queue.Queue`s to three threads.
"""

from __future__ import annotations

import queue
import sys
import threading
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.hub import Hub
from twinbench.model import Chunk


def make_chunks(n_chunks: int, rows: int, cols: int) -> list[Chunk]:
    """Pre-built chunks so that only the fan-out is timed."""
    names = tuple(f"c{i}" for i in range(cols))
    t = np.arange(rows, dtype=np.int64)
    v = np.zeros((rows, cols))
    return [Chunk("d", names, t, v) for _ in range(n_chunks)]


def run_hub(chunks: list[Chunk]) -> None:
    """Publish through the hub to three subscribers drained by three threads."""
    hub = Hub()
    subs = [hub.subscribe(f"s{i}", maxsize=1 << 16, policy="block") for i in range(3)]
    done = threading.Event()

    def drain(sub):
        got = 0
        while got < len(chunks):
            c = sub.get(0.5)
            if c is not None:
                got += 1 + len(sub.drain())

    threads = [threading.Thread(target=drain, args=(s,)) for s in subs]
    for th in threads:
        th.start()
    for c in chunks:
        hub.publish(c)
    for th in threads:
        th.join()
    done.set()


def run_queue(chunks: list[Chunk]) -> None:
    """Baseline: plain queue.Queue fan-out."""
    qs = [queue.Queue(maxsize=1 << 16) for _ in range(3)]

    def drain(q):
        for _ in range(len(chunks)):
            q.get()

    threads = [threading.Thread(target=drain, args=(q,)) for q in qs]
    for th in threads:
        th.start()
    for c in chunks:
        for q in qs:
            q.put(c)
    for th in threads:
        th.join()


def main() -> None:
    """Print the hub table."""
    args = parser(__doc__ or "").parse_args()
    n_chunks = 500 if args.smoke else 40_000
    rows = []
    for r, k in ((1000, 1), (125, 8)):
        chunks = make_chunks(n_chunks, r, k)
        samples = n_chunks * r * k
        rows.append(
            (
                f"queue.Queue x3, {r}x{k} chunks (baseline)",
                samples,
                best_of(lambda c=chunks: run_queue(c)),
                "samples",
            )
        )
        rows.append(
            (
                f"hub.publish x3 subscribers, {r}x{k} chunks",
                samples,
                best_of(lambda c=chunks: run_hub(c)),
                "samples",
            )
        )
    table(rows, rows[0][0])


if __name__ == "__main__":
    main()
