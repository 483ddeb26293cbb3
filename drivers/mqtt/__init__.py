"""The MQTT driver (paho-mqtt 2): TLS, sessions, subscriptions, decoding into chunks."""

from twinbench.drivers.mqtt.driver import MqttDriver

__all__ = ["MqttDriver"]
