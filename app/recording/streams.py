"""Low-level pieces of the recorder: the append-only stream writer and the session owner."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pyarrow as pa


def owner() -> dict[str, Any]:
    """This process as a session owner: pid, start time and host."""
    try:
        import psutil

        ctime = psutil.Process().create_time()
    except Exception:  # pragma: no cover - psutil is a dependency
        ctime = 0.0
    return {"pid": os.getpid(), "create_time": ctime, "host": socket.gethostname()}


def owner_alive(who: dict[str, Any] | None) -> bool:
    """Whether the process that wrote a session (pid + start time) is still running here."""
    if not who or who.get("host") != socket.gethostname():
        return False
    try:
        import psutil

        p = psutil.Process(int(who["pid"]))
        return abs(p.create_time() - float(who.get("create_time", 0))) < 0.01
    except Exception:
        return False


class StreamWriter:
    """One append-only Arrow IPC stream file (unbuffered: each batch goes straight to the OS)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.file = pa.OSFile(str(path), "wb")
        self.writer = pa.ipc.new_stream(self.file, schema)
        self.dirty = True

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one record batch."""
        self.writer.write_batch(batch)
        self.dirty = True

    def sync(self) -> None:
        """fsync what was written since the last sync."""
        if self.dirty:
            os.fsync(self.file.fileno())
            self.dirty = False

    def close(self) -> None:
        """Write the end-of-stream marker, sync and close."""
        self.writer.close()
        os.fsync(self.file.fileno())
        self.file.close()
