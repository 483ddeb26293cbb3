"""Releases bleak's per-loop BlueZ D-Bus connection when the last BLE user on a loop is done.

bleak keeps one BlueZ manager (and its D-Bus socket) per event loop and frees it only when a
later loop asks for a manager, so a runtime that stops its loop would leave the socket open.
Users call `acquire()` when they start and `await release()` when they stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)
_users: dict[asyncio.AbstractEventLoop, int] = {}


def acquire() -> None:
    """Count one more BLE user on the running loop."""
    loop = asyncio.get_running_loop()
    _users[loop] = _users.get(loop, 0) + 1


async def release() -> None:
    """Count one user less; the last one closes bleak's BlueZ connection for this loop."""
    loop = asyncio.get_running_loop()
    left = _users.get(loop, 0) - 1
    if left > 0:
        _users[loop] = left
        return
    _users.pop(loop, None)
    try:
        from bleak.backends.bluezdbus import manager as bluez_manager
    except ImportError:  # not Linux: nothing to release
        return
    instances = getattr(bluez_manager, "_global_instances", {})
    mgr = instances.pop(loop, None)
    bus = getattr(mgr, "_bus", None)
    if bus is None:
        return
    try:
        bus.disconnect()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bus.wait_for_disconnect(), 2.0)
        task = getattr(mgr, "_bus_watcher_task", None)
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 2.0)
    except Exception as exc:  # bleak internals moved: leave it to bleak's lazy cleanup
        log.debug("releasing bleak's BlueZ bus failed: %s", exc)


def reset() -> None:
    """Forget bleak's cached BlueZ objects on the running loop (bluetoothd went away).

    Closing the manager's bus makes bleak report every connected device as disconnected and
    reload BlueZ's objects the next time it is used.
    """
    try:
        from bleak.backends.bluezdbus import manager as bluez_manager
    except ImportError:  # not Linux
        return
    mgr = getattr(bluez_manager, "_global_instances", {}).get(asyncio.get_running_loop())
    bus = getattr(mgr, "_bus", None)
    if bus is not None and getattr(bus, "connected", False):
        try:
            bus.disconnect()
        except Exception as exc:  # bleak internals moved: links still reconnect on errors
            log.debug("resetting bleak's BlueZ bus failed: %s", exc)
