"""A simulated serial board behind a real pseudo-terminal (POSIX only: Linux and macOS).

The board streams the simulated motor rig (`RigModel`) in any framing/decoder TwinBench
understands, can corrupt bytes and add noise, and can "unplug" (close the pty) and come back.
A stable symlink points at the current /dev/pts/N so that a driver can reconnect by name.
"""

from __future__ import annotations

import json
import os
import select
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twinbench.decode.checksums import compute_rows
from twinbench.drivers.serial.simtwin import LINE_FORMATS, TWIN_SECTION, BoardTwin
from twinbench.drivers.sim.model import RigModel, channels

FORMATS = ("quickplot", "csv", "text", "jsonl", "keyvalue", "binary", "cobs", "slip", "length")
NAMES = ("seq", *(c.name for c in channels(9)))
CRC = "crc-16/xmodem"
SYNC = b"\xc0\xde"


def profile_for(fmt: str, device_id: str = "simboard", signed: bool = False) -> dict[str, Any]:
    """The profile (as a TOML-ready dict) that decodes what the board sends in `fmt`.

    Text formats also get the `[twin]` table the board answers (and `[identity]` when signed).
    """
    chans = [{"name": n} for n in NAMES]
    binary_fields = [{"name": "seq", "type": "uint16"}] + [
        {"name": n, "type": "float32"} for n in NAMES[1:]
    ]
    binary = {"type": "binary", "endian": "little", "sequence": "seq", "fields": binary_fields}
    crc = {"type": CRC, "endian": "big"}
    body = {
        "quickplot": ({"type": "end", "end": "\\r\\n"}, {"type": "quickplot"}, None),
        "csv": ({"type": "end", "end": "\\n"}, {"type": "csv", "names": list(NAMES)}, None),
        "text": ({"type": "start_end", "start": "$", "end": ";"}, {"type": "csv"}, None),
        "jsonl": ({"type": "end", "end": "\\n"}, {"type": "jsonl"}, None),
        "keyvalue": ({"type": "end", "end": "\\n"}, {"type": "keyvalue"}, None),
        "binary": (
            {"type": "fixed", "start": "C0 DE", "hex": True, "length": 2 + _BODY + 2},
            binary,
            crc,
        ),
        "cobs": ({"type": "cobs"}, binary, crc),
        "slip": ({"type": "slip"}, binary, crc),
        "length": ({"type": "length", "sync": "AA", "size": 1}, binary, crc),
    }[fmt]
    out: dict[str, Any] = {
        "name": f"simboard-{fmt}",
        "description": f"TwinBench simulated board, {fmt} frames",
        "device": {"id": device_id},
        "framing": body[0],
        "decoder": body[1],
        "channels": chans,
    }
    if body[2]:
        out["checksum"] = body[2]
    if fmt in LINE_FORMATS:
        out["twin"] = dict(TWIN_SECTION)
        if signed:
            out["identity"] = {"signed": True}
    return out


_BODY = 2 + 4 * 9  # seq u16 + nine float32


def _binary_bodies(seq: np.ndarray, values: np.ndarray) -> np.ndarray:
    rec = np.zeros(len(seq), dtype=[("seq", "<u2"), ("v", "<f4", (9,))])
    rec["seq"] = seq % 65536
    rec["v"] = values[:, :9]
    body = rec.view(np.uint8).reshape(len(seq), _BODY)
    crc = compute_rows(CRC, body).astype(">u2").view(np.uint8).reshape(-1, 2)
    return np.hstack([body, crc])


def _cobs(frame: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for b in frame:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block) + b"\x00"


