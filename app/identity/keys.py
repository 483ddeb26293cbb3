"""Per-device symmetric keys: DPS group-key derivation, storage (keyring or files), rotation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from twinbench.credentials import FileSecretStore, SecretSpec, find_secret, keyring_backend
from twinbench.errors import ConfigError

SERVICE = "twinbench"


def _b64decode(key: str, what: str) -> bytes:
    try:
        return base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{what} is not valid base64") from None


def derive_device_key(group_key: str, registration_id: str) -> str:
    """DPS derivation: base64(HMAC-SHA256(base64decode(group_key), registration_id))."""
    if not registration_id:
        raise ConfigError("registration id must not be empty")
    raw = _b64decode(group_key, "group key")
    mac = hmac.new(raw, registration_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def new_key(n_bytes: int = 32) -> str:
    """A fresh random base64 key."""
    return base64.b64encode(secrets.token_bytes(n_bytes)).decode("ascii")


class KeyStore:
    """Device keys in the OS keyring (service `twinbench`), never in config files or logs.

    Without an OS keyring (a headless station, a CI runner) keys go to an owner-only file store
    under the user's data folder; a systemd credential `twinbench-device-key-<id>` is read too.
    Each device has a primary key and, after a rotation, the previous one as secondary, so that
    frames signed just before the rotation still verify.
    """

    def __init__(self, service: str = SERVICE, files: FileSecretStore | None = None) -> None:
        self.service = service
        self.files = files or FileSecretStore()
        self.stored_in = ""  # where the last `set` put a key

    def _user(self, device_id: str, slot: str) -> str:
        return f"device-key:{slot}:{device_id}"

    def _file(self, device_id: str, slot: str) -> str:
        return f"{device_id}.{slot}"

    def spec(self, device_id: str, slot: str = "primary") -> SecretSpec:
        """Where a device key may live, for the one secret resolver."""
        suffix = "" if slot == "primary" else f".{slot}"
        return SecretSpec(
            f"{slot} key for device {device_id!r}",
            keyring=(self.service, self._user(device_id, slot)),
            credential=f"twinbench-device-key-{device_id}{suffix}",
        )

    @property
    def uses_keyring(self) -> bool:
        """Whether new keys go to the OS keyring (else to the file store)."""
        return keyring_backend() is not None

    def locate(self, device_id: str, slot: str = "primary") -> tuple[str, str] | None:
        """(key, where it lives) of a device's key, or None."""
        found, _ = find_secret(self.spec(device_id, slot))
        if found is not None:
            return found
        name = self._file(device_id, slot)
        key = self.files.get(name)
        return (key, f"file {self.files.path(name)}") if key else None

    def get(self, device_id: str, slot: str = "primary") -> str | None:
        """The stored key of a device (primary or secondary), or None."""
        found = self.locate(device_id, slot)
        return found[0] if found else None

    def set(self, device_id: str, key: str, slot: str = "primary") -> str:
        """Store a key after checking it is base64; returns where it went."""
        _b64decode(key, f"key for {device_id!r}")
        if self.uses_keyring:
            import keyring

            keyring.set_password(self.service, self._user(device_id, slot), key)
            self.stored_in = f"the OS keyring (service {self.service!r})"
        else:
            path = self.files.set(self._file(device_id, slot), key)
            self.stored_in = f"file {path} (owner-only; no OS keyring on this machine)"
        return self.stored_in

    def provision(self, device_id: str, group_key: str) -> str:
        """Derive a device's key from the group key and store it as primary."""
        key = derive_device_key(group_key, device_id)
        self.set(device_id, key)
        return key

    def rotate(self, device_id: str, new: str | None = None) -> str:
        """Make `new` (or a random key) primary; the old primary becomes secondary."""
        old = self.get(device_id)
        key = new or new_key()
        if old is not None:
            self.set(device_id, old, "secondary")
        self.set(device_id, key)
        return key

    def keys(self, device_id: str) -> list[str]:
        """Primary then secondary key, those that exist."""
        return [k for k in (self.get(device_id), self.get(device_id, "secondary")) if k]

    def delete(self, device_id: str) -> None:
        """Forget both keys of a device (keyring and file store)."""
        for slot in ("primary", "secondary"):
            self.files.delete(self._file(device_id, slot))
            if not self.uses_keyring:
                continue
            import keyring
            from keyring.errors import PasswordDeleteError

            try:
                keyring.delete_password(self.service, self._user(device_id, slot))
            except PasswordDeleteError:
                pass
