"""Saved connection profiles in the MQTT panel: keyring passwords, connect and disconnect."""

from __future__ import annotations

from twinbench.mqtt.conn_profiles import load_profiles
from twinbench.runtime import Runtime
from twinbench.widgets.mqtt_connection import ConnectionBox


def polled(box):
    """The state line after a panel tick."""
    box.poll()
    return box.state.text()


def test_profile_saved_without_password_then_connect_and_disconnect(
    auth_broker, mq, memory_keyring, qtbot, tmp_path
):
    rt = Runtime()
    rt.start()
    path = tmp_path / "conn.toml"
    try:
        box = ConnectionBox(rt, path)
        qtbot.addWidget(box)
        box.name.setText("lab")
        box.port.setValue(auth_broker.port)
        box.username.setText("alice")
        box.password.setText("s3cret")
        box.pattern.setText("lab/{device}/t")
        saved = box.save()
        assert "s3cret" not in path.read_text()
        assert memory_keyring.get_password(saved.password_key, "alice") == "s3cret"
        # a second box reads the profile back; connecting uses the keyring entry
        box2 = ConnectionBox(rt, path)
        qtbot.addWidget(box2)
        box2.profile.setCurrentText("lab")
        assert box2.port.value() == auth_broker.port and box2.password.text() == ""
        assert load_profiles(path)[0].pattern == "lab/{device}/t"
        box2.connect_broker()
        assert not box2.connect_btn.isEnabled()
        qtbot.waitUntil(lambda: polled(box2).startswith("connected to"), timeout=10_000)
        assert rt.drivers == [box2.driver]
        box2.disconnect_broker()
        assert rt.drivers == [] and box2.connect_btn.isEnabled()
        # a wrong password: one line, the controls back to idle
        memory_keyring.set_password(saved.password_key, "alice", "wrong")
        box2.connect_broker()
        qtbot.waitUntil(lambda: polled(box2).startswith("cannot connect"), timeout=10_000)
        assert (
            "bad user name or password" in box2.state.text() or "not authori" in box2.state.text()
        )
        assert box2.connect_btn.isEnabled() and rt.drivers == []
    finally:
        rt.stop()
