"""Decoders for BLE characteristic values: a batch of notifications in, blocks of samples out.

Each decoder takes the payloads received since the last flush (one ``bytes`` per notification)
and their reception times, and returns column blocks plus counts of what it had to skip (wrong
length, unknown flags, invalid values). Payloads are concatenated once and decoded with numpy
over the whole batch, grouped by length (and flags for the Heart Rate Measurement).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twinbench.ble.sig import normalize_uuid, short_uuid, uuid_label
from twinbench.ble.structdec import StructSpecError, parse_struct
from twinbench.model import Channel


@dataclass(frozen=True)
class Block:
    """Decoded samples of some channels: n timestamps by k values."""

    channels: tuple[str, ...]
    t_ns: np.ndarray
    values: np.ndarray


@dataclass
class DecodeStats:
    """What a decode call accepted and skipped, with a message for the last problem."""

    ok: int = 0
    bad_length: int = 0
    unknown_flags: int = 0
    invalid: int = 0
    message: str = ""

    @property
    def problems(self) -> int:
        """Notifications skipped or flagged."""
        return self.bad_length + self.unknown_flags + self.invalid


def pack(payloads: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate payloads: (uint8 buffer, start offsets, lengths)."""
    lengths = np.fromiter(map(len, payloads), np.int64, len(payloads))
    buf = np.frombuffer(b"".join(payloads), np.uint8)
    return buf, np.cumsum(lengths) - lengths, lengths


