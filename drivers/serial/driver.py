"""The `serial` driver: pyserial in a reader thread, chunked reads, auto-reconnect, write."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, ClassVar

from twinbench.drivers.base import Device, Driver, Setting, Sink
from twinbench.drivers.serial.reader import ByteStream
from twinbench.oserrors import explain
from twinbench.profiles.metadata import profile_channels, profile_groups

PARITIES = {"none": "N", "even": "E", "odd": "O", "mark": "M", "space": "S"}
STOPBITS = {"1": 1, "1.5": 1.5, "2": 2}
COALESCE = 1 << 18


def pipeline_settings() -> tuple[Setting, ...]:
    """Settings every byte transport shares: profile, or a quick framing/decoder choice."""
    from twinbench.decode.pipeline import DECODERS, FRAMINGS

    return (
        Setting(
            "profile",
            "Device profile",
            "str",
            "",
            help="profile file or name; overrides framing/decoder below",
        ),
        Setting("framing", "Framing", "choice", "end", choices=FRAMINGS),
        Setting("end", "End delimiter", "str", "\\n", help="escapes such as \\n, \\r\\n"),
        Setting("decoder", "Decoder", "choice", "quickplot", choices=DECODERS),
        Setting(
            "max_channels",
            "Most channels",
            "int",
            256,
            min=1,
            max=65536,
            help="names past this many are refused and counted (garbage cannot grow a device)",
        ),
    )


def load_section(cfg: dict[str, Any]) -> dict[str, Any]:
    """The pipeline section from a profile setting, or from the quick settings."""
    if cfg.get("profile"):
        from twinbench.profiles.loader import load_profile

        return load_profile(cfg["profile"]).data
    return {
        "framing": {"type": cfg["framing"], "end": cfg["end"]},
        "decoder": {"type": cfg["decoder"]},
    }


def profile_device_id(config: dict[str, Any], cfg: dict[str, Any], section: dict[str, Any]) -> None:
    """Name the device by the profile's `[device] id` unless a device_id setting was given."""
    dev = section.get("device", {})
    if not config.get("device_id") and isinstance(dev, dict) and dev.get("id"):
        cfg["device_id"] = str(dev["id"])


def section_with_cap(cfg: dict[str, Any]) -> dict[str, Any]:
    """The pipeline section (profile or quick settings) with the max_channels setting."""
    section = load_section(cfg)
    dec = section.setdefault("decoder", {})
    if isinstance(dec, dict) and "max_channels" in cfg:
        dec.setdefault("max_channels", cfg["max_channels"])
    return section


IDENTITY_KEYS = {"signed", "format", "tag_bytes", "key_id", "key_file", "key_env"}


def identity_section(section: dict[str, Any]) -> dict[str, Any]:
    """The profile's [identity] table, checked, with defaults (errors name the key)."""
    from twinbench.errors import ConfigError

    sec = section.get("identity", {})
    if not isinstance(sec, dict):
        raise ConfigError("identity: expected a table")
    for k in sec:
        if k not in IDENTITY_KEYS:
            raise ConfigError(
                f"identity.{k}: unknown key; valid: {', '.join(sorted(IDENTITY_KEYS))}"
            )
    if not isinstance(sec.get("signed", False), bool):
        raise ConfigError("identity.signed: expected true or false")
    binary = section.get("decoder", {}).get("type") == "binary"
    fmt = sec.get("format", "binary" if binary else "text")
    if fmt not in ("text", "binary"):
        raise ConfigError(f"identity.format: {fmt!r} is not text or binary")
    tag = sec.get("tag_bytes", 32)
    if isinstance(tag, bool) or not isinstance(tag, int) or not 8 <= tag <= 32:
        raise ConfigError(f"identity.tag_bytes: {tag!r} is not an integer within 8..32")
    key_id = sec.get("key_id")
    if key_id is not None and (not isinstance(key_id, str) or not key_id):
        raise ConfigError("identity.key_id: expected a device id")
    for k in ("key_file", "key_env"):
        if not isinstance(sec.get(k, ""), str):
            raise ConfigError(f"identity.{k}: expected a string (where the key lives)")
    return {
        "signed": sec.get("signed", False),
        "format": fmt,
        "tag_bytes": tag,
        "key_id": key_id,
        "key_file": sec.get("key_file", ""),
        "key_env": sec.get("key_env", ""),
    }


