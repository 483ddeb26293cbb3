"""A device's byte pipeline: framer -> checksum -> decoder -> channel scaling -> Chunk.

`make_pipeline(section)` builds a `ByteDecoder` from the framing/checksum/decoder/channels tables
of a device profile (plain dicts, as TOML gives them). Every byte transport (serial, TCP, UDP,
MQTT payloads) feeds bytes into `feed(data, t_ns)` and gets at most one Chunk back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from twinbench.decode import checksums, framing
from twinbench.decode.binary import StructDecoder, parse_struct
from twinbench.decode.frames import Frames, LossStats
from twinbench.decode.text import CsvDecoder, JsonLinesDecoder, PairDecoder
from twinbench.model import Chunk

FRAMINGS = ("end", "start_end", "start", "fixed", "length", "cobs", "slip", "message")
DECODERS = ("csv", "quickplot", "keyvalue", "jsonl", "binary")
MAX_SPREAD_NS = 100_000_000  # frames of one read are spread over at most the last 100 ms
MAX_CHANNELS = 256  # channels one device may grow to; names past it are refused and counted


class PipelineError(ValueError):
    """A profile section is invalid; `key` names the offending key (dotted path)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


class Decoder(Protocol):
    """Turns a batch of frames into (channel names, values[n, k])."""

    def decode(self, frames: Frames) -> tuple[tuple[str, ...], np.ndarray] | None:
        """Decode a batch."""


def parse_delimiter(value: Any, hex_mode: bool, key: str) -> bytes:
    """A delimiter from profile text: escapes like '\\n' are understood, or hex like 'C0 DE'."""
    if value is None or value == "":
        return b""
    if not isinstance(value, str):
        raise PipelineError(key, f"expected text, got {value!r}")
    if hex_mode:
        try:
            return bytes.fromhex(value.replace("0x", "").replace(",", " "))
        except ValueError:
            raise PipelineError(key, f"{value!r} is not hexadecimal bytes") from None
    try:
        return value.encode("latin-1").decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise PipelineError(key, f"{value!r} is not a valid delimiter") from None


class ChecksumCheck:
    """Verifies a checksum stored inside each frame and strips it when it sits at the end."""

    def __init__(self, cfg: Mapping[str, Any], stats: LossStats) -> None:
        name = cfg.get("type", cfg.get("algorithm"))
        try:
            self.name = checksums.canonical(str(name))
        except KeyError:
            valid = ", ".join(checksums.NAMES)
            raise PipelineError("checksum.type", f"{name!r} is not one of {valid}") from None
        self.width = checksums.WIDTH_BYTES[self.name]
        self.start = int(cfg.get("start", 0))
        self.position = int(cfg.get("position", -self.width))
        self.end = cfg.get("end")
        self.endian = str(cfg.get("endian", "big"))
        if self.endian not in ("big", "little"):
            raise PipelineError("checksum.endian", f"{self.endian!r} is not big or little")
        self.stats = stats

    def apply(self, frames: Frames) -> Frames:
        """Keep the frames whose checksum matches (counting the others)."""
        if len(frames) == 0:
            return frames
        keep = np.zeros(len(frames), bool)
        short = 0
        for length, idx in frames.groups():
            pos = self.position if self.position >= 0 else length + self.position
            end = pos if self.end is None else int(self.end)
            end = end if end >= 0 else length + end
            if pos < 0 or pos + self.width > length or not 0 <= self.start <= end <= length:
                short += len(idx)  # too short to hold the checksum: malformed
                continue
            rows = frames.rows(idx, length)
            got = checksums.compute_rows(self.name, rows[:, self.start : end])
            field = rows[:, pos : pos + self.width].astype(np.uint32)
            order = range(self.width) if self.endian == "big" else range(self.width - 1, -1, -1)
            stored = np.zeros(len(idx), np.uint32)
            for j in order:
                stored = (stored << 8) | field[:, j]
            ok = got == stored
            keep[idx[ok]] = True
            self.stats.checksum_errors += int((~ok).sum())
        self.stats.malformed += short
        out = frames if keep.all() else frames.select(keep)
        if self.position == -self.width:
            out = Frames(out.buf, out.starts, out.lengths - self.width)
        return out


