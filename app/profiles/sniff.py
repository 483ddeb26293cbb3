"""Sniffing an unknown port: guess its line ending and text protocol, trying a few baud rates.

`detect_format(data)` is pure (bytes in, profile section and score out); `sniff_port` reads a
real port for a few hundred milliseconds per baud rate and keeps the best guess.
"""

from __future__ import annotations

import time
from typing import Any

from twinbench.decode.pipeline import make_pipeline

BAUDS = (115200, 9600, 57600, 230400, 921600, 38400, 19200)
CANDIDATES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("jsonl", {"type": "jsonl"}),
    ("quickplot", {"type": "quickplot"}),
    ("keyvalue", {"type": "keyvalue"}),
    ("csv", {"type": "csv"}),
    ("csv-semicolon", {"type": "csv", "delimiter": ";"}),
    ("csv-tab", {"type": "csv", "delimiter": "\\t"}),
)


def _line_ending(data: bytes) -> str | None:
    if data.count(b"\r\n") >= 2:
        return "\\r\\n"
    if data.count(b"\n") >= 2:
        return "\\n"
    if data.count(b"\r") >= 2:
        return "\\r"
    return None


def detect_format(data: bytes) -> tuple[dict[str, Any] | None, float]:
    """The profile section that decodes `data` best, with the fraction of lines it decoded."""
    end = _line_ending(data)
    if end is None:
        return None, 0.0
    text_like = sum(32 <= b < 127 or b in (9, 10, 13) for b in data[:4096]) / max(
        1, len(data[:4096])
    )
    if text_like < 0.9:
        return None, 0.0
    sep = end.encode().decode("unicode_escape").encode()
    # drop the first (probably partial) line and the unfinished tail
    body = data[data.find(sep) + len(sep) :]
    body = body[: body.rfind(sep) + len(sep)]
    lines = [ln for ln in body.split(sep) if ln.strip()]
    if not lines:
        return None, 0.0
    best: tuple[dict[str, Any] | None, float] = (None, 0.0)
    for _name, dec in CANDIDATES:
        section = {"framing": {"type": "end", "end": end}, "decoder": dict(dec)}
        p = make_pipeline(section)
        chunk = p.feed(body, 1)
        if chunk is None:
            continue
        bad = p.stats.malformed
        score = len(chunk) / (len(chunk) + bad) * min(1.0, len(chunk) / len(lines))
        if dec["type"] == "csv" and len(chunk.channels) < 2:
            score *= 0.5  # a single number per line is as likely quick plot
        if dec["type"] in ("quickplot", "keyvalue") and all(
            c.startswith("value") for c in chunk.channels
        ):
            score *= 0.9  # bare values: prefer CSV naming when both fit
        if score > best[1]:
            best = (section, round(score, 3))
    return best


def sniff_port(port: str, bauds: tuple[int, ...] = BAUDS, seconds: float = 0.3) -> dict[str, Any]:
    """Listen on `port` at each baud rate; the best guess as a profile dict (with `score`)."""
    import serial

    best: dict[str, Any] = {"score": 0.0}
    for baud in bauds:
        try:
            with serial.Serial(port, baud, timeout=0.05) as s:
                data = b""
                end = time.monotonic() + seconds
                while time.monotonic() < end and len(data) < 1 << 16:
                    data += s.read(s.in_waiting or 1)
        except (serial.SerialException, OSError) as exc:
            best.setdefault("errors", []).append(f"{baud}: {exc}")
            continue
        section, score = detect_format(data)
        if section is not None and score > best["score"]:
            best = {**section, "transport": {"driver": "serial", "baudrate": baud}, "score": score}
            if score >= 0.99:
                break
    return best
