"""MQTT passwords: settings name where the password lives, never hold it."""

from __future__ import annotations

from typing import Any

from twinbench.credentials import SecretError, SecretSpec, resolve

__all__ = ["SecretError", "entry_parts", "get_password", "password_spec"]

SERVICE = "twinbench-mqtt"


def entry_parts(entry: str, username: str) -> tuple[str, str]:
    """`service:user` -> (service, user); a bare name is the service, the username the user."""
    service, sep, user = entry.partition(":")
    if not sep:
        return entry or SERVICE, username
    return service or SERVICE, user or username


def password_spec(cfg: dict[str, Any]) -> SecretSpec:
    """Where the broker password of these settings may live (keyring, credential, file, env)."""
    user = cfg.get("username") or ""
    entry = cfg.get("password_key") or ""
    return SecretSpec(
        f"MQTT password for user {user!r} on {cfg.get('host', '?')}:{cfg.get('port', '?')}",
        keyring=entry_parts(entry, user) if entry else None,
        credential=cfg.get("password_credential") or "",
        file=cfg.get("password_file") or "",
        env=cfg.get("password_env") or "",
        hint="settings password_key, password_credential, password_file, password_env name "
        "where it lives",
    )


def get_password(cfg: dict[str, Any]) -> str | None:
    """The broker password, None when no place is named; SecretError when none has it."""
    spec = password_spec(cfg)
    return resolve(spec) if spec.named else None
