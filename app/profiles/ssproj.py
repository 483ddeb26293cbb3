"""Import Serial Studio projects (.ssproj, JSON) as TwinBench profiles.

Frame detection, delimiters (text or hexadecimal), checksum, connection settings, the groups'
datasets (titles, units, ranges) and the groups' widgets (as dashboard [[groups]]) carry over.
Script frame parsers (JavaScript/Lua) are never run: the import recognises the common ones
(split on a separator, JSON.parse, one value per byte) and maps them to the nearest built-in
decoder, and says so in `notes` for every dataset it affects.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from twinbench.decode import checksums
from twinbench.decode.pipeline import PipelineError
from twinbench.errors import ConfigError
from twinbench.profiles.metadata import WIDGETS
from twinbench.userfile import SchemaError, expect, load_json

# Serial Studio enums (SerialStudio::FrameDetection, DecoderMethod, BusType)
FRAME_DETECTION = {0: "end", 1: "start_end", 2: "none", 3: "start"}
DECODER_METHOD = {0: "text", 1: "hex", 2: "base64", 3: "binary"}
PARITY = {0: "none", 1: "even", 2: "odd", 3: "space", 4: "mark"}
STOPBITS = {0: "1", 1: "1.5", 2: "2"}
DATABITS = {0: 5, 1: 6, 2: 7, 3: 8}

# Serial Studio group and dataset widgets -> dashboard tile kinds (metadata.WIDGETS)
GROUP_WIDGETS = {
    "multiplot": "plot",
    "accelerometer": "plot",
    "gyro": "plot",
    "map": "track",
    "gps": "track",
    "datagrid": "table",
}
DATASET_WIDGETS = {"gauge": "gauge", "bar": "bar", "compass": "compass"}

_SPLIT = re.compile(r"""\.split\(\s*(['"])(.+?)\1\s*\)""")
_LUA_SPLIT = re.compile(r"""gmatch\(\s*"\(\[\^(.+?)\]\+\)"\s*\)""")
_SCALE = re.compile(r"\*\s*([0-9.]+)\s*/\s*([0-9.]+)")


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return s or "device"


def _parser_guess(code: str, method: str) -> tuple[dict[str, Any], str]:
    """The nearest built-in decoder for a script parser, and a sentence saying why."""
    if not code.strip():
        return {"type": "csv"}, "no frame parser: comma-separated values assumed"
    if "JSON.parse" in code or "json.decode" in code:
        return {"type": "jsonl"}, "script parses JSON: the built-in JSON lines decoder is nearest"
    m = _SPLIT.search(code) or _LUA_SPLIT.search(code)
    if m and method == "text":
        sep = m.group(2) if m.re is _SPLIT else m.group(1)
        sep = sep.replace("\\", "")[:1] or ","
        return {"type": "csv", "delimiter": sep}, f"script splits on {sep!r}: built-in CSV decoder"
    if method == "binary":
        return {
            "type": "binary"
        }, "script reads one value per byte: built-in binary decoder (uint8)"
    return {"type": "csv"}, "script parser not recognised: CSV assumed, check the channels"


def _int(table: dict[str, Any], key: str, default: int) -> int:
    """A whole number from the project (integral floats accepted), else SchemaError naming key."""
    v = table.get(key, default)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return int(expect(v, "a whole number", key, range(-(1 << 31), 1 << 31)))


def _tables(table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list of objects from the project, else SchemaError naming the key."""
    items = expect(table.get(key) or [], "an array", key)
    for i, item in enumerate(items):
        expect(item, "a table", f"{key}[{i}]")
    return items


def import_ssproj(path: str | Path) -> dict[str, Any]:
    """Read a .ssproj file and return a profile dict (validated by the caller)."""
    p = Path(path)
    proj = load_json(p, "Serial Studio project")
    if not isinstance(proj, dict) or "groups" not in proj:
        raise ConfigError(f"{p}: not a Serial Studio project: no 'groups' key")
    try:
        return _convert(p, proj)
    except (SchemaError, PipelineError) as exc:
        raise ConfigError(f"{p}: not a valid Serial Studio project: {exc}") from None


def _convert(p: Path, proj: dict[str, Any]) -> dict[str, Any]:
    sources = _tables(proj, "sources") or [proj]
    src = sources[0]
    notes: list[str] = []
    if len(sources) > 1:
        notes.append(
            f"project has {len(sources)} sources; only the first ({src.get('title')}) was imported"
        )
    hex_delims = bool(src.get("hexadecimalDelimiters", proj.get("hexadecimalDelimiters", False)))
    detection = FRAME_DETECTION.get(_int(src, "frameDetection", 0), "end")
    method = DECODER_METHOD.get(_int(src, "decoderMethod", _int(src, "decoder", 0)), "text")
    start = str(src.get("frameStart", proj.get("frameStart", "")) or "")
    end = str(src.get("frameEnd", proj.get("frameEnd", "")) or "")
    decoder, why = _parser_guess(
        str(src.get("frameParserCode", proj.get("frameParser", ""))), method
    )

    # datasets: one channel per distinct frame index, in index order
    by_index: dict[int, dict[str, Any]] = {}
    for g in _tables(proj, "groups"):
        for ds in _tables(g, "datasets"):
            idx = _int(ds, "index", 0)
            if idx <= 0 or idx in by_index:
                continue
            title = str(ds.get("title") or f"value{idx}")
            ch: dict[str, Any] = {"name": title, "unit": str(ds.get("units", ""))}
            lo, hi = ds.get("widgetMin", ds.get("min", 0)), ds.get("widgetMax", ds.get("max", 0))
            if isinstance(lo, int | float) and isinstance(hi, int | float) and hi > lo:
                ch["range"] = [float(lo), float(hi)]
            ch["description"] = f"{g.get('title', '')} / {title}".strip(" /")
            by_index[idx] = ch
    names_seen: dict[str, int] = {}
    channels = []
    for idx in sorted(by_index):
        ch = by_index[idx]
        base = ch["name"]
        if base in names_seen:
            ch["name"] = f"{base} ({idx})"
        names_seen[base] = idx
        channels.append((idx, ch))
    n = max(by_index) if by_index else 0

    if decoder["type"] == "csv":
        decoder["columns"] = n
        decoder["names"] = [f"c{i}" for i in range(1, n + 1)]
        for idx, ch in channels:
            ch["source"] = f"c{idx}"
    elif decoder["type"] == "binary":
        decoder["fields"] = [{"name": f"b{i}", "type": "uint8"} for i in range(1, n + 1)]
        m = _SCALE.search(str(src.get("frameParserCode", "")))
        scale = float(m.group(1)) / float(m.group(2)) if m and float(m.group(2)) else 1.0
        for idx, ch in channels:
            ch["source"] = f"b{idx}"
            if scale != 1.0:
                ch["scale"] = scale
    elif decoder["type"] == "jsonl":
        for _idx, ch in channels:
            ch["source"] = ch["name"]
    notes.append(
        f"datasets {', '.join(c['name'] for _, c in channels) or '(none)'} are filled by a script "
        f"parser, which TwinBench does not run: {why}"
    )

    framing: dict[str, Any] = {"hex": hex_delims} if hex_delims else {}
    ck_name = str(src.get("checksumAlgorithm") or src.get("checksum") or "")
    ck_width = 0
    checksum: dict[str, Any] | None = None
    if ck_name and ck_name.lower() not in ("none", ""):
        try:
            canon = checksums.canonical(ck_name)
        except KeyError:
            notes.append(f"checksum {ck_name!r} is not supported: frames are not verified")
        else:
            ck_width = checksums.WIDTH_BYTES[canon]
            checksum = {"type": canon, "endian": "big"}
            notes.append(f"Serial Studio's {ck_name!r} is {canon} (RevEng name)")
    newline = "0A" if hex_delims else "\\n"
    if detection == "end":
        framing.update(type="end", end=end or newline)
    elif detection == "start_end":
        framing.update(type="start_end", start=start, end=end)
    elif detection == "start":
        framing.update(type="start", start=start)
        if decoder["type"] == "binary" and n:
            framing.update(type="fixed", length=len(_delim_bytes(start, hex_delims)) + n + ck_width)
            notes.append(f"frames assumed fixed-length: {n} data bytes + checksum after the start")
    else:
        framing.update(type="end", end=newline)
        notes.append("project has no frame delimiters (raw reads): newline framing assumed")
    if method in ("hex", "base64"):
        notes.append(f"frames are {method}-encoded text: decode them before this profile applies")

    profile: dict[str, Any] = {
        "name": _slug(str(proj.get("title") or p.stem)),
        "description": f"imported from Serial Studio project {p.name!r}",
        "device": {"id": _slug(str(proj.get("title") or p.stem))},
        "transport": _transport(src, notes),
        "framing": framing,
        "decoder": decoder,
        "channels": [ch for _, ch in channels],
    }
    if checksum:
        profile["checksum"] = checksum
    cmds = [
        {
            "label": str(a.get("title", "command")),
            "data": str(a.get("txData", "")),
            "eol": str(a.get("eol", "")),
            "hex": bool(a.get("binary", False)),
        }
        for a in _tables(proj, "actions")
    ]
    if cmds:
        profile["commands"] = cmds
    groups = _groups(_tables(proj, "groups"), by_index, notes)
    if groups:
        profile["groups"] = groups
    profile["notes"] = notes
    return profile


def _groups(
    groups: list[dict[str, Any]], by_index: dict[int, dict[str, Any]], notes: list[str]
) -> list[dict[str, Any]]:
    """Serial Studio's groups and their widgets as dashboard [[groups]]."""
    out: list[dict[str, Any]] = []
    for g in groups:
        title = str(g.get("title") or "Group")
        dsets = [
            ds for ds in _tables(g, "datasets") if _int(ds, "index", 0) in by_index
        ]  # datasets that became channels
        names = list(dict.fromkeys(by_index[_int(ds, "index", 0)]["name"] for ds in dsets))
        if not names:
            continue
        widget = str(g.get("widget") or "")
        kind = GROUP_WIDGETS.get(widget, widget if widget in WIDGETS else "")
        if kind == "track":
            by_role = {
                str(ds.get("widget")): by_index[_int(ds, "index", 0)]["name"] for ds in dsets
            }
            pair = [by_role[r] for r in ("lat", "lon") if r in by_role]
            pair = pair if len(pair) == 2 else names[:2]
            if len(pair) == 2:
                out.append({"title": title, "widget": "track", "channels": pair})
                continue
            kind = ""
        if kind:
            out.append({"title": title, "widget": kind, "channels": names})
            continue
        if widget:
            notes.append(f"group {title!r}: widget {widget!r} has no tile here; kinds by name")
        parts: dict[str, list[str]] = {}
        for ds in dsets:  # per-dataset widgets (gauge, bar, compass) and LEDs
            w = str(ds.get("widget") or "")
            k = DATASET_WIDGETS.get(w) or ("led" if ds.get("led") is True else "")
            name = by_index[_int(ds, "index", 0)]["name"]
            if name not in parts.setdefault(k, []):
                parts[k].append(name)
        for k, chans in parts.items():
            label = title if len(parts) == 1 else f"{title} ({k or 'values'})"
            out.append({"title": label, "channels": chans} | ({"widget": k} if k else {}))
    return out


def _delim_bytes(text: str, hex_mode: bool) -> bytes:
    from twinbench.decode.pipeline import parse_delimiter

    return parse_delimiter(text, hex_mode, "framing.start")


def _transport(src: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    bus = _int(src, "busType", 0)
    conn = expect(src.get("connection") or {}, "a table", "connection")
    if bus == 0:
        out: dict[str, Any] = {"driver": "serial", "baudrate": _int(conn, "baudRate", 115200)}
        out["bytesize"] = DATABITS.get(_int(conn, "dataBitsIndex", 3), 8)
        out["parity"] = PARITY.get(_int(conn, "parityIndex", 0), "none")
        out["stopbits"] = STOPBITS.get(_int(conn, "stopBitsIndex", 0), "1")
        flow = _int(conn, "flowControlIndex", 0)
        out["rtscts"], out["xonxoff"] = flow == 1, flow == 2
        out["dtr"] = bool(conn.get("dtr", True))
        return out
    if bus == 1:
        host = str(conn.get("address", "127.0.0.1"))
        if _int(conn, "socketTypeIndex", 0) == 1:
            return {"driver": "udp", "host": host, "port": _int(conn, "udpLocalPort", 9000)}
        return {"driver": "tcp", "host": host, "port": _int(conn, "tcpPort", 23)}
    notes.append(f"bus type {bus} (BLE, MQTT, Modbus...) has no byte transport here: set one")
    return {}
