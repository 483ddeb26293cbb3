"""Secrets from the OS keyring, systemd credentials, owner-only files or named env variables."""

from twinbench.credentials.filestore import FileSecretStore
from twinbench.credentials.sources import (
    SecretError,
    SecretSpec,
    find_secret,
    keyring_backend,
    read_owner_only,
    redact,
    resolve,
)

__all__ = [
    "FileSecretStore",
    "SecretError",
    "SecretSpec",
    "find_secret",
    "keyring_backend",
    "read_owner_only",
    "redact",
    "resolve",
]
