"""Serial decode with the twin wire's frame taps: reply extraction and signature checks.

Baseline, same run: the plain csv pipeline of the simulated board (no taps). Rows: the same
bytes with the `[twin]` reply tap (a vectorised prefix test per read, a handful of replies),
and signed frames (one HMAC-SHA256 per frame: inherently per frame).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.decode.pipeline import make_pipeline
from twinbench.decode.taps import ReplyTap, SignatureTap
from twinbench.drivers.serial.simboard import encode, profile_for
from twinbench.drivers.serial.simtwin import BoardTwin
from twinbench.drivers.sim.model import RigModel
from twinbench.identity import FrameSigner, FrameVerifier

KEY = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw=="


def main() -> None:
    """Print the table."""
    args = parser(__doc__.splitlines()[0]).parse_args()
    n = 2_000 if args.smoke else 100_000
    model = RigModel(1000.0, 1, 9, ())
    idx, values = model.block(0, n)
    data = encode("csv", idx, values)
    reply = b'ack id=1 status=200 {"targetSpeed":{"value":1200,"ac":200}}\n'
    mid = data.index(b"\n", len(data) // 2) + 1  # at a frame boundary
    with_replies = data[:mid] + reply + data[mid:]
    board = BoardTwin("csv", model, "b", FrameSigner(KEY))
    signed = board.sign_block(data)
    block = 64 * 1024

    def run(buf: bytes, taps: str) -> int:
        dec = make_pipeline(profile_for("csv"), "b")
        seen: list[str] = []
        if "sig" in taps:
            dec.taps.append(SignatureTap(FrameVerifier([KEY]), dec.stats))
        if "reply" in taps:
            dec.taps.append(ReplyTap(["ack "], seen.append))
        for i in range(0, len(buf), block):
            dec.feed(buf[i : i + block], i)
        assert dec.stats.frames == n and dec.stats.malformed == 0, dec.loss()
        return len(seen)

    t0 = best_of(lambda: run(data, ""))
    t1 = best_of(lambda: run(with_replies, "reply"))
    t2 = best_of(lambda: run(signed, "sig reply"), repeat=1)
    assert run(with_replies, "reply") == 1
    table(
        [
            ("csv pipeline, no taps (baseline)", n, t0, "frm"),
            ("csv pipeline + [twin] reply tap", n, t1, "frm"),
            ("csv pipeline + signatures + reply tap", n, t2, "frm"),
        ],
        baseline="csv pipeline, no taps (baseline)",
    )


if __name__ == "__main__":
    main()