@dataclass(frozen=True)
class ChannelMap:
    """A profile channel: which decoded column feeds it and how it is scaled."""

    name: str
    source: str | int
    unit: str = ""
    scale: float = 1.0
    offset: float = 0.0
    range: tuple[float, float] | None = None


class ByteDecoder:
    """Bytes in, at most one Chunk out per call; loss counters in `stats`."""

    def __init__(
        self,
        device_id: str,
        framer: framing.Framer,
        decoder: Decoder,
        stats: LossStats,
        checksum: ChecksumCheck | None = None,
        channels: Sequence[ChannelMap] = (),
        max_channels: int = MAX_CHANNELS,
    ) -> None:
        self.device_id = device_id
        self.max_channels = max_channels
        self._known: set[str] = set()
        self._refused: set[str] = set()
        self._cap_cache: dict[tuple[str, ...], np.ndarray | None] = {}
        self.framer = framer
        self.decoder = decoder
        self.checksum = checksum
        self.channels = tuple(channels)
        self.stats = stats
        self._last_t = 0
        self._map_cache: dict[tuple[str, ...], tuple[tuple[str, ...], np.ndarray, Any]] = {}
        self.taps: list[Any] = []  # frame taps (signatures, twin replies), in order
        self.frame_len: int | None = None  # exact frame length a binary struct needs

    def feed(self, data: bytes, t_ns: int) -> Chunk | None:
        """Decode whatever complete frames `data` completes; None when there are none."""
        self.stats.bytes_in += len(data)
        frames = self.framer.feed(data)
        for tap in self.taps:
            if len(frames):
                frames = tap.apply(frames)
        if self.frame_len is not None and len(frames):
            sized = frames.lengths == self.frame_len
            if not sized.all():  # noise, or a struct that does not fill the frame
                self.stats.malformed += int((~sized).sum())
                frames = frames.select(sized)
        if self.checksum is not None and len(frames):
            frames = self.checksum.apply(frames)
        if len(frames) == 0:
            return None
        decoded = self.decoder.decode(frames)
        if decoded is None:
            return None
        names, values = decoded
        n = values.shape[0]
        if n == 0:
            return None
        names, values = self._map(names, values)
        names, values = self._cap(names, values)
        if not names:
            return None
        self.stats.frames += n
        t0 = max(self._last_t, t_ns - MAX_SPREAD_NS)
        if n == 1 or t0 >= t_ns:
            t = np.full(n, t_ns, dtype=np.int64)
        else:
            t = t0 + ((t_ns - t0) * np.arange(1, n + 1, dtype=np.int64)) // n
        self._last_t = t_ns
        return Chunk(self.device_id, names, t, values)

    def reset(self) -> None:
        """The stream broke: drop the unfinished frame (counted as truncated)."""
        self.framer.reset()
        resync = getattr(self.decoder, "resync", None)
        if resync is not None:
            resync()

    def _cap(
        self, names: tuple[str, ...], values: np.ndarray
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """Keep the device within `max_channels` names; later new names are refused (counted)."""
        if names in self._cap_cache:
            keep = self._cap_cache[names]
        else:
            room = self.max_channels - len(self._known)
            mask = np.ones(len(names), bool)
            for i, nm in enumerate(names):
                if nm in self._known:
                    continue
                if room > 0:
                    self._known.add(nm)
                    room -= 1
                else:
                    mask[i] = False
                    if nm not in self._refused and len(self._refused) < 1 << 16:
                        self._refused.add(nm)
                        self.stats.channels_refused += 1
            keep = None if mask.all() else np.flatnonzero(mask)
            if len(self._cap_cache) > 4096:
                self._cap_cache.clear()
            self._cap_cache[names] = keep
        if keep is None:
            return names, values
        return tuple(names[i] for i in keep), values[:, keep]

    def loss(self) -> dict[str, int]:
        """The loss counters as a dict."""
        return self.stats.as_dict()

    def _map(
        self, names: tuple[str, ...], values: np.ndarray
    ) -> tuple[tuple[str, ...], np.ndarray]:
        if not self.channels:
            return names, values
        cached = self._map_cache.get(names)
        if cached is None:
            index = {nm: i for i, nm in enumerate(names)}
            cols: list[int] = []
            out_names: list[str] = []
            scale: list[float] = []
            offset: list[float] = []
            for ch in self.channels:
                src = ch.source
                col = index.get(src) if isinstance(src, str) else src
                if col is None or not 0 <= col < len(names):
                    continue
                cols.append(col)
                out_names.append(ch.name)
                scale.append(ch.scale)
                offset.append(ch.offset)
            sc, of = np.array(scale), np.array(offset)
            linear = (sc, of) if ((sc != 1).any() or (of != 0).any()) else None
            cached = (tuple(out_names), np.array(cols, dtype=np.int64), linear)
            self._map_cache[names] = cached
        out_names_t, cols_a, lin = cached
        if not out_names_t:
            return names, values
        out = values[:, cols_a]
        if lin is not None:
            out = out * lin[0] + lin[1]
        return out_names_t, out


def _framer(cfg: Mapping[str, Any], stats: LossStats) -> framing.Framer:
    kind = str(cfg.get("type", "end"))
    hex_mode = bool(cfg.get("hex", False))
    max_frame = int(cfg.get("max_frame", 4096))
    if max_frame <= 0:
        raise PipelineError("framing.max_frame", "must be positive")
    start = parse_delimiter(cfg.get("start"), hex_mode, "framing.start")
    end = parse_delimiter(cfg.get("end"), hex_mode, "framing.end")
    length = cfg.get("length")
    try:
        if kind == "end":
            return framing.EndFramer(end or b"\n", stats, max_frame)
        if kind == "start_end":
            return framing.StartEndFramer(start, end, stats, max_frame)
        if kind == "start":
            return framing.StartFramer(
                start, stats, None if length is None else int(length), max_frame
            )
        if kind == "fixed":
            if length is None:
                raise PipelineError("framing.length", "fixed framing needs a length")
            if start:
                return framing.StartFramer(start, stats, int(length) - len(start), max_frame)
            return framing.FixedFramer(int(length), stats)
        if kind == "length":
            sync = (
                parse_delimiter(cfg.get("sync"), True, "framing.sync") if "sync" in cfg else start
            )
            return framing.LengthFramer(
                stats,
                int(cfg.get("size", 1)),
                str(cfg.get("endian", "little")),
                sync,
                int(cfg.get("adjust", 0)),
                max_frame,
            )
        if kind == "message":
            return framing.MessageFramer(stats, max_frame)
        if kind == "cobs":
            return framing.CobsFramer(stats, max_frame)
        if kind == "slip":
            return framing.SlipFramer(stats, max_frame)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, PipelineError):
            raise
        raise PipelineError(f"framing.{kind}", str(exc)) from None
    raise PipelineError("framing.type", f"{kind!r} is not one of {', '.join(FRAMINGS)}")


