"""Saved MQTT connection profiles and connect / disconnect, for the MQTT panel.

Profiles are TOML in the user's config folder (`twinbench.mqtt.conn_profiles`); a password typed
here goes to the OS keyring under the profile's keyring entry and is never written to a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from twinbench.errors import TwinBenchError
from twinbench.mqtt.conn_profiles import (
    ConnectionProfile,
    default_path,
    load_profiles,
    save_profiles,
    upsert,
)
from twinbench.mqtt.secrets import SERVICE, entry_parts

NEW = "(new connection)"


class ConnectionBox(QGroupBox):
    """Pick or edit a broker profile, save it, connect and disconnect a `mqtt` driver."""

    def __init__(self, runtime: Any, path: Path | None = None, parent: QWidget | None = None):
        super().__init__("Connection", parent)
        self.runtime = runtime
        self.path = path or default_path()
        self.driver: Any = None  # the driver this box connected
        self._future: Any = None
        self.profiles: list[ConnectionProfile] = []
        self.profile = QComboBox()
        self.name = QLineEdit(placeholderText="profile name")
        self.host = QLineEdit("localhost")
        self.port = QSpinBox(minimum=1, maximum=65535, value=1883)
        self.username = QLineEdit()
        self.password = QLineEdit(placeholderText="stored in the OS keyring, never in a file")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.tls = QCheckBox("TLS (server verified)")
        self.ca_file = QLineEdit(placeholderText="CA file (empty: system CAs)")
        self.cert_file = QLineEdit(placeholderText="client certificate")
        self.key_file = QLineEdit(placeholderText="client key")
        self.topics = QLineEdit("#")
        self.pattern = QLineEdit(placeholderText="e.g. lab/{device}/data (empty: topics only)")
        self.save_btn = QPushButton("Save profile")
        self.connect_btn = QPushButton("Connect")
        self.disconnect_btn = QPushButton("Disconnect")
        self.disconnect_btn.setEnabled(False)
        self.state = QLabel("not connected")
        self.state.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Profile", self.profile)
        form.addRow("Name", self.name)
        hp = QHBoxLayout()
        hp.addWidget(self.host, 1)
        hp.addWidget(self.port)
        form.addRow("Broker", hp)
        up = QHBoxLayout()
        up.addWidget(self.username)
        up.addWidget(self.password)
        form.addRow("User / password", up)
        form.addRow(self.tls)
        form.addRow("CA", self.ca_file)
        cert = QHBoxLayout()
        cert.addWidget(self.cert_file)
        cert.addWidget(self.key_file)
        form.addRow("Cert / key", cert)
        form.addRow("Topics", self.topics)
        form.addRow("Device pattern", self.pattern)
        buttons = QHBoxLayout()
        for b in (self.save_btn, self.connect_btn, self.disconnect_btn):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.state)
        self.setCheckable(True)
        self.toggled.connect(self._fold)
        self.profile.currentTextChanged.connect(self._pick)
        self.save_btn.clicked.connect(self.save)
        self.connect_btn.clicked.connect(self.connect_broker)
        self.disconnect_btn.clicked.connect(self.disconnect_broker)
        self.reload()

    def _fold(self, on: bool) -> None:
        for w in self.findChildren(QWidget):
            if w is not self.state:
                w.setVisible(on)

    # -- profiles --------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the saved profiles into the chooser."""
        try:
            self.profiles = load_profiles(self.path)
        except TwinBenchError as exc:
            self.profiles = []
            self.state.setText(str(exc))
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItems([NEW, *[p.name for p in self.profiles]])
        self.profile.blockSignals(False)

    def _pick(self, name: str) -> None:
        p = next((p for p in self.profiles if p.name == name), None)
        if p is not None:
            self.show_profile(p)

    def show_profile(self, p: ConnectionProfile) -> None:
        """Fill the form from a profile."""
        self.name.setText(p.name)
        self.host.setText(p.host)
        self.port.setValue(p.port)
        self.username.setText(p.username)
        self.password.clear()
        self.tls.setChecked(p.tls)
        for w, v in ((self.ca_file, p.ca_file), (self.cert_file, p.cert_file),
                     (self.key_file, p.key_file), (self.topics, p.topics),
                     (self.pattern, p.pattern)):  # fmt: skip
            w.setText(v)

    def current(self) -> ConnectionProfile:
        """The profile the form describes (a typed password goes to the keyring, not here)."""
        name = self.name.text().strip() or f"{self.host.text()}:{self.port.value()}"
        user = self.username.text().strip()
        key = f"{SERVICE}-{name}" if (user or self.password.text()) else ""
        old = next((p for p in self.profiles if p.name == name), None)
        if old is not None and old.password_key and not self.password.text():
            key = old.password_key
        return ConnectionProfile(
            name=name, host=self.host.text().strip(), port=self.port.value(), username=user,
            password_key=key, tls=self.tls.isChecked(), ca_file=self.ca_file.text().strip(),
            cert_file=self.cert_file.text().strip(), key_file=self.key_file.text().strip(),
            topics=self.topics.text().strip() or "#", pattern=self.pattern.text().strip(),
        )  # fmt: skip

    def _store_password(self, p: ConnectionProfile) -> None:
        """A typed password goes to the OS keyring (SecretError when there is none)."""
        if not self.password.text():
            return
        from twinbench.credentials.sources import SecretError, keyring_backend

        kr = keyring_backend()
        if kr is None:
            raise SecretError(
                "no OS keyring to keep the password: store it with the settings "
                "password_credential, password_file or password_env instead"
            )
        service, user = entry_parts(p.password_key, p.username)
        kr.set_password(service, user, self.password.text())  # type: ignore[attr-defined]
        self.password.clear()

    def save(self) -> ConnectionProfile | None:
        """Save the form as a profile (the password into the keyring); None when it cannot."""
        p = self.current()
        try:
            self._store_password(p)
        except TwinBenchError as exc:
            self.state.setText(f"not saved: {exc}")
            return None
        self.profiles = upsert(self.profiles, p)
        save_profiles(self.path, self.profiles)
        self.reload()
        self.profile.setCurrentText(p.name)
        self.state.setText(f"saved profile {p.name!r} to {self.path}")
        return p

    # -- connection ------------------------------------------------------------------------
    def connect_broker(self) -> None:
        """Open a `mqtt` driver with the form's settings (on the runtime's I/O thread)."""
        if self.driver is not None:
            return
        p = self.current()
        try:
            self._store_password(p)
            settings = p.settings()
            if not settings["password_key"]:
                settings.pop("password_key")
            self.driver = self.runtime.add_driver("mqtt", settings)
        except Exception as exc:  # bad settings or keyring: one line, controls stay idle
            self.state.setText(f"cannot connect: {exc}")
            self.driver = None
            return
        self.state.setText(f"connecting to {p.host}:{p.port}…")
        self.connect_btn.setEnabled(False)
        self.disconnect_btn.setEnabled(True)

    def disconnect_broker(self) -> None:
        """Close the driver this box opened and take it out of the runtime."""
        drv, self.driver = self.driver, None
        if drv is None:
            return
        try:
            self.runtime.call(drv.close()).result(10)
        except Exception as exc:
            self.state.setText(f"disconnect: {exc}")
        if drv in self.runtime.drivers:
            self.runtime.drivers.remove(drv)
        self.state.setText("disconnected")
        self.connect_btn.setEnabled(True)
        self.disconnect_btn.setEnabled(False)

    def poll(self) -> None:
        """Show the state of the connection (called on the panel's tick)."""
        drv = self.driver
        if drv is None:
            return
        fut = getattr(drv, "open_future", None)
        if fut is not None and fut.done() and fut.exception() is not None:
            self.driver = None
            if drv in self.runtime.drivers:
                self.runtime.drivers.remove(drv)
            self.state.setText(f"cannot connect: {fut.exception()}")
            self.connect_btn.setEnabled(True)
            self.disconnect_btn.setEnabled(False)
            return
        conn = drv.conn
        if conn.client is not None and conn.client.is_connected():
            text = f"connected to {drv.cfg['host']}:{drv.cfg['port']} ({len(conn.filters)} filters)"
            if self.state.text() != text:
                self.state.setText(text)