def encode(fmt: str, seq: np.ndarray, values: np.ndarray) -> bytes:
    """Frames for samples `seq` (indices) with rig `values`, in format `fmt`."""
    if fmt == "binary":
        rows = _binary_bodies(seq, values)
        sync = np.broadcast_to(np.frombuffer(SYNC, np.uint8), (rows.shape[0], 2))
        return np.hstack([sync, rows]).tobytes()
    if fmt in ("cobs", "slip", "length"):
        rows = _binary_bodies(seq, values)
        if fmt == "length":
            head = np.broadcast_to(np.array([0xAA, rows.shape[1]], np.uint8), (rows.shape[0], 2))
            return np.hstack([head, rows]).tobytes()
        frames = [r.tobytes() for r in rows]
        if fmt == "cobs":
            return b"".join(_cobs(f) for f in frames)
        return b"".join(
            f.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0" for f in frames
        )
    vals = np.column_stack([seq.astype(np.float64), values[:, :9]])
    text = [[f"{int(r[0])}", *(f"{x:.6g}" for x in r[1:])] for r in vals.tolist()]
    if fmt == "quickplot":
        lines = [" ".join(f"{n}:{v}" for n, v in zip(NAMES, r, strict=True)) for r in text]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "keyvalue":
        lines = [" ".join(f"{n}={v}" for n, v in zip(NAMES, r, strict=True)) for r in text]
        return ("\n".join(lines) + "\n").encode()
    if fmt == "csv":
        return ("\n".join(",".join(r) for r in text) + "\n").encode()
    if fmt == "text":
        return "".join("$" + ",".join(r) + ";" for r in text).encode()
    if fmt == "jsonl":
        return "".join(
            json.dumps(dict(zip(NAMES, map(float, r), strict=True))) + "\n" for r in text
        ).encode()
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")


@dataclass
class BoardStats:
    """What the board sent."""

    frames: int = 0
    bytes: int = 0
    corrupted_bytes: int = 0
    noise_bytes: int = 0
    dropped_frames: int = 0
    unplugs: int = 0
    events: list[str] = field(default_factory=list)