def _decoder(cfg: Mapping[str, Any], stats: LossStats, names: Sequence[str]) -> Decoder:
    kind = str(cfg.get("type", "csv"))
    if kind == "csv":
        delim = parse_delimiter(cfg.get("delimiter", ","), False, "decoder.delimiter")
        if len(delim) != 1:
            raise PipelineError("decoder.delimiter", "must be one character")
        cols = cfg.get("columns")
        # columns are named by the decoder, else by the profile's channels in order
        col_names = cfg.get("names") or names
        return CsvDecoder(stats, delim.decode("latin-1"), col_names, cols)
    if kind == "quickplot":
        return PairDecoder(stats, ":", cfg.get("names", ()))
    if kind == "keyvalue":
        return PairDecoder(stats, str(cfg.get("separator", "=")), cfg.get("names", ()))
    if kind == "jsonl":
        return JsonLinesDecoder(stats, cfg.get("names", ()))
    if kind == "binary":
        fields_cfg = cfg.get("fields")
        if not isinstance(fields_cfg, list) or not fields_cfg:
            raise PipelineError("decoder.fields", "a binary decoder needs a list of fields")
        try:
            fields, size = parse_struct(fields_cfg, "decoder.fields")
            return StructDecoder(
                fields, str(cfg.get("endian", "little")), cfg.get("sequence"), stats, size
            )
        except ValueError as exc:
            msg = str(exc)
            key, _, rest = msg.partition(": ")
            raise PipelineError(
                key if key.startswith("decoder") else "decoder", rest or msg
            ) from None
    raise PipelineError("decoder.type", f"{kind!r} is not one of {', '.join(DECODERS)}")