def signature_tap(ident: dict[str, Any], device_id: str, decoder: Any) -> Any:
    """A SignatureTap with the device's keys (keyring, credential, file store, key_file/env)."""
    from twinbench.credentials import SecretSpec, find_secret
    from twinbench.decode.taps import SignatureTap
    from twinbench.errors import ConfigError
    from twinbench.identity import FrameVerifier, KeyStore

    key_id = ident["key_id"] or device_id
    store = KeyStore()
    keys = store.keys(key_id)
    named = SecretSpec("key", file=ident.get("key_file", ""), env=ident.get("key_env", ""))
    found, looked = find_secret(named) if not keys and named.named else (None, [])
    if found is not None:
        keys = [found[0]]
    if not keys:
        elsewhere = "".join(f"; {place}" for place in looked)
        raise ConfigError(
            f"identity.signed: no key for {key_id!r} in the keyring, the systemd credential "
            f"twinbench-device-key-{key_id} or the file store {store.files.folder}{elsewhere} "
            f"(run `twinbench identity provision {key_id}`)"
        )
    verifier = FrameVerifier(keys, ident["tag_bytes"])
    return SignatureTap(verifier, decoder.stats, ident["format"] == "text")


def _drain(fd: int, reads: int = 64) -> bytes:
    """Bytes still readable from a port that reported EOF or EIO (b"" when none)."""
    parts: list[bytes] = []
    for _ in range(reads):
        try:
            more = os.read(fd, COALESCE)
        except OSError:
            break
        if not more:
            break
        parts.append(more)
    return b"".join(parts)


