"""Framers: cut a byte stream into frames, resynchronising after garbage, with bounded buffers.

Every framer keeps at most `max_frame` bytes between calls; anything longer without a frame
boundary is an oversize frame, counted and discarded. Frames are returned as offsets into one
buffer (`Frames`), found with vectorised searches, never one Python call per frame.
"""

from __future__ import annotations

import numpy as np

from twinbench.decode.frames import Frames, LossStats, find_all

_EMPTY = np.empty(0, np.int64)


class Framer:
    """Base class: holds the unfinished tail of the stream between calls."""

    def __init__(self, stats: LossStats, max_frame: int = 4096) -> None:
        self.stats = stats
        self.max_frame = max_frame
        self._pending = b""

    def feed(self, data: bytes) -> Frames:
        """Add bytes; return the complete frames now available."""
        buf = self._pending + data if self._pending else bytes(data)
        self._buf = buf
        arr = np.frombuffer(buf, dtype=np.uint8)
        frames, keep_from = self._cut(arr)
        tail = buf[keep_from:]
        if len(tail) > self.max_frame:
            tail = self._overflow(tail)
        self._pending = tail
        return frames

    def _overflow(self, tail: bytes) -> bytes:
        """The tail grew past max_frame without a boundary: count and drop it."""
        self.stats.oversize += 1
        self.stats.resync_bytes += len(tail)
        return b""

    def reset(self) -> None:
        """The stream broke (port vanished): count the unfinished frame and forget it."""
        if self._pending:
            self.stats.truncated += 1
            self.stats.resync_bytes += len(self._pending)
        self._pending = b""

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._pending)

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        raise NotImplementedError

    def _finish(self, arr: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> Frames:
        """Drop empty and oversize frames (counting the oversize ones)."""
        big = lengths > self.max_frame
        nbig = int(big.sum())
        if nbig:
            self.stats.oversize += nbig
            self.stats.resync_bytes += int(lengths[big].sum())
        keep = (lengths > 0) & ~big
        if not keep.all():
            starts, lengths = starts[keep], lengths[keep]
        return Frames(arr, starts, lengths)


class EndFramer(Framer):
    """Frames end with a delimiter (e.g. a newline)."""

    def __init__(self, end: bytes, stats: LossStats, max_frame: int = 4096) -> None:
        super().__init__(stats, max_frame)
        if not end:
            raise ValueError("end delimiter must not be empty")
        self.end = end
        self._skipping = False

    def _overflow(self, tail: bytes) -> bytes:
        super()._overflow(tail)
        self._skipping = True  # the rest of this oversize frame is discarded too
        return tail[-(len(self.end) - 1) :] if len(self.end) > 1 else b""

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        m = len(self.end)
        ends = find_all(arr, self.end)
        if ends.shape[0] == 0:
            return Frames(arr, _EMPTY, _EMPTY), 0
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + m
        lengths = ends - starts
        if self._skipping:
            self._skipping = False
            self.stats.resync_bytes += int(lengths[0]) + m
            lengths = lengths.copy()
            lengths[0] = 0
        return self._finish(arr, starts, lengths), int(ends[-1]) + m


class StartEndFramer(Framer):
    """Frames sit between a start and an end delimiter; bytes outside are resync garbage."""

    def __init__(self, start: bytes, end: bytes, stats: LossStats, max_frame: int = 4096) -> None:
        super().__init__(stats, max_frame + len(start))
        if not start or not end:
            raise ValueError("start and end delimiters must not be empty")
        self.start, self.end = start, end

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        ls, le = len(self.start), len(self.end)
        s = find_all(arr, self.start)
        e = find_all(arr, self.end)
        if e.shape[0]:
            # each end closes the frame opened by the last start before it (after the previous end)
            idx = np.searchsorted(s + ls, e, side="right") - 1
            prev = np.empty_like(e)
            prev[0] = 0
            prev[1:] = e[:-1] + le
            ok = idx >= 0
            ok[ok] = s[idx[ok]] >= prev[ok]
            fs = s[idx[ok]] + ls
            fl = e[ok] - fs
            consumed = int(e[-1]) + le
            used = int(fl.sum()) + int(ok.sum()) * (ls + le)
            self.stats.resync_bytes += consumed - used
        else:
            fs, fl, consumed = _EMPTY, _EMPTY, 0
        later = s[s >= consumed]
        if later.shape[0]:
            keep_from = (
                int(later[-1]) if arr.shape[0] - later[0] > self.max_frame else int(later[0])
            )
        else:
            keep_from = max(consumed, arr.shape[0] - (ls - 1))
        self.stats.resync_bytes += keep_from - consumed
        return self._finish(arr, fs, fl), keep_from


class StartFramer(Framer):
    """Frames begin with a start delimiter; they end at the next start or after `length` bytes."""

    def __init__(
        self, start: bytes, stats: LossStats, length: int | None = None, max_frame: int = 4096
    ) -> None:
        super().__init__(stats, max_frame if length is None else length + len(start))
        if not start:
            raise ValueError("start delimiter must not be empty")
        self.start, self.length = start, length

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        if self.length is not None:
            return self._cut_fixed(arr)
        ls = len(self.start)
        s = find_all(arr, self.start)
        if s.shape[0] == 0:
            keep = max(0, arr.shape[0] - (ls - 1))
            self.stats.resync_bytes += keep
            return Frames(arr, _EMPTY, _EMPTY), keep
        self.stats.resync_bytes += int(s[0])
        fs = s[:-1] + ls
        fl = s[1:] - fs
        return self._finish(arr, fs, fl), int(s[-1])

    def _cut_fixed(self, arr: np.ndarray) -> tuple[Frames, int]:
        ls, n = len(self.start), arr.shape[0]
        step = ls + int(self.length or 0)
        pat = list(self.start)
        out_s: list[np.ndarray] = []
        pos = 0
        while True:
            p = self._buf.find(self.start, pos)
            if p < 0:
                keep = max(pos, n - (ls - 1))
                self.stats.resync_bytes += keep - pos
                pos = keep
                break
            self.stats.resync_bytes += p - pos
            k = (n - p) // step
            if k == 0:
                pos = p
                break
            block = arr[p : p + k * step].reshape(k, step)
            good = block[:, 0] == pat[0]
            for j in range(1, ls):
                good &= block[:, j] == pat[j]
            run = k if good.all() else int(np.argmin(good))
            if run < k:
                # a sync is missing: the frame before it may be short; resync inside it
                nxt = find_all(arr[p + (run - 1) * step + ls : p + run * step + ls], self.start)
                if run > 0 and nxt.shape[0]:
                    run -= 1
                    self.stats.truncated += 1
                    cut = p + run * step + ls + int(nxt[0])
                else:
                    cut = p + run * step
                out_s.append(p + ls + step * np.arange(run, dtype=np.int64))
                self.stats.resync_bytes += cut - (p + run * step) if cut > p + run * step else 0
                if run == 0 and cut == p:
                    cut = p + 1
                    self.stats.resync_bytes += 1
                pos = cut
                continue
            out_s.append(p + ls + step * np.arange(k, dtype=np.int64))
            pos = p + k * step
        starts = np.concatenate(out_s) if out_s else _EMPTY
        lengths = np.full(starts.shape[0], step - ls, dtype=np.int64)
        return Frames(arr, starts, lengths), pos


class MessageFramer(Framer):
    """Each feed() is one whole frame (a UDP datagram, an MQTT payload): nothing is held."""

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        n = arr.shape[0]
        if n == 0:
            return Frames(arr, _EMPTY, _EMPTY), 0
        return self._finish(arr, np.zeros(1, np.int64), np.full(1, n, np.int64)), n


class FixedFramer(Framer):
    """Frames of a fixed number of bytes with no delimiter (alignment from the first byte)."""

    def __init__(self, length: int, stats: LossStats) -> None:
        super().__init__(stats, length)
        if length <= 0:
            raise ValueError("fixed frame length must be positive")
        self.length = length

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        k = arr.shape[0] // self.length
        starts = np.arange(k, dtype=np.int64) * self.length
        return Frames(arr, starts, np.full(k, self.length, np.int64)), k * self.length


class LengthFramer(Framer):
    """Frames led by optional sync bytes and a length field; runs of equal lengths in one pass."""

    def __init__(
        self,
        stats: LossStats,
        size: int = 1,
        endian: str = "little",
        sync: bytes = b"",
        adjust: int = 0,
        max_frame: int = 4096,
    ) -> None:
        super().__init__(stats, max_frame)
        if size not in (1, 2, 4):
            raise ValueError("length field size must be 1, 2 or 4")
        self.size, self.sync, self.adjust = size, sync, adjust
        self.dtype = np.dtype(f"{'<' if endian == 'little' else '>'}u{size}")

    def _len_at(self, arr: np.ndarray, p: int) -> int:
        h = len(self.sync)
        return int(arr[p + h : p + h + self.size].view(self.dtype)[0]) + self.adjust

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        n, h = arr.shape[0], len(self.sync) + self.size
        sync = np.frombuffer(self.sync, np.uint8)
        out_s: list[np.ndarray] = []
        out_l: list[np.ndarray] = []
        pos = 0
        while n - pos >= h:
            if self.sync and (arr[pos : pos + len(self.sync)] != sync).any():
                hits = find_all(arr[pos + 1 :], self.sync)
                nxt = pos + 1 + int(hits[0]) if hits.shape[0] else max(pos, n - len(self.sync) + 1)
                self.stats.resync_bytes += nxt - pos
                pos = nxt
                continue
            length = self._len_at(arr, pos)
            if length < 0 or length > self.max_frame:
                self.stats.oversize += 1
                self.stats.resync_bytes += 1
                pos += 1
                continue
            step = h + length
            k = (n - pos) // step
            if k == 0:
                break
            block = arr[pos : pos + k * step].reshape(k, step)
            good = (
                block[:, len(self.sync) : h].copy().view(self.dtype)[:, 0] == length - self.adjust
            )
            if self.sync:
                good &= (block[:, : len(self.sync)] == sync).all(axis=1)
            bad = np.flatnonzero(~good)
            run = k if bad.shape[0] == 0 else max(1, int(bad[0]))
            out_s.append(pos + h + step * np.arange(run, dtype=np.int64))
            out_l.append(np.full(run, length, np.int64))
            pos += run * step
        starts = np.concatenate(out_s) if out_s else _EMPTY
        lengths = np.concatenate(out_l) if out_l else _EMPTY
        return self._finish(arr, starts, lengths), pos


class CobsFramer(EndFramer):
    """COBS-encoded frames separated by zero bytes, decoded in bulk per frame length."""

    def __init__(self, stats: LossStats, max_frame: int = 4096) -> None:
        super().__init__(b"\x00", stats, max_frame)

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        frames, keep = super()._cut(arr)
        return cobs_decode(frames, self.stats), keep


class SlipFramer(EndFramer):
    """SLIP frames (RFC 1055): END 0xC0 separates frames, ESC 0xDB escapes END and ESC."""

    def __init__(self, stats: LossStats, max_frame: int = 4096) -> None:
        super().__init__(b"\xc0", stats, max_frame)

    def _cut(self, arr: np.ndarray) -> tuple[Frames, int]:
        frames, keep = super()._cut(arr)
        return slip_decode(frames, self.stats), keep


def cobs_decode(frames: Frames, stats: LossStats) -> Frames:
    """Decode COBS frames; frames whose code chain is broken are counted as malformed."""
    out_bufs: list[np.ndarray] = []
    out_lens: list[np.ndarray] = []
    out_idx: list[np.ndarray] = []
    for length, idx in frames.groups():
        enc = frames.rows(idx, length)
        rows = np.array(enc)
        n = rows.shape[0]
        keep = np.ones((n, length), bool)
        keep[:, 0] = False
        pos = np.zeros(n, np.int64)
        ok = np.ones(n, bool)
        active = np.ones(n, bool)
        ar = np.arange(n)
        while active.any():
            code = enc[ar, np.minimum(pos, length - 1)].astype(np.int64)
            nxt = pos + code
            ok &= ~(active & ((code == 0) | (nxt > length)))
            active &= ok & (nxt < length)
            a = np.flatnonzero(active)
            # the byte at nxt is the next code: it stands for a zero unless this block was full
            full = code[a] == 0xFF
            keep[a[full], nxt[a[full]]] = False
            rows[a[~full], nxt[a[~full]]] = 0
            keep[a[~full], nxt[a[~full]]] = True
            pos = np.where(active, nxt, pos)
        stats.malformed += int((~ok).sum())
        rows, keep = rows[ok], keep[ok]
        if rows.shape[0] == 0:
            continue
        counts = keep.sum(axis=1)
        out_bufs.append(rows[keep])
        out_lens.append(counts.astype(np.int64))
        out_idx.append(idx[ok])
    packed = _pack(out_bufs, out_lens)
    if len(out_idx) > 1:  # groups were decoded by length: put frames back in stream order
        order = np.argsort(np.concatenate(out_idx)[packed.lengths >= 0], kind="stable")
        packed = Frames(packed.buf, packed.starts[order], packed.lengths[order])
    return packed


def slip_decode(frames: Frames, stats: LossStats) -> Frames:
    """Undo SLIP escapes in bulk; a frame with a bad escape is counted as malformed."""
    if len(frames) == 0:
        return frames
    raw = frames.joined(0xC0)
    arr = np.frombuffer(raw, np.uint8)
    frame_id = np.repeat(np.arange(len(frames)), frames.lengths + 1)
    esc = np.flatnonzero(arr == 0xDB)
    bad = np.zeros(len(frames), bool)
    if esc.shape[0]:
        nxt = arr[np.minimum(esc + 1, arr.shape[0] - 1)]
        wrong = (nxt != 0xDC) & (nxt != 0xDD)
        bad[frame_id[esc[wrong]]] = True
        arr = arr.copy()
        arr[esc[~wrong] + 1] = np.where(nxt[~wrong] == 0xDC, 0xC0, 0xDB)
    drop = np.zeros(arr.shape[0], bool)
    drop[esc] = True
    seps = np.cumsum(frames.lengths + 1) - 1
    drop[seps] = True
    drop |= bad[frame_id]
    stats.malformed += int(bad.sum())
    esc_per = np.bincount(frame_id[esc], minlength=len(frames)) if esc.shape[0] else 0
    lens = (frames.lengths - esc_per)[~bad]
    return _pack([arr[~drop]], [lens.astype(np.int64)])


def _pack(bufs: list[np.ndarray], lens: list[np.ndarray]) -> Frames:
    if not bufs:
        return Frames.empty()
    buf = np.concatenate(bufs)
    lengths = np.concatenate(lens)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    return Frames(buf, starts, lengths)