def channel_maps(items: Sequence[Mapping[str, Any]]) -> list[ChannelMap]:
    """Profile [[channels]] tables as ChannelMaps (source defaults to the name)."""
    out: list[ChannelMap] = []
    for i, ch in enumerate(items):
        name = ch.get("name")
        if not isinstance(name, str) or not name:
            raise PipelineError(f"channels[{i}].name", "a channel needs a name")
        rng = ch.get("range")
        if rng is not None and (not isinstance(rng, list) or len(rng) != 2):
            raise PipelineError(f"channels[{i}].range", "expected [min, max]")
        src = ch.get("source", name)
        out.append(
            ChannelMap(
                name,
                src,
                str(ch.get("unit", "")),
                float(ch.get("scale", 1.0)),
                float(ch.get("offset", 0.0)),
                None if rng is None else (float(rng[0]), float(rng[1])),
            )
        )
    return out


def make_pipeline(section: Mapping[str, Any], device_id: str = "device") -> ByteDecoder:
    """Build the byte pipeline described by a profile's framing/checksum/decoder/channels."""
    stats = LossStats()
    framer = _framer(section.get("framing", {}), stats)
    chans = channel_maps(section.get("channels", []))
    decoder = _decoder(section.get("decoder", {}), stats, [c.name for c in chans])
    ck_cfg = section.get("checksum")
    checksum = ChecksumCheck(ck_cfg, stats) if ck_cfg else None
    frame_len = _struct_frame_len(section, decoder, checksum)
    cap = section.get("decoder", {}).get("max_channels", MAX_CHANNELS)
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise PipelineError("decoder.max_channels", f"{cap!r} is not a positive integer")
    out = ByteDecoder(device_id, framer, decoder, stats, checksum, chans, cap)
    out.frame_len = frame_len
    return out


def _struct_frame_len(
    section: Mapping[str, Any], decoder: Decoder, checksum: ChecksumCheck | None
) -> int | None:
    """The frame length a binary struct needs (struct + trailing checksum), checked against a
    fixed framing length; None for text decoders and for signed frames (the tap strips tags)."""
    if not isinstance(decoder, StructDecoder) or section.get("identity", {}).get("signed"):
        return None
    trailing = (
        checksum.width if checksum is not None and checksum.position == -checksum.width else 0
    )
    need = decoder.size + trailing
    fr = section.get("framing", {})
    if fr.get("type") == "fixed" and fr.get("length") is not None:
        start = parse_delimiter(fr.get("start"), bool(fr.get("hex", False)), "framing.start")
        have = int(fr["length"]) - len(start)
        if have != need:
            ck = f" + {trailing}-byte checksum" if trailing else ""
            raise PipelineError(
                "decoder.fields",
                f"the struct is {decoder.size} bytes{ck} = {need}, but framing.length "
                f"{fr['length']} leaves {have} bytes per frame",
            )
    return need
