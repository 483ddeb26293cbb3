"""Signed frames: an HMAC-SHA256 over each frame or message with the device key."""

from __future__ import annotations

import base64
import hashlib
import hmac

from twinbench.identity.keys import _b64decode

TAG_BYTES = 32


class FrameSigner:
    """Appends a tag (HMAC-SHA256 of the frame with the device key) to each frame."""

    def __init__(self, key: str, tag_bytes: int = TAG_BYTES) -> None:
        self.key = _b64decode(key, "device key")
        self.tag_bytes = tag_bytes

    def tag(self, frame: bytes) -> bytes:
        """The (possibly truncated) HMAC of a frame."""
        return hmac.new(self.key, frame, hashlib.sha256).digest()[: self.tag_bytes]

    def sign(self, frame: bytes) -> bytes:
        """Frame followed by its tag."""
        return frame + self.tag(frame)

    def sign_text(self, message: str) -> str:
        """A text message with `*` and the base64 tag appended (for line protocols)."""
        return f"{message}*{base64.b64encode(self.tag(message.encode())).decode()}"


class FrameVerifier:
    """Checks tags against the device's keys (primary, then secondary); counts rejections."""

    def __init__(self, keys: list[str], tag_bytes: int = TAG_BYTES) -> None:
        self.signers = [FrameSigner(k, tag_bytes) for k in keys]
        self.tag_bytes = tag_bytes
        self.accepted = 0
        self.rejected = 0

    def verify(self, signed: bytes) -> bytes | None:
        """The frame without its tag when a key matches; None (counted) when none does."""
        if len(signed) <= self.tag_bytes:
            self.rejected += 1
            return None
        frame, tag = signed[: -self.tag_bytes], signed[-self.tag_bytes :]
        for s in self.signers:
            if hmac.compare_digest(s.tag(frame), tag):
                self.accepted += 1
                return frame
        self.rejected += 1
        return None

    def verify_text(self, line: str) -> str | None:
        """The message of a `message*tag` line when it verifies; None (counted) otherwise."""
        msg, star, tag_b64 = line.rpartition("*")
        if not star:
            self.rejected += 1
            return None
        try:
            tag = base64.b64decode(tag_b64, validate=True)
        except ValueError:
            self.rejected += 1
            return None
        for s in self.signers:
            if hmac.compare_digest(s.tag(msg.encode()), tag):
                self.accepted += 1
                return msg
        self.rejected += 1
        return None

    def verify_many(self, frames: list[bytes]) -> list[bytes]:
        """The frames that verify, in order; the others are counted and dropped."""
        out = []
        for f in frames:
            ok = self.verify(f)
            if ok is not None:
                out.append(ok)
        return out
