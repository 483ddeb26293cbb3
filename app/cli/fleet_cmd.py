"""`twinbench fleet`: publish a simulated fleet to an MQTT broker (to become `sim --mqtt`)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `fleet` and its options."""
    from twinbench.mqtt.fleet import add_mqtt_arguments

    p = subs.add_parser(
        "fleet",
        help="publish simulated boards to an MQTT broker",
        description="Publish N simulated boards at a rate to a broker, as JSON telemetry, "
        "Azure IoT Hub device messages or Sparkplug B (with births, deaths and rebirths).",
    )
    add_mqtt_arguments(p, required=True)


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench fleet`."""
    from twinbench.mqtt.fleet import run_fleet

    return run_fleet(args)