class PtyBoard:
    """The simulated board: a pty pair with a stable symlink, written from one thread."""

    def __init__(
        self,
        fmt: str = "csv",
        rate: float = 1000.0,
        link: str | os.PathLike[str] | None = None,
        corrupt: float = 0.0,
        noise: int = 0,
        seed: int = 1,
        block_s: float = 0.01,
        signer: Any = None,
        device_id: str = "simboard",
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
        self.fmt, self.rate, self.block_s = fmt, rate, block_s
        self.corrupt, self.noise = corrupt, noise
        self.link = Path(link) if link else None
        self.model = RigModel(rate if rate > 0 else 1000.0, seed, 9, ())
        self.rng = np.random.default_rng(seed + 17)
        self.stats = BoardStats()
        self.master = -1
        self.slave = -1
        self.pts = ""
        self.lock = threading.Lock()
        self.twin: BoardTwin | None = None
        if fmt in LINE_FORMATS:
            self.twin = BoardTwin(fmt, self.model, device_id, signer)
        elif signer is not None:
            raise ValueError(f"signed frames need a text format ({', '.join(LINE_FORMATS)})")

    @property
    def path(self) -> str:
        """The name a driver opens: the stable link, or the pty itself."""
        return str(self.link) if self.link else self.pts

    def plug(self) -> str:
        """Create the pty (raw mode) and point the link at it; returns the port path."""
        import tty

        master, slave = os.openpty()
        tty.setraw(slave)
        self.master, self.slave = master, slave
        self.pts = os.ttyname(slave)
        if self.link:
            tmp = self.link.with_name(self.link.name + ".new")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            tmp.symlink_to(self.pts)
            os.replace(tmp, self.link)
        return self.path

    def unplug(self) -> None:
        """Close the pty like a pulled USB cable: the reader sees EIO, the link disappears."""
        with self.lock:
            if self.link and self.link.is_symlink():
                self.link.unlink()
            for fd in (self.master, self.slave):
                if fd >= 0:
                    os.close(fd)
            self.master = self.slave = -1
        self.stats.unplugs += 1

    def _frames(self, i0: int, n: int) -> bytes:
        idx, values = self.model.block(i0, n)
        data = encode(self.fmt, idx, values)
        if self.twin is not None and self.twin.signer is not None:
            data = self.twin.sign_block(data)
        if self.corrupt > 0 and data:
            k = int(self.rng.binomial(n, min(1.0, self.corrupt)))
            if k:
                arr = bytearray(data)
                for pos in self.rng.integers(0, len(arr), size=k).tolist():
                    arr[pos] ^= int(self.rng.integers(1, 256))
                data = bytes(arr)
                self.stats.corrupted_bytes += k
        if self.noise:
            junk = self.rng.integers(0, 256, size=self.noise, dtype=np.uint8).tobytes()
            self.stats.noise_bytes += len(junk)
            data = junk + data
        return data

    def _write_all(self, data: bytes, stop: threading.Event, deadline: float | None) -> bool:
        view = memoryview(data)
        while view:
            if stop.is_set() or self.master < 0:
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            _, w, _ = select.select([], [self.master], [], 0.05)
            if not w:
                continue
            try:
                n = os.write(self.master, view[: 1 << 16])
            except BlockingIOError:
                continue
            except OSError:
                return False
            view = view[n:]
            self.stats.bytes += n
        return True

    def run(
        self,
        stop: threading.Event,
        count: int | None = None,
        duration: float | None = None,
        unplug_at: float | None = None,
        unplug_for: float = 0.5,
        on_event: Any = None,
    ) -> BoardStats:
        """Stream until stopped, `count` frames or `duration` seconds; unplug once if asked."""
        t0 = time.monotonic()
        i = 0
        fast = self.rate <= 0
        block = 2048 if fast else max(1, int(self.rate * self.block_s))
        while not stop.is_set():
            now = time.monotonic() - t0
            if duration is not None and now >= duration:
                break
            if count is not None and i >= count:
                break
            if unplug_at is not None and now >= unplug_at and self.stats.unplugs == 0:
                self.unplug()
                self._event(on_event, "UNPLUG")
                stop.wait(unplug_for)
                self._event(on_event, f"PLUG {self.plug()}")
                continue
            self._serve(stop)
            n = block if fast else int(now * self.rate) + 1 - i
            if count is not None:
                n = min(n, count - i)
            if n <= 0:
                stop.wait(self.block_s)
                continue
            data = self._frames(i, n)
            deadline = None if fast else time.monotonic() + 0.5
            if self._write_all(data, stop, deadline):
                self.stats.frames += n
            else:
                self.stats.dropped_frames += n
            i += n
        return self.stats

    def _serve(self, stop: threading.Event) -> None:
        """Read twin command lines the bench wrote and send the replies that are ready."""
        tw = self.twin
        if tw is None or self.master < 0:
            return
        try:
            r, _, _ = select.select([self.master], [], [], 0)
            if r:
                tw.feed(os.read(self.master, 65536))
        except OSError:
            return
        while not tw.replies.empty():
            self._write_all(tw.replies.get_nowait(), stop, None)

    def _event(self, on_event: Any, text: str) -> None:
        self.stats.events.append(text)
        if on_event is not None:
            on_event(text)

    def drain(self, stop: threading.Event, timeout: float = 10.0) -> None:
        """Wait until a reader has taken every byte written (or `timeout`)."""
        import fcntl
        import struct
        import termios

        end = time.monotonic() + timeout
        buf = b"\0\0\0\0"
        while self.slave >= 0 and time.monotonic() < end and not stop.is_set():
            waiting = struct.unpack("i", fcntl.ioctl(self.slave, termios.FIONREAD, buf))[0]
            if waiting == 0:
                break
            stop.wait(0.02)
        stop.wait(0.1)

    def close(self) -> None:
        """Remove the pty and the link."""
        if self.master >= 0 or self.slave >= 0:
            self.unplug()
            self.stats.unplugs -= 1
