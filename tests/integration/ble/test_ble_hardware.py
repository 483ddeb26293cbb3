"""Against the machine's real Bluetooth adapter: run with `-m hardware` (deselected otherwise).

Set TWINBENCH_BLE_ADDRESS to a peripheral's address to also browse its GATT table.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from twinbench.ble import ops

pytestmark = pytest.mark.hardware


def test_real_adapter_scan_and_gatt() -> None:
    entries = asyncio.run(ops.scan(5.0))
    assert all(e.address and e.adverts > 0 for e in entries)
    addr = os.environ.get("TWINBENCH_BLE_ADDRESS")
    if addr:
        tree = asyncio.run(ops.gatt(addr, timeout=20.0))
        assert tree, f"{addr} exposes no GATT services"
