"""One BLE peripheral on the I/O loop: connect, subscribe, batch notifications, reconnect.

Notification callbacks (bleak calls them on the asyncio I/O thread) only append the payload and
its reception time to the characteristic's pending list and schedule one flush per loop pass;
the flush decodes each characteristic's batch with numpy and pushes one chunk per block. A lost
link shows "disconnected", is retried with exponential backoff, and every subscription is
re-enabled once the device is back.

However the device went (out of range, forgotten by BlueZ, the adapter powered off or pulled
out, bluetoothd restarted), the link keeps looking for it, as a phone's heart-rate app does:
after a failed connect it searches for the address (whether BlueZ still has the device's object
or not) and connects as soon as the device advertises; BlueZ, an adapter or the device coming
back (see :mod:`twinbench.ble.watch`) ends the wait for the next try at once. The status
message says what it is waiting for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinbench.ble import errors, watch
from twinbench.ble.decoders import Decoder, DecoderError, make_decoder
from twinbench.ble.gatt import ServiceInfo, gatt_tree
from twinbench.ble.profiles import NotifySpec
from twinbench.ble.sig import normalize_uuid, uuid_label
from twinbench.drivers.base import Channel, Chunk, Device, Sink

log = logging.getLogger(__name__)
Reporter = Callable[[str, str], None]  # (device_id, message)
RATE_SPAN_NS = 200_000_000  # the notification rate is measured over at least this long


@dataclass
class SubStats:
    """Counts for one subscribed characteristic."""

    notifications: int = 0
    samples: int = 0
    bad_length: int = 0
    unknown_flags: int = 0
    invalid: int = 0
    missing: int = 0
    missed_while_reconnecting: int = 0  # estimated from the rate before the link was lost
    message: str = ""


@dataclass
class Subscription:
    """A characteristic we listen to, its decoder and what is waiting to be decoded."""

    spec: NotifySpec
    decoder: Decoder
    active: bool = False
    payloads: list[bytes] = field(default_factory=list)
    t_ns: list[int] = field(default_factory=list)
    stats: SubStats = field(default_factory=SubStats)
    _reported_at: float = 0.0
    # this connection's notification times (for the rate), and the gap left by a lost link
    first_ns: int = 0
    last_ns: int = 0
    count: int = 0
    rate_per_ns: float = 0.0  # notification rate seen over a stretch of at least RATE_SPAN_NS
    gap_from: int = 0  # time of the last notification before the link was lost (0: no gap)

    def link_lost(self) -> None:
        """Remember where the stream stopped, to count the gap when it resumes."""
        self._update_rate()
        self.gap_from = self.last_ns if self.rate_per_ns > 0 else 0
        self.count = 0

    def _update_rate(self) -> None:
        span = self.last_ns - self.first_ns
        if self.count >= 5 and span >= RATE_SPAN_NS:
            self.rate_per_ns = (self.count - 1) / span

    def received(self, t_ns: np.ndarray) -> None:
        """Account for a batch of notification times (one flush)."""
        if not len(t_ns):
            return
        if self.gap_from:
            missed = round((int(t_ns[0]) - self.gap_from) * self.rate_per_ns) - 1
            self.stats.missed_while_reconnecting += max(0, missed)
            self.gap_from = 0
        if self.count == 0:
            self.first_ns = int(t_ns[0])
        self.last_ns = int(t_ns[-1])
        self.count += len(t_ns)
        self._update_rate()


@dataclass
class LinkOptions:
    """How a link connects and reconnects."""

    reconnect: bool = True
    backoff_min: float = 0.1
    backoff_max: float = 1.0
    connect_timeout: float = 10.0
    adapter: str = ""


class BleLink:
    """A connection to one peripheral, owned by the `ble` driver on the I/O loop."""

    def __init__(
        self,
        device_id: str,
        address: str,
        sink: Sink,
        notify: tuple[NotifySpec, ...] = (),
        ble_device: Any = None,
        name: str = "",
        options: LinkOptions | None = None,
        report: Reporter | None = None,
    ) -> None:
        self.device_id = device_id
        self.address = address.upper()
        self.name = name
        self.sink = sink
        self.ble_device = ble_device
        self.options = options or LinkOptions()
        self.report = report or (lambda dev, msg: log.warning("%s: %s", dev, msg))
        self.zero_touch = not notify
        self.subs: dict[str, Subscription] = {}
        for spec in notify:
            self.subs[spec.uuid] = Subscription(spec, make_decoder(spec.uuid, spec.decoder))
        self.state = "idle"
        self.message = ""
        self.client: Any = None
        self.tree: list[ServiceInfo] = []
        self.connects = 0
        self.connect_failures = 0
        self.link_losses = 0
        self.first_value_at = 0.0  # monotonic time of the first value after the last connect
        self._await_first = False
        self._wake = asyncio.Event()  # set by BlueZ events that may end the wait for a retry
        self._watching = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._flush_pending = False
        self._stale: list[Any] = []
        self._declared: tuple[str, ...] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- state -----------------------------------------------------------------------------
    def _set_state(self, state: str, message: str = "", retry_in: float = 0.0) -> None:
        if (state, message) != (self.state, self.message) or retry_in:
            self.state, self.message = state, message
            if retry_in:  # the app's sink shows "reconnecting in N s"
                self.sink.status(self.device_id, state, message, retry_in=retry_in)  # type: ignore[call-arg]
            else:
                self.sink.status(self.device_id, state, message)

    @property
    def connected(self) -> bool:
        """Whether the link is up."""
        return self.client is not None and self.state == "connected"

    # -- connecting ------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect once; on failure report it and keep retrying in the background.

        A device that was not seen advertising is searched for in the background only, so that
        opening the driver never waits for a scan timeout.
        """
        self._loop = asyncio.get_running_loop()
        if not self._watching:
            await watch.subscribe(self._on_bluez)
            self._watching = True
        if self.ble_device is None:
            self._set_state("error", f"{self.address} not seen advertising; still searching")
            if self.options.reconnect:
                self._spawn_reconnect()
            return
        try:
            await self._connect()
        except Exception as exc:
            self.connect_failures += 1
            self._set_state("error", self._failed(exc, f"connect to {self.address} failed"))
            if self.options.reconnect and not self._closing:
                self._spawn_reconnect()

    def _spawn_reconnect(self) -> None:
        if self._loop is not None and (self._task is None or self._task.done()):
            self._task = self._loop.create_task(self._reconnect_loop(), name=f"ble-{self.address}")

    def _failed(self, exc: BaseException, what: str) -> str:
        """Why a connect failed and what happens next; from now on, search by address."""
        kind = errors.kind_of(exc)
        # Look for the address from now on: bleak scans and connects as soon as the device
        # advertises, whether BlueZ still has its object, forgot it, or restarted.
        self.ble_device = None
        if kind == errors.DEVICE_GONE:
            return f"{self.address} is not in range; searching, connects when it advertises"
        if kind in errors.UNAVAILABLE:
            from twinbench.ble.ops import explain

            return f"{explain(exc)}; waiting for it"
        if not self.options.reconnect:
            return f"{what}: {_why(exc)}"
        return f"{what}: {_why(exc)}; retrying"

    def _on_bluez(self, event: str, path: str) -> None:
        """A BlueZ event from the watcher: a link it killed silently is lost; others wake us."""
        mine = path.endswith("/dev_" + self.address.replace(":", "_"))
        if self.client is not None and (
            event == "bluez-lost" or (event == "device-removed" and mine)
        ):
            why = "bluetoothd stopped" if event == "bluez-lost" else "device removed by BlueZ"
            self._on_disconnect(self.client, why)
        if event in ("bluez-back", "adapter-added", "adapter-on") or (
            event == "device-added" and mine
        ):
            self._wake.set()

    async def _connect(self) -> None:
        from bleak import BleakClient

        kw: dict[str, Any] = (
            {"bluez": {"adapter": self.options.adapter}} if self.options.adapter else {}
        )
        target = self.ble_device or self.address
        client = BleakClient(
            target,
            disconnected_callback=self._on_disconnect,
            timeout=self.options.connect_timeout,
            **kw,
        )
        await client.connect()
        self.client = client
        self.connects += 1
        try:
            self.tree = gatt_tree(client.services)
            if self.zero_touch:
                self._add_decodable()
            await self._subscribe_all()
            if self.client is not client:  # the link dropped while we were subscribing
                raise ConnectionError("link lost while enabling notifications")
        except BaseException:
            if self.client is client:
                self.client = None
                self._stale.append(client)  # disconnected (and its bus freed) before a retry
            raise
        self._declare()
        self._await_first = True
        self._set_state("connected", "" if self.connects == 1 else f"reconnected ({self.connects})")

    def _add_decodable(self) -> None:
        for s in self.tree:
            for c in s.characteristics:
                if (
                    c.decodable
                    and (c.can("notify") or c.can("indicate"))
                    and c.uuid not in self.subs
                ):
                    self.subs[c.uuid] = Subscription(NotifySpec(c.uuid), make_decoder(c.uuid))

    async def _subscribe_all(self) -> None:
        for sub in list(self.subs.values()):
            await self._subscribe(sub)

    async def _subscribe(self, sub: Subscription) -> None:
        sub.active = False
        char = self.client.services.get_characteristic(sub.spec.uuid)
        if char is None:
            sub.stats.missing += 1
            self._problem(
                sub, f"characteristic {uuid_label(sub.spec.uuid)} not found on the device"
            )
            return
        try:
            await self.client.start_notify(char, lambda _c, data, s=sub: self._on_note(s, data))
        except Exception as exc:
            sub.stats.missing += 1
            self._problem(sub, f"cannot subscribe to {uuid_label(sub.spec.uuid)}: {_why(exc)}")
            return
        sub.active = True

    def _declare(self) -> None:
        names: list[str] = []
        chans: list[Channel] = []
        for sub in self.subs.values():
            for ch in sub.decoder.channels:
                if ch.name not in names:
                    names.append(ch.name)
                    chans.append(ch)
        if tuple(names) != self._declared:
            self._declared = tuple(names)
            meta = {"address": self.address, "name": self.name}
            self.sink.declare(
                Device(
                    self.device_id, "ble", tuple(chans), f"BLE {self.name or self.address}", meta
                )
            )

    def _on_disconnect(self, client: Any, why: str = "link lost") -> None:
        if self._closing or client is not self.client:
            return
        self.client = None
        self._stale.append(client)  # bleak keeps its D-Bus connection until disconnect()
        self.link_losses += 1
        self.first_value_at = 0.0
        self._flush()
        for sub in self.subs.values():
            sub.active = False
            sub.link_lost()
        self._set_state(
            "disconnected",
            why + ("; reconnecting" if self.options.reconnect else ""),
            self.options.backoff_min if self.options.reconnect else 0.0,
        )
        if self.options.reconnect:
            self._spawn_reconnect()

    async def _reconnect_loop(self) -> None:
        delay = self.options.backoff_min
        while not self._closing:
            await self._release_stale()
            try:  # BlueZ, its adapter or the device coming back ends the wait early
                await asyncio.wait_for(self._wake.wait(), delay)
                delay = self.options.backoff_min
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self._connect()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connect_failures += 1
                state = "error" if self.connects == 0 else "disconnected"
                delay = min(delay * 2, self.options.backoff_max)
                self._set_state(state, self._failed(exc, "reconnect failed"), delay)

    async def _release_stale(self) -> None:
        while self._stale:
            try:
                await self._stale.pop().disconnect()
            except Exception as exc:
                log.debug("releasing a lost client of %s: %s", self.address, exc)

    async def close(self) -> None:
        """Stop reconnecting, flush what is pending and disconnect."""
        self._closing = True
        if self._watching:
            self._watching = False
            await watch.unsubscribe(self._on_bluez)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        self._flush()
        await self._release_stale()
        client, self.client = self.client, None
        if client is not None:
            try:
                await client.disconnect()
            except Exception as exc:
                log.debug("disconnect %s: %s", self.address, exc)
        self._set_state("disconnected", "closed")

    # -- notifications -----------------------------------------------------------------------
    def _on_note(self, sub: Subscription, data: bytearray) -> None:
        sub.payloads.append(bytes(data))
        sub.t_ns.append(time.time_ns())
        if not self._flush_pending and self._loop is not None:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        for sub in self.subs.values():
            if not sub.payloads:
                continue
            payloads, sub.payloads = sub.payloads, []
            t_ns, sub.t_ns = np.array(sub.t_ns, np.int64), []
            try:
                blocks, st = sub.decoder.decode(payloads, t_ns)
            except Exception as exc:  # a decoder bug must not stop the stream
                sub.stats.invalid += len(payloads)
                self._problem(sub, f"decoder failed on {len(payloads)} notification(s): {exc}")
                continue
            if sub.decoder.key == "raw":  # a byte stream: one push per flush
                self.sink.push_bytes(self.device_id, b"".join(payloads), int(t_ns[-1]))
            for b in blocks:
                self.sink.push(Chunk(self.device_id, b.channels, b.t_ns, b.values))
            if blocks and self._await_first:
                self._await_first = False
                self.first_value_at = time.monotonic()
            sub.received(t_ns)
            s = sub.stats  # counted after the push: a reader that sees the count sees the data
            s.samples += sum(len(b.t_ns) for b in blocks)
            s.bad_length += st.bad_length
            s.unknown_flags += st.unknown_flags
            s.invalid += st.invalid
            s.notifications += len(payloads)
            if st.problems:
                self._problem(sub, st.message)

    def _problem(self, sub: Subscription, message: str) -> None:
        sub.stats.message = message
        now = time.monotonic()
        if now - sub._reported_at >= 5.0:  # counted every time, reported at most every 5 s
            sub._reported_at = now
            self.report(self.device_id, message)

    # -- commands ------------------------------------------------------------------------------
    def _need_client(self) -> Any:
        if self.client is None:
            raise ConnectionError(f"BLE device {self.device_id} is {self.state}: {self.message}")
        return self.client

    def _char(self, uuid: str) -> Any:
        u = normalize_uuid(uuid)
        char = self._need_client().services.get_characteristic(u)
        if char is None:
            raise KeyError(f"characteristic {uuid_label(u)} not found on {self.device_id}")
        return char

    async def read(self, uuid: str) -> bytes:
        """Read a characteristic's value."""
        return bytes(await self._need_client().read_gatt_char(self._char(uuid)))

    async def write(self, uuid: str, data: bytes, response: bool | None = None) -> None:
        """Write a characteristic (with response unless it only allows write-without-response)."""
        await self._need_client().write_gatt_char(self._char(uuid), data, response=response)

    async def subscribe(self, uuid: str, decoder: str = "") -> tuple[str, ...]:
        """Subscribe to one more characteristic; returns the channels it feeds."""
        spec = NotifySpec(normalize_uuid(uuid), decoder)
        dec = make_decoder(spec.uuid, decoder)
        taken = {
            c.name
            for s in self.subs.values()
            if s.spec.uuid != spec.uuid
            for c in s.decoder.channels
        }
        clash = taken & {c.name for c in dec.channels}
        if clash:
            raise DecoderError(
                f"channel(s) {', '.join(sorted(clash))} already used on {self.device_id}"
            )
        old = self.subs.get(spec.uuid)
        if old is not None and old.active:
            await self._need_client().stop_notify(spec.uuid)
        sub = self.subs[spec.uuid] = Subscription(spec, dec)
        if self.client is not None:
            await self._subscribe(sub)
        self._declare()
        return tuple(c.name for c in dec.channels)

    async def unsubscribe(self, uuid: str) -> None:
        """Stop listening to a characteristic."""
        sub = self.subs.pop(normalize_uuid(uuid), None)
        if sub is not None and sub.active and self.client is not None:
            await self.client.stop_notify(sub.spec.uuid)

    def stats(self) -> dict[str, Any]:
        """Counters for the GUI and the `stats` command."""
        return {
            "device": self.device_id,
            "address": self.address,
            "name": self.name,
            "state": self.state,
            "message": self.message,
            "connects": self.connects,
            "connect_failures": self.connect_failures,
            "link_losses": self.link_losses,
            "first_value_at": self.first_value_at,
            "characteristics": {
                u: {"active": s.active, "decoder": s.decoder.key, **vars(s.stats)}
                for u, s in self.subs.items()
            },
        }

    def loss(self) -> dict[str, int]:
        """Loss counters for summaries and diagnostics: totals, then per characteristic."""
        per: dict[str, int] = {}
        totals = {"malformed": 0, "missing": 0, "missed_while_reconnecting": 0}
        for u, sub in self.subs.items():
            st = sub.stats
            counts = {
                "malformed": st.bad_length + st.unknown_flags + st.invalid,
                "missing": st.missing,
                "missed_while_reconnecting": st.missed_while_reconnecting,
            }
            for k, v in counts.items():
                totals[k] += v
                per[f"{k}: {uuid_label(u)}"] = v
        return {
            "reconnects": max(0, self.connects - 1),
            "link_losses": self.link_losses,
            "connect_failures": self.connect_failures,
            **totals,
            **per,
        }


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        text = "timed out"
    return text
