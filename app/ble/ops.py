"""One-shot BLE operations for the CLI and the GUI: scan, browse GATT, read, write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from twinbench.ble import bleakbus
from twinbench.ble.gatt import ServiceInfo, gatt_tree
from twinbench.ble.scanner import ScanEntry, ScanFilter, Scanner
from twinbench.ble.sig import normalize_uuid
from twinbench.oserrors import explain as explain_error


async def scan(
    seconds: float,
    flt: ScanFilter | None = None,
    adapter: str = "",
    on_new: Callable[[ScanEntry], None] | None = None,
) -> list[ScanEntry]:
    """Scan for `seconds` and return every device seen that passes the filter.

    `on_new(entry)` is called on the loop the first time each device advertises and passes.
    """
    sc = Scanner(adapter)
    if on_new is not None:
        seen: set[str] = set()

        def first(e: ScanEntry) -> None:
            if e.address not in seen and (flt is None or flt.matches(e)):
                seen.add(e.address)
                on_new(e)

        sc.listeners.append(first)
    bleakbus.acquire()
    try:
        await sc.scan(seconds)
    finally:
        await bleakbus.release()
    return sc.entries(flt)


@asynccontextmanager
async def _connected(address: str, timeout: float, adapter: str) -> AsyncIterator[Any]:
    """A connected BleakClient on the shared bus, disconnected and released on the way out."""
    from bleak import BleakClient

    kw: dict[str, Any] = {"bluez": {"adapter": adapter}} if adapter else {}
    bleakbus.acquire()
    try:
        client = BleakClient(address, timeout=timeout, **kw)
        await client.connect()
        try:
            yield client
        finally:
            await client.disconnect()
    finally:
        await bleakbus.release()


async def gatt(address: str, timeout: float = 10.0, adapter: str = "") -> list[ServiceInfo]:
    """Connect, read the GATT table and disconnect."""
    async with _connected(address, timeout, adapter) as client:
        return gatt_tree(client.services)


async def read(address: str, uuid: str, timeout: float = 10.0, adapter: str = "") -> bytes:
    """Connect, read one characteristic and disconnect."""
    async with _connected(address, timeout, adapter) as client:
        return bytes(await client.read_gatt_char(normalize_uuid(uuid)))


async def write(
    address: str,
    uuid: str,
    data: bytes,
    response: bool | None = None,
    timeout: float = 10.0,
    adapter: str = "",
) -> None:
    """Connect, write one characteristic and disconnect."""
    async with _connected(address, timeout, adapter) as client:
        await client.write_gatt_char(normalize_uuid(uuid), data, response=response)


def explain(exc: BaseException) -> str:
    """A one-line reason for a BLE failure, with what to do when Bluetooth is unavailable."""
    return explain_error(exc, transport="bluetooth")
