"""MQTT passwords from the OS keyring: settings name the entry, never hold the secret."""

from __future__ import annotations

from twinbench.errors import TwinBenchError

SERVICE = "twinbench-mqtt"


class SecretError(TwinBenchError):
    """A keyring entry is missing or the keyring cannot be used; the message names the entry."""


def entry_parts(entry: str, username: str) -> tuple[str, str]:
    """`service:user` -> (service, user); a bare name is the service, the username the user."""
    service, sep, user = entry.partition(":")
    if not sep:
        return entry or SERVICE, username
    return service or SERVICE, user or username


def get_password(entry: str, username: str) -> str:
    """The password stored in the keyring under `entry` (service or service:user)."""
    import keyring
    from keyring.errors import KeyringError

    service, user = entry_parts(entry, username)
    try:
        pw = keyring.get_password(service, user)
    except KeyringError as exc:
        raise SecretError(f"keyring entry {service!r} for user {user!r}: {exc}") from None
    if pw is None:
        raise SecretError(
            f"no password in the OS keyring for service {service!r}, user {user!r} "
            f"(store one with: keyring set {service} {user})"
        )
    return pw


def set_password(entry: str, username: str, password: str) -> None:
    """Store a password in the keyring under `entry`."""
    import keyring

    service, user = entry_parts(entry, username)
    keyring.set_password(service, user, password)
