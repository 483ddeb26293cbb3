"""The serial-monitor core (no Qt): a bounded raw-byte log, text/hex rendering, send parsing.

The console panel shows every byte a byte transport receives, decoded or not. Bytes arrive on
reader threads through `Hub.on_bytes`; the GUI pulls what is new on its tick.
"""

from __future__ import annotations

import codecs
import threading
import time
from collections import deque
from dataclasses import dataclass, field

EOLS: dict[str, bytes] = {"none": b"", "LF": b"\n", "CR": b"\r", "CRLF": b"\r\n"}


class ByteLog:
    """Raw bytes per device, bounded to `max_bytes` in all (oldest dropped, counted)."""

    def __init__(self, max_bytes: int = 4 << 20) -> None:
        self.max_bytes = max_bytes
        self._items: deque[tuple[int, int, str, bytes]] = deque()
        self._size = 0
        self._seq = 0
        self.dropped_bytes = 0
        self._lock = threading.Lock()

    def add(self, device: str, data: bytes, t_ns: int) -> None:
        """Record bytes (thread-safe; the hub calls this from reader threads)."""
        with self._lock:
            self._seq += 1
            self._items.append((self._seq, t_ns, device, bytes(data)))
            self._size += len(data)
            while self._size > self.max_bytes and len(self._items) > 1:
                _, _, _, old = self._items.popleft()
                self._size -= len(old)
                self.dropped_bytes += len(old)

    def since(self, cursor: int, device: str | None = None) -> tuple[int, list[tuple[int, bytes]]]:
        """(new cursor, [(t_ns, bytes)...]) recorded after `cursor`, for one device or all."""
        with self._lock:
            items = [it for it in self._items if it[0] > cursor]
            new = self._seq
        return new, [(t, d) for _, t, dev, d in items if device is None or dev == device]

    def devices(self) -> list[str]:
        """Devices that sent bytes."""
        with self._lock:
            return sorted({dev for _, _, dev, _ in self._items})


@dataclass
class Renderer:
    """Turns raw chunks into display text: text or hex, optional timestamps, line endings."""

    mode: str = "text"  # text | hex
    timestamps: bool = False
    newline: str = "LF"  # which received bytes end a line: LF, CR, CRLF or any
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )
    _at_line_start: bool = True
    _pending_cr: bool = False

    def stamp(self, t_ns: int) -> str:
        """A line prefix with the local time of reception."""
        lt = time.localtime(t_ns / 1e9)
        return time.strftime("%H:%M:%S", lt) + f".{(t_ns // 1_000_000) % 1000:03d} "

    def render(self, t_ns: int, data: bytes) -> str:
        """Display text for one chunk (keeps state across chunks: split characters, lines)."""
        if self.mode == "hex":
            body = data.hex(" ").upper()
            return (self.stamp(t_ns) if self.timestamps else "") + body + "\n"
        text = self._decoder.decode(data)
        if self.newline == "CRLF":
            text = text.replace("\r\n", "\n")
        elif self.newline == "CR":
            text = text.replace("\r", "\n")
        elif self.newline == "any":
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = "".join(ch if ch in "\n\t" or ch >= " " else f"\\x{ord(ch):02x}" for ch in text)
        if not self.timestamps:
            return text
        out = []
        for line in text.splitlines(keepends=True):
            if self._at_line_start:
                out.append(self.stamp(t_ns))
            out.append(line)
            self._at_line_start = line.endswith("\n")
        return "".join(out)


def parse_send(text: str, hex_mode: bool, eol: str) -> bytes:
    """The bytes for a send line: text (escapes like \\n understood) or hex, plus the ending."""
    if eol not in EOLS:
        raise ValueError(f"line ending {eol!r} is not one of {', '.join(EOLS)}")
    if hex_mode:
        clean = text.replace("0x", "").replace(",", " ")
        try:
            data = bytes.fromhex(clean)
        except ValueError:
            raise ValueError(f"not hexadecimal bytes: {text!r}") from None
    else:
        try:
            data = text.encode("utf-8").decode("unicode_escape").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            data = text.encode("utf-8")
    return data + EOLS[eol]


class History:
    """Send-line history with up/down navigation (most recent last, no repeats in a row)."""

    def __init__(self, limit: int = 200) -> None:
        self.items: list[str] = []
        self.limit = limit
        self.pos = 0

    def add(self, line: str) -> None:
        """Remember a sent line."""
        if line and (not self.items or self.items[-1] != line):
            self.items.append(line)
            del self.items[: -self.limit]
        self.pos = len(self.items)

    def prev(self) -> str:
        """The line before the current position."""
        if self.items:
            self.pos = max(0, self.pos - 1)
            return self.items[self.pos]
        return ""

    def next(self) -> str:
        """The line after the current position ('' past the end)."""
        self.pos = min(len(self.items), self.pos + 1)
        return self.items[self.pos] if self.pos < len(self.items) else ""
