"""Frame taps: steps between framing and decoding that take frames out of the telemetry stream.

- `ReplyTap` hands frames that start with a reply prefix (twin acknowledgements such as
  ``ack id=7 status=200``) to a callback and keeps them away from the decoder;
- `SignatureTap` checks the HMAC tag of each frame (``message*tag`` lines, or a binary tag at
  the end), strips it, and drops frames that fail (counted as ``signature_errors``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from twinbench.decode.frames import Frames, LossStats


def _rebuild(parts: list[bytes]) -> Frames:
    """Frames over a fresh buffer holding `parts` back to back, one separator byte apart."""
    if not parts:
        return Frames.empty()
    lengths = np.fromiter((len(p) for p in parts), np.int64, len(parts))
    starts = np.zeros(len(parts), np.int64)
    starts[1:] = np.cumsum(lengths[:-1] + 1)
    buf = np.frombuffer(b"\n".join(parts) + b"\n", np.uint8)
    return Frames(buf, starts, lengths)


class ReplyTap:
    """Takes frames starting with any of `prefixes` out of the stream and passes them on as text."""

    def __init__(self, prefixes: Sequence[str], on_reply: Callable[[str], Any]) -> None:
        self.prefixes = [np.frombuffer(p.encode(), np.uint8) for p in prefixes if p]
        self.on_reply = on_reply
        self.replies = 0

    def apply(self, frames: Frames) -> Frames:
        """The frames that are not replies; replies go to the callback (decoded as UTF-8)."""
        if len(frames) == 0:
            return frames
        hit = np.zeros(len(frames), bool)
        buf, starts, lengths = frames.buf, frames.starts, frames.lengths
        for pre in self.prefixes:
            m = lengths >= pre.shape[0]
            for k, b in enumerate(pre.tolist()):  # per prefix byte, vectorised over frames
                idx = np.flatnonzero(m)
                m[idx] = buf[starts[idx] + k] == b
            hit |= m
        if not hit.any():
            return frames
        for i in np.flatnonzero(hit).tolist():  # replies are rare: a handful per command
            s = int(starts[i])
            text = buf[s : s + int(lengths[i])].tobytes().decode("utf-8", "replace")
            self.replies += 1
            self.on_reply(text.rstrip("\r"))
        return frames.select(~hit)


class SignatureTap:
    """Verifies each frame's HMAC-SHA256 tag with the device's keys; failures are counted."""

    def __init__(self, verifier: Any, stats: LossStats, text: bool = True) -> None:
        self.verifier = verifier
        self.stats = stats
        self.text = text

    def apply(self, frames: Frames) -> Frames:
        """The verified frames without their tags."""
        n = len(frames)
        if n == 0:
            return frames
        buf, starts, lengths = frames.buf, frames.starts.tolist(), frames.lengths.tolist()
        good: list[bytes] = []
        before = self.verifier.rejected
        for s, ln in zip(starts, lengths, strict=True):  # one HMAC per frame: inherently per frame
            raw = buf[s : s + ln].tobytes()
            if self.text:
                line = raw.rstrip(b"\r").decode("utf-8", "replace")
                msg = self.verifier.verify_text(line)
                if msg is not None:
                    good.append(msg.encode())
            else:
                frame = self.verifier.verify(raw)
                if frame is not None:
                    good.append(frame)
        self.stats.signature_errors += self.verifier.rejected - before
        return _rebuild(good)
