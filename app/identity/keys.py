"""Per-device symmetric keys: the DPS group-key derivation, storage in the OS keyring, rotation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

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
    """Device keys in the OS keyring (service `twinbench`), never in files or logs.

    Each device has a primary key and, after a rotation, the previous one as secondary, so that
    frames signed just before the rotation still verify.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def _user(self, device_id: str, slot: str) -> str:
        return f"device-key:{slot}:{device_id}"

    def get(self, device_id: str, slot: str = "primary") -> str | None:
        """The stored key of a device (primary or secondary), or None."""
        import keyring

        return keyring.get_password(self.service, self._user(device_id, slot))

    def set(self, device_id: str, key: str, slot: str = "primary") -> None:
        """Store a key after checking it is base64."""
        import keyring

        _b64decode(key, f"key for {device_id!r}")
        keyring.set_password(self.service, self._user(device_id, slot), key)

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
        """Forget both keys of a device."""
        import keyring
        from keyring.errors import PasswordDeleteError

        for slot in ("primary", "secondary"):
            try:
                keyring.delete_password(self.service, self._user(device_id, slot))
            except PasswordDeleteError:
                pass
