"""Secrets in owner-only files under the user's data folder, for machines with no OS keyring."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from twinbench.credentials.sources import (
    SecretError,
    owner_only_problem,
    read_owner_only,
    remember,
)


def default_folder() -> Path:
    """`<user data folder>/keys` (TWINBENCH_DATA_DIR or the platformdirs data folder)."""
    from twinbench.paths import data_dir

    return data_dir() / "keys"


class FileSecretStore:
    """One owner-only file (0600) per secret in an owner-only folder (0700)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()

    def path(self, name: str) -> Path:
        """The file that holds the secret `name` (any characters, quoted for the file system)."""
        return self.folder / (quote(name, safe="-_.") + ".key")

    def get(self, name: str) -> str | None:
        """The stored secret, None when absent; SecretError when the file is open to others."""
        p = self.path(name)
        if not p.exists():
            return None
        return remember(read_owner_only(p, f"stored secret {name!r}")) or None

    def set(self, name: str, value: str) -> Path:
        """Write the secret atomically with mode 0600 in a 0700 folder; returns the file."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)
        p = self.path(name)
        tmp = p.with_name(p.name + ".tmp")
        try:
            tmp.unlink(missing_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(value + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except OSError as exc:
            raise SecretError(f"cannot store {name!r} in {self.folder}: {exc}") from None
        problem = owner_only_problem(p)
        if problem:
            raise SecretError(f"stored secret {name!r}: file {p} {problem}")
        return p

    def delete(self, name: str) -> None:
        """Forget a secret (no error when it is absent)."""
        self.path(name).unlink(missing_ok=True)