class SerialDriver(Driver):
    """A board on a serial port (USB CDC, FTDI, CH340...): bytes decoded by its profile."""

    name = "serial"
    description = "serial port (pyserial): any baud rate, framing and decoder from a profile"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("device_id", "Device id", "str", "serial"),
        Setting("port", "Port", "str", "", help="as pyserial names it: COM3, /dev/ttyACM0..."),
        Setting("baudrate", "Baud rate", "int", 115200, min=1, max=100_000_000),
        Setting("bytesize", "Data bits", "int", 8, min=5, max=8),
        Setting("parity", "Parity", "choice", "none", choices=tuple(PARITIES)),
        Setting("stopbits", "Stop bits", "choice", "1", choices=tuple(STOPBITS)),
        Setting("rtscts", "RTS/CTS flow control", "bool", False),
        Setting("xonxoff", "XON/XOFF flow control", "bool", False),
        Setting("dtr", "DTR line", "bool", True),
        Setting("rts", "RTS line", "bool", True),
        Setting("timeout", "Read timeout (s)", "float", 0.05, min=0.001, max=5),
        *pipeline_settings(),
    )

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        self.cfg = self.parse_settings(config)
        if not self.cfg["port"]:
            from twinbench.drivers.base import SettingError

            raise SettingError("setting 'port' is required (see `twinbench ports`)")
        from twinbench.decode.pipeline import PipelineError, make_pipeline

        try:
            self.section = section_with_cap(self.cfg)
            profile_device_id(config, self.cfg, self.section)
            self.decoder = make_pipeline(self.section, self.cfg["device_id"])
        except PipelineError as exc:
            from twinbench.drivers.base import SettingError

            raise SettingError(f"pipeline: {exc}") from None
        self.port: Any = None
        self.stream: ByteStream | None = None
        self._reconnects = 0
        self.twin_profile: Any = None  # SerialTwinProfile when the profile has a [twin] table
        self._twin: Any = None
        self._twin_lock = threading.Lock()
        self.twin_replies_unclaimed = 0
        self._wire_twin_and_identity()

    def _wire_twin_and_identity(self) -> None:
        """Install the profile's frame taps: signature check first, then twin replies."""
        from twinbench.drivers.base import SettingError
        from twinbench.errors import ConfigError

        try:
            ident = identity_section(self.section)
            if ident["signed"]:
                self.decoder.taps.append(signature_tap(ident, self.cfg["device_id"], self.decoder))
            if "twin" in self.section:
                from twinbench.decode.taps import ReplyTap
                from twinbench.twin.profiles import SerialTwinProfile

                self.twin_profile = SerialTwinProfile.from_section(self.section["twin"])
                self.decoder.taps.append(ReplyTap(self.twin_profile.reply_prefixes, self._on_reply))
        except ConfigError as exc:
            raise SettingError(f"profile: {exc}") from None

    def _on_reply(self, line: str) -> None:
        twin = self._twin
        if twin is None:
            self.twin_replies_unclaimed += 1
        else:
            twin.on_line(line)

    def twin_transport(self, runtime: Any, device_id: str) -> Any:
        """The twin transport of this board (from the profile's [twin] table), or None."""
        if self.twin_profile is None or device_id != self.cfg["device_id"]:
            return None
        with self._twin_lock:  # one transport per board, whichever thread asks first
            if self._twin is None:
                from twinbench.twin.serial_transport import SerialTwinTransport

                self._twin = SerialTwinTransport(runtime, self, self.twin_profile)
            return self._twin

    def device(self) -> Device:
        """The device this driver feeds, with the profile's channels when it names them."""
        chans, groups = profile_channels(self.section), profile_groups(self.section)
        return Device(
            self.cfg["device_id"], self.name, chans, f"serial {self.cfg['port']}", groups=groups
        )

    # -- transport ---------------------------------------------------------------------------
    def _connect(self) -> None:
        import serial

        c = self.cfg
        port = serial.Serial()
        port.port = c["port"]
        port.baudrate = c["baudrate"]
        port.bytesize = c["bytesize"]
        port.parity = PARITIES[c["parity"]]
        port.stopbits = STOPBITS[c["stopbits"]]
        port.rtscts = c["rtscts"]
        port.xonxoff = c["xonxoff"]
        port.timeout = c["timeout"]
        port.dtr = c["dtr"]
        port.rts = c["rts"]
        try:
            port.open()
        except serial.SerialException as exc:
            raise OSError(str(exc)) from None
        self.port = port

    def _read(self) -> bytes:
        import serial

        port = self.port
        fd = getattr(port, "fd", None)
        if isinstance(fd, int) and fd >= 0:
            return self._read_fd(fd)
        try:
            # never readline(): read what is waiting (or block briefly for one byte), and while
            # more keeps arriving gather up to 256 KiB so that one decode call handles many frames
            first = port.read(max(port.in_waiting, 1))
            if not first:
                return first
            parts, size = [first], len(first)
            while size < COALESCE:
                more = port.in_waiting
                if not more:
                    break
                part = port.read(more)
                parts.append(part)
                size += len(part)
            return parts[0] if len(parts) == 1 else b"".join(parts)
        except serial.SerialException as exc:
            raise OSError(str(exc)) from None
        except TypeError as exc:  # pyserial raises this when the fd vanished under it
            raise OSError(str(exc)) from None

    def _read_fd(self, fd: int) -> bytes:
        """POSIX: one select and one read of whatever is waiting (up to 256 KiB).

        pyserial's own read() loops over TIOCINQ-sized (4 KiB) reads and loses what it gathered
        if the port vanishes mid-call; a single os.read loses nothing and runs at pty speed.
        """
        import select

        r, _, _ = select.select([fd], [], [], self.cfg["timeout"])
        if not r:
            return b""
        try:
            data = os.read(fd, COALESCE)  # OSError (EIO) when the board is unplugged
        except OSError as exc:
            data = _drain(fd)  # what the port still holds, where the OS keeps it (macOS, USB)
            if not data:
                raise OSError(str(exc)) from None
            return data
        if not data:
            data = _drain(fd)
            if not data:
                raise OSError("device reports readiness to read but returned no data (unplugged?)")
            return data
        # while bytes keep streaming in, gather more (<= 1 ms wait each) so one decode call
        # handles many frames; a board that trickles gets each read handed on at once
        parts, size, last = [data], len(data), len(data)
        while size < COALESCE and last >= 1024:
            r, _, _ = select.select([fd], [], [], 0.001)
            if not r:
                break
            try:
                more = os.read(fd, COALESCE - size)
            except OSError:
                break  # unplugged: hand on what we have; the next read reports it
            if not more:
                break
            parts.append(more)
            size += len(more)
            last = len(more)
        return data if len(parts) == 1 else b"".join(parts)

    def _disconnect(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                pass

    # -- Driver API --------------------------------------------------------------------------
    async def open(self) -> None:
        """Declare the device and start the reader thread (it connects and reconnects)."""
        dev = self.device()
        self.sink.declare(dev)
        self.stream = ByteStream(
            "serial",
            dev.id,
            self.sink,
            self.decoder,
            self._connect,
            self._read,
            self._disconnect,
            explain=lambda exc: explain(exc, self.cfg["port"], "serial"),
        )
        self.stream.start()

    async def close(self) -> None:
        """Stop reading and close the port."""
        if self.stream is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.stream.stop)
            self._reconnects = self.stream.reconnects
            self.stream = None
        self.sink.status(self.cfg["device_id"], "disconnected", "closed")

    async def write(self, data: bytes) -> None:
        """Send bytes to the board."""
        port = self.port
        if port is None:
            raise ConnectionError(f"{self.cfg['port']} is not connected")
        await asyncio.get_running_loop().run_in_executor(None, port.write, data)

    def loss(self) -> dict[str, int]:
        """The device's loss counters."""
        return self.decoder.loss()

    def counters(self) -> dict[str, dict[str, int]]:
        """Loss counters and reconnects, by device id (diagnostics, summaries, recordings)."""
        reconnects = self.stream.reconnects if self.stream is not None else self._reconnects
        return {self.cfg["device_id"]: {**self.decoder.loss(), "reconnects": reconnects}}
