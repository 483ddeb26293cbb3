"""The simulated serial board's twin side: it answers text twin commands and signs its frames.

Wire (the `[twin]` table of `profile_for`): the bench writes ``set NAME=JSON v=VERSION id=RID``,
``cmd NAME [JSON] id=RID`` and ``get id=RID`` lines; the board answers
``ack id=RID status=CODE JSON`` as a frame of its own format (desired: the reported patch with
the Plug and Play acknowledgement; commands: the response payload; get: every reported
property). With a signer every frame carries ``*TAG`` (HMAC-SHA256).
"""

from __future__ import annotations

import asyncio
import json
import queue
import re
import threading
from typing import Any

from twinbench.drivers.sim.model import RigModel
from twinbench.drivers.sim.twin import RigTwin

TWIN_SECTION = {
    "desired": "set {name}={value} v={version} id={rid}",
    "command": "cmd {name} {payload} id={rid}",
    "get": "get id={rid}",
    "eol": "\\n",
    "reply_prefix": "ack ",
    "reply": r"^ack id=(?P<rid>\d+) status=(?P<status>\d+)(?: (?P<body>.*))?$",
}
LINE_FORMATS = {"quickplot": ("", "\r\n"), "csv": ("", "\n"), "jsonl": ("", "\n")}
LINE_FORMATS |= {"keyvalue": ("", "\n"), "text": ("$", ";")}
_SET = re.compile(r"^set (\w+)=(.*) v=(\d+) id=(\S+)$")
_GET = re.compile(r"^get id=(\S+)$")
_CMD = re.compile(r"^cmd (\w+)(?: (.*?))? id=(\S+)$")


class BoardTwin:
    """Parses command lines from the bench and queues reply frames for the board to send."""

    def __init__(self, fmt: str, model: RigModel, device_id: str, signer: Any = None) -> None:
        self.fmt = fmt
        self.twin = RigTwin(device_id, model, 0)
        self.signer = signer
        self.replies: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._buf = b""
        self.commands = 0
        self.bad_lines = 0
        self._lock = threading.Lock()

    def frame(self, text: str) -> bytes:
        """One text message as a frame of the board's format (signed when a signer is set)."""
        head, tail = LINE_FORMATS[self.fmt]
        if self.signer is not None:
            text = self.signer.sign_text(text)
        return (head + text + tail).encode()

    def sign_block(self, data: bytes) -> bytes:
        """Sign every frame of a block of text frames."""
        head, tail = LINE_FORMATS[self.fmt]
        parts = data.decode().split(tail)
        out = []
        for p in parts[:-1]:
            body = p[len(head) :]
            out.append(head + self.signer.sign_text(body) + tail)
        return "".join(out).encode()

    def feed(self, data: bytes) -> None:
        """Bytes written by the bench: handle every complete line."""
        self._buf += data
        *lines, self._buf = re.split(rb"\r?\n", self._buf)
        if len(self._buf) > 65536:
            self._buf, self.bad_lines = b"", self.bad_lines + 1
        for raw in lines:
            if raw.strip():
                self._line(raw.decode("utf-8", "replace").strip())

    def _reply(self, rid: str, status: int, body: Any) -> None:
        text = f"ack id={rid} status={status}"
        if body is not None:
            text += " " + json.dumps(body, separators=(",", ":"))
        self.replies.put(self.frame(text))

    def _line(self, line: str) -> None:
        m = _SET.match(line)
        if m:
            name, value_text, version, rid = m.groups()
            try:
                value = json.loads(value_text)
            except ValueError:
                self._reply(rid, 400, {"error": f"value of {name} is not JSON"})
                return
            with self._lock:
                ack = self.twin.apply_property(name, value, int(version))
            self._reply(rid, int(ack.get(name, {}).get("ac", 200)), ack)
            self.commands += 1
            return
        m = _GET.match(line)
        if m:
            with self._lock:
                reported = dict(self.twin.reported)
            self._reply(m.group(1), 200, reported)
            return
        m = _CMD.match(line)
        if m:
            name, payload_text, rid = m.groups()
            try:
                payload = json.loads(payload_text) if payload_text else None
            except ValueError:
                self._reply(rid, 400, {"error": "payload is not JSON"})
                return
            self.commands += 1
            threading.Thread(target=self._run, args=(name, payload, rid), daemon=True).start()
            return
        self.bad_lines += 1

    def _run(self, name: str, payload: Any, rid: str) -> None:
        res = asyncio.run(self.twin.command(name, payload))
        self._reply(rid, int(res.get("status", 200)), res.get("payload"))
