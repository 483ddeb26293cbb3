"""Twin telemetry folding: batches of chunks reduced to each device's latest values.

Only the last row of each chunk (and only the newest chunk per device and layout in a batch)
reaches the twin. Baseline, same run: a naive per-sample loop that writes every row's values.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.model import Chunk
from twinbench.runtime import Runtime
from twinbench.twin import TwinDocument, TwinService


def make_batch(devices: int, chunks: int, rows: int, cols: int) -> list[Chunk]:
    """Interleaved chunks from several devices."""
    names = tuple(f"c{i}" for i in range(cols))
    rng = np.random.default_rng(1)
    out = []
    for k in range(chunks):
        t = np.arange(k * rows, (k + 1) * rows, dtype=np.int64)
        out.append(Chunk(f"d{k % devices}", names, t, rng.standard_normal((rows, cols))))
    return out


def naive(batch: list[Chunk], twins: dict[str, TwinDocument]) -> None:
    """Per-sample loop: every row updates the twin (what the service avoids)."""
    for c in batch:
        doc = twins.setdefault(c.device, TwinDocument(c.device))
        for i in range(len(c)):
            doc.update_telemetry(c.channels, c.values[i], int(c.t_ns[i]), {})


def main() -> None:
    """Print the table."""
    args = parser(__doc__.splitlines()[0]).parse_args()
    devices, chunks, rows, cols = (4, 40, 50, 9) if args.smoke else (8, 400, 1000, 9)
    batch = make_batch(devices, chunks, rows, cols)
    n = chunks * rows
    svc = TwinService(Runtime(), auto_bind=False)
    t_svc = best_of(lambda: svc.on_chunks(batch))
    twins: dict[str, TwinDocument] = {}
    small = batch[: max(1, chunks // 10)]
    t_naive = best_of(lambda: naive(small, twins), repeat=1) * (len(batch) / len(small))
    assert svc.twin("d0").telemetry["c0"][2] == int(batch[-devices].t_ns[-1])
    table(
        [
            ("per-sample loop (baseline)", n, t_naive, "smp"),
            ("TwinService.on_chunks (last row per chunk)", n, t_svc, "smp"),
        ],
        baseline="per-sample loop (baseline)",
    )


if __name__ == "__main__":
    main()
