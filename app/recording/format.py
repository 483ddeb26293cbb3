"""The on-disk session format: folder layout, metadata, Arrow IPC streams, tolerant reading."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from twinbench.errors import UsageError

FORMAT = "twinbench-session"
FORMAT_VERSION = 1
META = "session.json"
DATA_DIR = "data"
RAW_DIR = "raw"
EVENTS = "events.arrows"
SUFFIX = ".arrows"
TIME = "time"
TIME_TYPE = pa.timestamp("ns", tz="UTC")
EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"

RAW_SCHEMA = pa.schema([(TIME, TIME_TYPE), ("data", pa.binary())])
EVENT_SCHEMA = pa.schema(
    [
        (TIME, TIME_TYPE),
        ("kind", pa.string()),
        ("device", pa.string()),
        ("message", pa.string()),
        ("data", pa.string()),
    ]
)


class SessionError(UsageError):
    """A session folder or file cannot be used; the message names the path."""


def new_session_id(now_ns: int | None = None) -> str:
    """A sortable, unique session id: UTC time plus a random suffix."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now_ns / 1e9))
    return f"{stamp}Z-{os.urandom(3).hex()}"


def device_schema(device: str, driver: str, channels: list[dict[str, Any]]) -> pa.Schema:
    """The schema of one device's stream: UTC time plus one float64 column per channel."""
    fields = [pa.field(TIME, TIME_TYPE)]
    for ch in channels:
        md = {"unit": ch.get("unit", ""), "description": ch.get("description", "")}
        fields.append(pa.field(ch["name"], pa.float64(), metadata=md))
    return pa.schema(fields, metadata={"twinbench.device": device, "twinbench.driver": driver})


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON through a temporary file and a rename, so a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, allow_nan=False, default=str)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_meta(folder: Path) -> dict[str, Any]:
    """Load and check a session's metadata (clear errors for missing, corrupt or newer)."""
    path = folder / META
    if not folder.is_dir():
        raise SessionError(f"{folder}: no such session folder")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionError(f"{folder}: not a TwinBench session (no {META})") from None
    except (OSError, ValueError) as exc:
        raise SessionError(f"{path}: unreadable session metadata: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionError(f"{path}: not a TwinBench session file (field 'format')")
    version = meta.get("format_version")
    if not isinstance(version, int):
        raise SessionError(f"{path}: field 'format_version' missing or not an integer")
    if version > FORMAT_VERSION:
        raise SessionError(
            f"{path}: session format version {version} was written by a newer TwinBench "
            f"(this one reads up to {FORMAT_VERSION}); upgrade TwinBench to open it"
        )
    return meta


@dataclass
class StreamRead:
    """What a tolerant read of one stream file found."""

    path: Path
    schema: pa.Schema | None
    batches: list[pa.RecordBatch]
    good_bytes: int
    size: int
    complete: bool
    rows: int
    problem: str = ""


def read_stream(path: Path, *, want_batches: bool = True) -> StreamRead:
    """Read every complete record batch of a stream file; a torn or corrupt tail is reported."""
    size = path.stat().st_size
    batches: list[pa.RecordBatch] = []
    schema: pa.Schema | None = None
    good = 0
    nrows = 0
    complete = False
    problem = ""
    with pa.OSFile(str(path), "rb") as f:
        try:
            reader = pa.ipc.MessageReader.open_stream(f)
            msg = reader.read_next_message()
            if msg.type != "schema":
                raise pa.ArrowInvalid(f"first message is {msg.type}, not a schema")
            schema = pa.ipc.read_schema(msg)
            good = f.tell()
            while True:
                try:
                    msg = reader.read_next_message()
                except StopIteration:
                    complete = f.tell() == size
                    break
                if msg.type != "record batch":
                    raise pa.ArrowInvalid(f"unexpected {msg.type} message")
                batch = pa.ipc.read_record_batch(msg, schema)
                nrows += batch.num_rows
                if want_batches:
                    batches.append(batch)
                good = f.tell()
        except StopIteration:
            problem = "empty file"
        except (pa.ArrowInvalid, OSError, ValueError) as exc:
            problem = f"torn or corrupt at byte {good}: {exc}"
    if not complete and not problem:
        problem = f"no end-of-stream marker after byte {good} (recording was not closed)"
    return StreamRead(path, schema, batches, good, size, complete, nrows, problem)


def repair_stream(path: Path) -> StreamRead:
    """Close a stream left open by a crash: keep every complete batch, move a torn tail aside."""
    res = read_stream(path, want_batches=False)
    if res.complete:
        return res
    if res.schema is None:
        # not even a schema: keep the bytes for inspection, out of the readers' way
        if res.size:
            os.replace(path, path.with_name(path.name + ".corrupt"))
        else:
            path.unlink()
        return res
    if res.good_bytes < res.size:
        with open(path, "rb") as f:
            f.seek(res.good_bytes)
            tail = f.read()
        if tail and tail != EOS[: len(tail)]:
            (path.with_name(path.name + ".tail")).write_bytes(tail)
    with open(path, "r+b") as f:
        f.truncate(res.good_bytes)
        f.seek(res.good_bytes)
        f.write(EOS)
        f.flush()
        os.fsync(f.fileno())
    return res


def stream_files(folder: Path) -> list[Path]:
    """The data stream files of a session, sorted by name."""
    return sorted((folder / DATA_DIR).glob("*" + SUFFIX))


def raw_files(folder: Path) -> list[Path]:
    """The raw-bytes stream files of a session."""
    return sorted((folder / RAW_DIR).glob("*" + SUFFIX))
