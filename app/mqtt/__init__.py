"""MQTT core: payload decoding (JSON, CSV, numbers, IoT Hub, Sparkplug B), topic tree, fleets."""
