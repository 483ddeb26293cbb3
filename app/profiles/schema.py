"""The types and choices of a device profile's tables, checked before a pipeline is built."""

from __future__ import annotations

from typing import Any

from twinbench.decode.pipeline import DECODERS, FRAMINGS
from twinbench.profiles.metadata import check_groups, check_limits
from twinbench.userfile import SchemaError, Spec, check_table, expect

ENDIANS = ("little", "big")
MAX_FRAME = 1 << 24  # 16 MiB: a frame longer than this is not a device's frame

FRAMING: dict[str, Spec] = {
    "type": ("a string", FRAMINGS),
    "hex": "true or false",
    "max_frame": ("a whole number", range(1, MAX_FRAME + 1)),
    "start": "a string",
    "end": "a string",
    "length": ("a whole number", range(1, MAX_FRAME + 1)),
    "sync": "a string",
    "size": ("a whole number", (1, 2, 4)),
    "endian": ("a string", ENDIANS),
    "adjust": ("a whole number", range(-MAX_FRAME, MAX_FRAME + 1)),
}
CHECKSUM: dict[str, Spec] = {
    "type": "a string",
    "algorithm": "a string",
    "start": ("a whole number", range(-MAX_FRAME, MAX_FRAME + 1)),
    "position": ("a whole number", range(-MAX_FRAME, MAX_FRAME + 1)),
    "end": ("a whole number", range(-MAX_FRAME, MAX_FRAME + 1)),
    "endian": ("a string", ENDIANS),
}
DECODER: dict[str, Spec] = {
    "type": ("a string", DECODERS),
    "delimiter": "a string",
    "columns": ("a whole number", range(1, 4097)),
    "names": "an array",
    "separator": "a string",
    "fields": "an array",
    "endian": ("a string", ENDIANS),
    "sequence": "a string",
    "max_channels": ("a whole number", range(1, 1 << 20)),
}
CHANNEL: dict[str, Spec] = {
    "name": "a string",
    "unit": "a string",
    "scale": "a number",
    "offset": "a number",
    "range": "an array",
    "warn": "a table",
    "alarm": "a table",
    "source": "a string or a whole number",
    "description": "a string",
}
COMMAND: dict[str, Spec] = {
    "label": "a string",
    "data": "a string",
    "eol": "a string",
    "hex": "true or false",
}
FIELD: dict[str, Spec] = {
    "name": "a string",
    "type": "a string",
    "size": ("a whole number", range(1, MAX_FRAME + 1)),
    "pos": ("a whole number", range(0, MAX_FRAME + 1)),
    "scale": "a number",
    "offset": "a number",
}
TOP_TEXT = ("name", "description")


def check_sections(data: dict[str, Any]) -> None:
    """Raise SchemaError (dotted key, valid choices) for a wrongly typed or unknown profile key."""
    for key in TOP_TEXT:
        if key in data:
            expect(data[key], "a string", key)
    notes = data.get("notes", [])
    for i, note in enumerate(
        [notes] if isinstance(notes, str) else expect(notes, "an array", "notes")
    ):
        expect(note, "a string", f"notes[{i}]")
    device = data.get("device", {})
    if isinstance(device, dict) and "id" in device:
        expect(device["id"], "a string", "device.id")
    for key, schema in (("framing", FRAMING), ("checksum", CHECKSUM), ("decoder", DECODER)):
        if key in data:
            check_table(expect(data[key], "a table", key), schema, key)
    for i, field in enumerate(data.get("decoder", {}).get("fields") or []):
        check_table(expect(field, "a table", f"decoder.fields[{i}]"), FIELD, f"decoder.fields[{i}]")
    for i, name in enumerate(data.get("decoder", {}).get("names") or []):
        expect(name, "a string", f"decoder.names[{i}]")
    for i, ch in enumerate(_tables(data, "channels")):
        check_table(ch, CHANNEL, f"channels[{i}]")
        check_limits(ch, f"channels[{i}]")
    check_groups(data)
    for i, cmd in enumerate(_tables(data, "commands")):
        check_table(cmd, COMMAND, f"commands[{i}]")
        if cmd.get("hex") and isinstance(cmd.get("data"), str):
            try:
                bytes.fromhex(cmd["data"].replace("0x", "").replace(",", " "))
            except ValueError:
                raise SchemaError(
                    f"commands[{i}].data", f"{cmd['data']!r} is not hexadecimal bytes"
                ) from None


def _tables(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    expect(items, "an array", key)
    for i, item in enumerate(items):
        expect(item, "a table", f"{key}[{i}]")
    return items
