"""Frames found in a byte buffer (offsets, not copies) and the per-device loss counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class LossStats:
    """What happened to the bytes of one device: counted, never silent."""

    bytes_in: int = 0
    frames: int = 0
    checksum_errors: int = 0
    malformed: int = 0
    oversize: int = 0
    sequence_gaps: int = 0
    missing_frames: int = 0
    resync_bytes: int = 0
    truncated: int = 0
    signature_errors: int = 0
    channels_refused: int = 0  # channel names past the device's cap (max_channels)

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict (for the GUI and JSON summaries)."""
        return asdict(self)

    @property
    def rejected(self) -> int:
        """Frames dropped for any reason."""
        return (
            self.checksum_errors
            + self.malformed
            + self.oversize
            + self.truncated
            + self.signature_errors
        )


@dataclass(frozen=True)
class Frames:
    """Frames inside `buf`: frame i is buf[starts[i] : starts[i] + lengths[i]]."""

    buf: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        """Number of frames."""
        return int(self.starts.shape[0])

    @staticmethod
    def empty() -> Frames:
        """No frames."""
        return Frames(np.empty(0, np.uint8), np.empty(0, np.int64), np.empty(0, np.int64))

    def select(self, mask: np.ndarray) -> Frames:
        """The frames where `mask` is true."""
        return Frames(self.buf, self.starts[mask], self.lengths[mask])

    def rows(self, idx: np.ndarray, width: int, skip: int = 0) -> np.ndarray:
        """A (len(idx), width) uint8 block of bytes skip..skip+width of the frames `idx`."""
        starts = self.starts[idx] + skip
        n = starts.shape[0]
        if n == 0:
            return np.empty((0, width), np.uint8)
        if n > 1:
            step = int(starts[1] - starts[0])
            if step >= width and starts[-1] - starts[0] == step * (n - 1):
                d = np.diff(starts)
                if (d == step).all():
                    s0 = int(starts[0])
                    block = self.buf[s0 : s0 + step * (n - 1) + width]
                    if step == width:
                        return block.reshape(n, width)
                    return np.lib.stride_tricks.as_strided(
                        block, shape=(n, width), strides=(step, 1), writeable=False
                    )
        return self.buf[starts[:, None] + np.arange(width)]

    def records(self, idx: np.ndarray, dtype: np.dtype, skip: int = 0) -> np.ndarray:
        """Frames `idx` viewed as records of a structured dtype (zero-copy when evenly spaced)."""
        starts = self.starts[idx] + skip
        n = starts.shape[0]
        size = dtype.itemsize
        if n > 1:
            step = int(starts[1] - starts[0])
            if (
                step >= size
                and starts[-1] - starts[0] == step * (n - 1)
                and (np.diff(starts) == step).all()
            ):
                return np.ndarray(
                    (n,), dtype, buffer=self.buf, offset=int(starts[0]), strides=(step,)
                )
        rows = np.ascontiguousarray(self.rows(idx, size, skip))
        return rows.view(dtype).reshape(-1)

    def groups(self) -> list[tuple[int, np.ndarray]]:
        """(length, frame indices) for each distinct frame length."""
        if len(self) == 0:
            return []
        first = int(self.lengths[0])
        if (self.lengths == first).all():
            return [(first, np.arange(len(self)))]
        uniq, inv = np.unique(self.lengths, return_inverse=True)
        return [(int(u), np.flatnonzero(inv == i)) for i, u in enumerate(uniq)]

    def joined(self, sep: int = 10, pad: bool = False) -> bytes:
        """The frames' bytes, each followed by `sep` (for bulk text parsing).

        With `pad`, the delimiter bytes between back-to-back frames are overwritten in place
        (spaces, then `sep`) instead of being cut out: one copy, no per-frame work. Only text
        decoders, for which trailing spaces are harmless, ask for it.
        """
        n = len(self)
        if n == 0:
            return b""
        lens = self.lengths
        starts = self.starts
        s0, e_last = int(starts[0]), int(starts[-1] + lens[-1])
        g = 1
        if n > 1:
            gaps = starts[1:] - (starts[:-1] + lens[:-1])
            g = int(gaps[0])
            uniform = g >= 1 and bool((gaps == g).all())
        else:
            uniform = True
        if uniform and (g == 1 or pad):
            out = np.empty(e_last - s0 + 1, np.uint8)
            out[:-1] = self.buf[s0:e_last]
            out[-1] = sep
            if n > 1:
                ends = starts[:-1] + lens[:-1] - s0
                for k in range(g - 1):
                    out[ends + k] = 32
                out[ends + g - 1] = sep
            return out.tobytes()
        if self.buf.shape[0] == 0:  # every frame empty (COBS/SLIP frames of no bytes)
            return bytes([sep]) * n
        total = int(lens.sum()) + n
        ends = np.cumsum(lens + 1)
        offs = np.repeat(starts - (ends - lens - 1), lens + 1)
        idx = np.arange(total, dtype=np.int64) + offs
        idx = np.minimum(idx, self.buf.shape[0] - 1)
        out = self.buf[idx]
        out[ends - 1] = sep
        return out.tobytes()


def find_all(arr: np.ndarray, pattern: bytes) -> np.ndarray:
    """Start offsets of the non-overlapping occurrences of `pattern` in a uint8 array."""
    m = len(pattern)
    if m == 0 or arr.shape[0] < m:
        return np.empty(0, np.int64)
    if m == 1:
        return np.flatnonzero(arr == pattern[0])
    cand = np.flatnonzero(arr[: arr.shape[0] - m + 1] == pattern[0])
    for k in range(1, m):
        cand = cand[arr[cand + k] == pattern[k]]
    if cand.shape[0] > 1:
        close = np.flatnonzero(np.diff(cand) < m)
        if close.shape[0]:
            keep = np.ones(cand.shape[0], bool)
            last = -m
            for i, c in enumerate(cand):  # rare: only when occurrences overlap
                if c - last < m:
                    keep[i] = False
                else:
                    last = c
            cand = cand[keep]
    return cand.astype(np.int64)
