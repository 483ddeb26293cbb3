"""Twin integration fixtures: the MQTT tests' mosquitto, yielding its port."""

from __future__ import annotations

import pytest

from tests.integration.mqtt.conftest import Broker


@pytest.fixture
def broker(tmp_path):
    """A running mosquitto on a free loopback port (the port), stopped after the test."""
    b = Broker(tmp_path)
    b.start()
    yield b.port
    b.stop()