def gather(buf: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Rows of `width` bytes starting at each offset: an (m, width) uint8 block."""
    return buf[starts[:, None] + np.arange(width)]


def fixed_rows(
    payloads: Sequence[bytes], size: int, t_ns: np.ndarray, st: DecodeStats, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of exactly `size` bytes as an (m, size) uint8 block with their times.

    The others are counted in `st.bad_length` and described in `st.message` (`what` names the
    characteristic and the expected layout).
    """
    if set(map(len, payloads)) == {size}:  # the usual case: one join, no gather
        return np.frombuffer(b"".join(payloads), np.uint8).reshape(-1, size), t_ns
    buf, starts, lengths = pack(payloads)
    good = lengths == size
    st.bad_length = int((~good).sum())
    if st.bad_length:
        st.message = (
            f"{what}: {st.bad_length} notification(s) of wrong length "
            f"(expected {size} byte(s), got {int(lengths[~good][-1])})"
        )
    return gather(buf, starts[good], size), t_ns[good]


class Decoder(abc.ABC):
    """Turns a batch of characteristic values into blocks of samples."""

    key: str = ""
    channels: tuple[Channel, ...] = ()

    def __init__(self, uuid: str) -> None:
        self.uuid = normalize_uuid(uuid)
        self.label = uuid_label(self.uuid)

    @abc.abstractmethod
    def decode(
        self, payloads: Sequence[bytes], t_ns: np.ndarray
    ) -> tuple[list[Block], DecodeStats]:
        """Decode payloads received at `t_ns` (one per payload)."""


class FixedDecoder(Decoder):
    """A single scalar of fixed size (Battery Level, Temperature, Humidity, Pressure)."""

    def __init__(
        self,
        uuid: str,
        key: str,
        dtype: str,
        unit: str,
        scale: float = 1.0,
        unknown: int | None = None,
        vmax: float | None = None,
    ) -> None:
        super().__init__(uuid)
        self.key = key
        self.dtype = np.dtype(dtype)
        self.scale = scale
        self.unknown = unknown
        self.vmax = vmax
        self.channels = (Channel(key, unit, description=self.label),)

    def decode(
        self, payloads: Sequence[bytes], t_ns: np.ndarray
    ) -> tuple[list[Block], DecodeStats]:
        """Decode every payload of exactly the right size; count the others."""
        st = DecodeStats()
        rows, t = fixed_rows(payloads, self.dtype.itemsize, t_ns, st, self.label)
        raw = rows.view(self.dtype).reshape(-1)
        vals = raw.astype(np.float64)
        if self.scale != 1.0:
            vals *= self.scale
        if self.unknown is not None:
            vals[raw == self.unknown] = np.nan
        if self.vmax is not None:
            ok = ~(vals > self.vmax)
            st.invalid = int((~ok).sum())
            if st.invalid:
                st.message = f"{self.label}: {st.invalid} value(s) above {self.vmax:g} skipped"
            vals, t = vals[ok], t[ok]
        st.ok = int(vals.shape[0])
        blocks = [Block((self.key,), t, vals.reshape(-1, 1))] if st.ok else []
        return blocks, st


HR_KNOWN_FLAGS = 0x1F


class HeartRateDecoder(Decoder):
    """Heart Rate Measurement (0x2A37): 8/16-bit bpm, sensor contact, energy, RR intervals."""

    key = "hr"

    def __init__(self, uuid: str = "2a37") -> None:
        super().__init__(uuid)
        self.channels = (
            Channel("hr_bpm", "1/min", description="heart rate"),
            Channel("hr_contact", "", description="sensor contact: 1 yes, 0 no, NaN unsupported"),
            Channel("hr_energy_kj", "kJ", description="energy expended"),
            Channel("hr_rr_ms", "ms", description="RR interval"),
        )

    def decode(
        self, payloads: Sequence[bytes], t_ns: np.ndarray
    ) -> tuple[list[Block], DecodeStats]:
        """Group by (length, flags) and decode each group as one block."""
        st = DecodeStats()
        n = len(payloads)
        buf, starts, lengths = pack(payloads)
        main = np.full((n, 3), np.nan)
        keep = np.zeros(n, bool)
        rr_t: list[np.ndarray] = []
        rr_v: list[np.ndarray] = []
        nonempty = lengths > 0
        flags = np.zeros(n, np.int64)
        flags[nonempty] = buf[starts[nonempty]]
        unknown = (flags & ~HR_KNOWN_FLAGS) != 0
        st.unknown_flags = int((unknown & nonempty).sum())
        if st.unknown_flags:
            bad = int(flags[unknown & nonempty][-1])
            st.message = (
                f"{self.label}: {st.unknown_flags} notification(s) with reserved flag bits set "
                f"(flags 0x{bad:02X}); known fields decoded"
            )
        key = flags & HR_KNOWN_FLAGS
        fixed = 2 + (key & 1) + 2 * ((key >> 3) & 1)
        extra = lengths - fixed
        has_rr = (key >> 4) & 1
        good = nonempty & (extra >= 0) & np.where(has_rr == 1, extra % 2 == 0, extra == 0)
        st.bad_length = int((~good).sum())
        if st.bad_length:
            i = int(np.flatnonzero(~good)[-1])
            st.message = (
                f"{self.label}: {st.bad_length} notification(s) of wrong length (got "
                f"{int(lengths[i])} byte(s) for flags 0x{int(flags[i]):02X})"
            )
        combo = np.where(good, key * 1024 + lengths, -1)
        for c in np.unique(combo[good]):
            idx = np.flatnonzero(combo == c)
            f, length = int(c) // 1024, int(c) % 1024
            rows = gather(buf, starts[idx], length)
            pos = 1
            if f & 1:
                bpm = rows[:, 1].astype(np.float64) + 256.0 * rows[:, 2]
                pos = 3
            else:
                bpm = rows[:, 1].astype(np.float64)
                pos = 2
            main[idx, 0] = bpm
            if f & 0x04:
                main[idx, 1] = float((f >> 1) & 1)
            if f & 0x08:
                main[idx, 2] = rows[:, pos].astype(np.float64) + 256.0 * rows[:, pos + 1]
                pos += 2
            if f & 0x10 and length > pos:
                rr = rows[:, pos:].astype(np.float64)
                rr = (rr[:, 0::2] + 256.0 * rr[:, 1::2]) * (1000.0 / 1024.0)
                rr_v.append(rr.reshape(-1))
                rr_t.append(np.repeat(t_ns[idx], rr.shape[1]))
            keep[idx] = True
        st.ok = int(keep.sum())
        blocks: list[Block] = []
        if st.ok:
            blocks.append(Block(("hr_bpm", "hr_contact", "hr_energy_kj"), t_ns[keep], main[keep]))
        if rr_v:
            t = np.concatenate(rr_t)
            order = np.argsort(t, kind="stable")
            blocks.append(
                Block(("hr_rr_ms",), t[order], np.concatenate(rr_v)[order].reshape(-1, 1))
            )
        return blocks, st


class StructDecoder(Decoder):
    """A custom characteristic decoded with a binary struct spec (one record per notification)."""

    def __init__(self, uuid: str, spec: str, prefix: str = "") -> None:
        super().__init__(uuid)
        self.layout = parse_struct(spec)
        self.key = "struct"
        self.names = tuple(prefix + n for n in self.layout.names)
        self.channels = tuple(Channel(n, description=self.label) for n in self.names)

    def decode(
        self, payloads: Sequence[bytes], t_ns: np.ndarray
    ) -> tuple[list[Block], DecodeStats]:
        """Decode every payload of exactly the record size; count the others."""
        st = DecodeStats()
        what = f"{self.label} as {self.layout.spec!r}"
        rows, t = fixed_rows(payloads, self.layout.size, t_ns, st, what)
        st.ok = int(t.shape[0])
        if not st.ok:
            return [], st
        return [Block(self.names, t, self.layout.decode(rows))], st


class RawDecoder(Decoder):
    """No decoding: the bytes go to the byte listeners (console, framers), e.g. a BLE UART."""

    key = "raw"

    def decode(
        self, payloads: Sequence[bytes], t_ns: np.ndarray
    ) -> tuple[list[Block], DecodeStats]:
        """Accept everything; the caller forwards the bytes."""
        return [], DecodeStats(ok=len(payloads))


SIG_DECODERS = {
    0x2A37: lambda u: HeartRateDecoder(u),
    0x2A19: lambda u: FixedDecoder(u, "battery_pct", "u1", "%", vmax=100),
    0x2A6E: lambda u: FixedDecoder(u, "temperature_c", "<i2", "degC", 0.01, unknown=-0x8000),
    0x2A6F: lambda u: FixedDecoder(u, "humidity_pct", "<u2", "%", 0.01, unknown=0xFFFF, vmax=100),
    0x2A6D: lambda u: FixedDecoder(u, "pressure_pa", "<u4", "Pa", 0.1),
}
NAMED = {
    "hr": 0x2A37,
    "battery": 0x2A19,
    "temperature": 0x2A6E,
    "humidity": 0x2A6F,
    "pressure": 0x2A6D,
}


class DecoderError(ValueError):
    """No decoder fits a characteristic, or its spec is malformed; the message says which."""


def has_decoder(uuid: str) -> bool:
    """Whether a SIG decoder exists for this characteristic UUID."""
    return short_uuid(uuid) in SIG_DECODERS


def make_decoder(uuid: str, spec: str = "", prefix: str = "") -> Decoder:
    """A decoder for `uuid`, by spec ("hr", "battery", "struct:<fields>"...) or SIG number."""
    spec = spec.strip()
    if spec == "raw":
        return RawDecoder(uuid)
    if spec.startswith("struct:"):
        try:
            return StructDecoder(uuid, spec[len("struct:") :], prefix)
        except StructSpecError as exc:
            raise DecoderError(f"characteristic {uuid}: {exc}") from None
    if spec:
        if spec not in NAMED:
            valid = ", ".join([*NAMED, "raw", "struct:<fields>"])
            raise DecoderError(f"characteristic {uuid}: unknown decoder {spec!r}; valid: {valid}")
        return SIG_DECODERS[NAMED[spec]](uuid)
    n = short_uuid(uuid)
    if n not in SIG_DECODERS:
        raise DecoderError(
            f"characteristic {uuid_label(uuid)} has no standard decoder: give one, "
            "e.g. UUID=struct:seq:u32,temp:i16*0.01"
        )
    return SIG_DECODERS[n](uuid)
