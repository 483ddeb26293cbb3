"""The runtime: an asyncio I/O thread for drivers, consumer threads, and clean shutdown."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import importlib
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from twinbench.drivers.base import Driver, SettingError
from twinbench.errors import UsageError
from twinbench.events import EventLog
from twinbench.hub import Hub, Subscription
from twinbench.model import Chunk, Device
from twinbench.registry import load_driver


class HubSink:
    """The sink handed to drivers: forwards to the hub and logs state changes as events."""

    def __init__(self, hub: Hub, events: EventLog) -> None:
        self.hub = hub
        self.events = events
        self.services: dict[str, Any] = {}  # named callables drivers offer (e.g. mqtt_publish)
        # chunk transforms applied before publication (derived channels): `tf(chunk) -> chunk`
        # and `tf.declare(device) -> device`
        self.transforms: list[Any] = []

    def declare(self, device: Device) -> None:
        """Announce a device (with the channels the transforms add)."""
        for tf in self.transforms:
            device = tf.declare(device)
        self.hub.declare(device)

    def push(self, chunk: Chunk) -> None:
        """Publish a chunk, widened first by the transforms (derived channels)."""
        for tf in self.transforms:
            chunk = tf(chunk)
        self.hub.publish(chunk)

    def push_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        """Publish raw bytes."""
        self.hub.publish_bytes(device_id, data, t_ns)

    def status(self, device_id: str, state: str, message: str = "", retry_in: float = 0.0) -> None:
        """Record a connection state change (`retry_in`: seconds to the next reconnect try)."""
        self.hub.set_state(device_id, state, message, retry_in)
        self.events.emit("connection", device_id, message or state, state=state)


class OwnedSink:
    """One driver's view of the sink: forwards everything and notes the device ids it feeds."""

    def __init__(self, sink: HubSink) -> None:
        self._sink = sink
        self.device_ids: set[str] = set()
        self.opened: concurrent.futures.Future[Any] | None = None  # the driver's open, once started
        # the state of the driver's own link (an id that is no device: an MQTT broker
        # connection): (state, message, monotonic time of the next try or 0)
        self.link: tuple[str, str, float] | None = None

    def __getattr__(self, name: str) -> Any:  # services, events, hub...
        return getattr(self._sink, name)

    def declare(self, device: Device) -> None:
        """Announce a device of this driver."""
        self.device_ids.add(device.id)
        self._sink.declare(device)

    def push(self, chunk: Chunk) -> None:
        """Publish a chunk of this driver."""
        if chunk.device not in self.device_ids:  # a device pushed without a declaration
            self.device_ids.add(chunk.device)
        self._sink.push(chunk)

    def push_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        """Publish raw bytes."""
        self._sink.push_bytes(device_id, data, t_ns)

    def status(self, device_id: str, state: str, message: str = "", retry_in: float = 0.0) -> None:
        """Record a connection state change of one of this driver's devices (or its link)."""
        if device_id not in self._sink.hub.devices:
            retry_at = time.monotonic() + retry_in if retry_in > 0 else 0.0
            self.link = (state, message, retry_at)
        self.device_ids.add(device_id)
        self._sink.status(device_id, state, message, retry_in)


GIL_SWITCH_S = 0.001  # see settle_heap


def settle_heap() -> None:
    """Collect garbage once and freeze what is alive: later collections skip start-up objects.

    Called by the app and headless runs just before they start streaming, so a full
    collection on the hot path scans only what was allocated since (shorter pauses); modules
    that numpy imports lazily on first use are loaded here too, not in the middle of a chunk,
    and numpy stops asking for huge pages (their first touch stalls a chunk by milliseconds).
    """
    importlib.import_module("numpy.ma")  # np.unique imports it on first use (~45 ms)
    # numpy asks for transparent huge pages on big arrays; with the kernel's default "madvise"
    # defrag, the first touch of a fresh window ring then stalls for ~5 ms (compaction)
    multiarray = importlib.import_module("numpy._core.multiarray")
    set_hugepage = getattr(multiarray, "_set_madvise_hugepage", None)
    if set_hugepage is not None:
        set_hugepage(False)
    gc.collect()
    gc.freeze()
    # A thread that wakes (a rules worker, the GUI pump) waits for the GIL until the thread
    # holding it is made to let go: every 5 ms by default, every millisecond here.
    sys.setswitchinterval(GIL_SWITCH_S)


