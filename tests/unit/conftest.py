"""Fixtures shared by the unit tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def _wait_until(cond: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll `cond` until it is true or `timeout` seconds pass; returns the last verdict."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return bool(cond())


@pytest.fixture
def wait_until() -> Callable[..., bool]:
    """`wait_until(cond, timeout=5.0)`: poll a condition of a running runtime."""
    return _wait_until