class ChunkWorker(threading.Thread):
    """A consumer thread: takes chunks from a subscription in batches and hands them on."""

    def __init__(
        self, sub: Subscription, handle: Callable[[list[Chunk]], None], name: str, batch: int = 256
    ) -> None:
        super().__init__(name=f"twinbench-{name}", daemon=True)
        self.sub = sub
        self.handle = handle
        self.batch = batch
        self._stop_evt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Drain until stopped, then drain what is left."""
        try:
            while not self._stop_evt.is_set():
                first = self.sub.get(timeout=0.1)
                if first is None:
                    continue
                self.handle([first, *self.sub.drain(self.batch - 1)])
            rest = self.sub.drain()
            while rest:
                self.handle(rest)
                rest = self.sub.drain()
        except BaseException as exc:  # reported by the runtime, never silent
            self.error = exc
            raise

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop_evt.set()
        self.sub.close()
        if self.ident is not None:  # a runtime stopped before it started has nothing to join
            self.join(timeout)


class Runtime:
    """Owns the hub, the drivers on an asyncio I/O thread, and the consumer threads."""

    def __init__(self, hub: Hub | None = None) -> None:
        self.hub = hub or Hub()
        self.events = EventLog()
        self.sink = HubSink(self.hub, self.events)
        self.services = self.sink.services
        self.drivers: list[Driver] = []
        self.workers: list[ChunkWorker] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = False

    # -- construction ----------------------------------------------------------------------
    def add_driver(self, name: str, settings: Mapping[str, Any] | None = None) -> Driver:
        """Create a driver by registry name with validated settings (raises UsageError)."""
        cls = load_driver(name)
        try:
            cls.parse_settings(settings or {})
            driver = cls(dict(settings or {}), OwnedSink(self.sink))  # type: ignore[arg-type]
        except SettingError as exc:
            raise UsageError(f"driver {name!r}: {exc}") from None
        self.drivers.append(driver)
        if self._started:
            self.open_driver(driver)
        return driver

    def open_driver(self, driver: Driver) -> concurrent.futures.Future[Any]:
        """Open one driver on the I/O thread; its sink keeps the future (`sink.opened`)."""
        fut = self.call(driver.open())
        if isinstance(driver.sink, OwnedSink):
            driver.sink.opened = fut
        driver.open_future = fut  # type: ignore[attr-defined]  # how opening went (ConnectError)
        return fut

    def devices_of(self, driver: Driver) -> set[str]:
        """The device ids a driver has declared or fed so far."""
        sink = driver.sink
        return set(sink.device_ids) if isinstance(sink, OwnedSink) else set()

    def owner_of(self, device_id: str) -> Driver | None:
        """The running driver that feeds `device_id`, if any."""
        for d in self.drivers:
            if device_id in self.devices_of(d):
                return d
        return None

    def remove_driver(
        self, driver: Driver, forget: bool = True, timeout: float = 5.0
    ) -> concurrent.futures.Future[Any] | None:
        """Stop one driver (the others keep streaming); `forget` drops its devices from the hub.

        Returns the future of its close on the I/O thread (None when the runtime is not
        running); the driver leaves `drivers` at once, so nothing restarts or saves it.
        """
        if driver in self.drivers:
            self.drivers.remove(driver)
        ids = self.devices_of(driver)

        async def _close() -> None:
            try:
                await asyncio.wait_for(driver.close(), timeout)
            finally:
                if forget:
                    for dev in ids:
                        self.hub.remove(dev)

        if self._loop is None:
            if forget:
                for dev in ids:
                    self.hub.remove(dev)
            return None
        return self.call(_close())

    def add_consumer(
        self,
        name: str,
        handle: Callable[[list[Chunk]], None],
        maxsize: int = 1024,
        policy: str = "drop",
    ) -> ChunkWorker:
        """Subscribe a consumer thread that receives chunks in batches."""
        sub = self.hub.subscribe(name, maxsize, policy)  # type: ignore[arg-type]
        worker = ChunkWorker(sub, handle, name)
        self.workers.append(worker)
        if self._started:
            worker.start()
        return worker

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, open_timeout: float = 10.0) -> None:
        """Start the consumers and the I/O thread, and open every driver."""
        for w in self.workers:
            if not w.is_alive():
                w.start()
        ready = threading.Event()

        def io_main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=io_main, name="twinbench-io", daemon=True)
        self._thread.start()
        ready.wait()
        self._started = True
        for d in self.drivers:
            # a driver that waits on the network itself (MQTT's connect timeout) says how long
            wait = max(open_timeout, float(getattr(d, "open_timeout", 0) or 0))
            fut = self.open_driver(d)
            try:
                fut.result(wait)
            except concurrent.futures.TimeoutError:
                fut.cancel()
                from twinbench.errors import TwinBenchError

                raise TwinBenchError(f"driver {d.name!r} did not open within {wait:g} s") from None

    def call(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the I/O thread and return its future."""
        if self._loop is None:
            raise RuntimeError("runtime not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the drivers, stop the I/O thread, then drain and stop the consumers."""
        if self._loop is not None and self._thread is not None:
            for d in reversed(self.drivers):
                try:
                    self.call(d.close()).result(timeout)
                except Exception as exc:
                    self.events.emit("error", "", f"closing driver {d.name!r} failed: {exc}")
            loop = self._loop

            async def _shutdown() -> None:
                tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await loop.shutdown_asyncgens()

            try:
                self.call(_shutdown()).result(timeout)
            except Exception:
                pass
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout)
            self._loop = None
            self._thread = None
        for w in self.workers:
            w.stop(timeout)
        self._started = False

    def __enter__(self) -> Runtime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
