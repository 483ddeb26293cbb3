"""One place that finds secrets: OS keyring, systemd credentials, an owner-only file, an env var.

Settings and configs only ever name where a secret lives (a keyring entry, a credential name, a
file path, an environment variable); the secret itself never comes from the command line or a
config value. Sources are tried in that order of preference, and a missing secret is reported
with every place that was looked in.
"""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from twinbench.errors import UsageError

CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"  # set by systemd for units with LoadCredential=

Found = tuple[str, str]  # (secret, where it was found)

_seen: set[str] = set()
_seen_lock = threading.Lock()


class SecretError(UsageError):
    """A secret is missing or refused; the message names it and every place looked in."""


@dataclass(frozen=True)
class SecretSpec:
    """Where one secret may live; empty fields are places not to look."""

    what: str
    keyring: tuple[str, str] | None = None
    credential: str = ""
    file: str = ""
    env: str = ""
    hint: str = ""

    @property
    def named(self) -> bool:
        """Whether any place is named at all."""
        return bool(self.keyring or self.credential or self.file or self.env)


def keyring_backend() -> object | None:
    """The usable OS keyring backend, or None on a machine without one (headless, CI)."""
    import keyring
    from keyring.backends import fail

    try:
        kr = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is no keyring
        return None
    if isinstance(kr, fail.Keyring) or getattr(kr, "priority", 1) <= 0:
        return None
    return kr


def owner_only_problem(path: Path) -> str:
    """Why `path` may not hold a secret ('' when only its owner, this user, can read it)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if os.name == "posix":
        if st.st_mode & 0o077:
            return (
                f"can be read by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"refused: run chmod 600 {path}"
            )
        if st.st_uid != os.geteuid():
            return "belongs to another user; refused"
    return ""


def read_owner_only(path: Path, what: str) -> str:
    """The text of a secret file (trailing newline stripped); SecretError if others can read it."""
    problem = owner_only_problem(path)
    if problem:
        raise SecretError(f"{what}: file {path} {problem}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{what}: cannot read {path}: {exc}") from None
    return text.rstrip("\r\n")


def remember(secret: str) -> str:
    """Note a secret in memory so that log output can mask it; returns it unchanged."""
    if len(secret) >= 4:
        with _seen_lock:
            _seen.add(secret)
    return secret


def redact(text: str) -> str:
    """`text` with every secret resolved in this process replaced by `***`."""
    with _seen_lock:
        seen = sorted(_seen, key=len, reverse=True)
    # Longest first: a secret that contains another one is masked whole.
    for s in seen:
        if s in text:
            text = text.replace(s, "***")
    return text


def _from_keyring(spec: SecretSpec, looked: list[str]) -> Found | None:
    if spec.keyring is None:
        return None
    service, user = spec.keyring
    where = f"OS keyring (service {service!r}, user {user!r})"
    if keyring_backend() is None:
        looked.append(f"{where}: no OS keyring on this machine")
        return None
    import keyring

    try:
        value = keyring.get_password(service, user)
    except Exception as exc:  # a locked or broken keyring: look in the next place
        looked.append(f"{where}: {exc or type(exc).__name__}")
        return None
    if value is None:
        looked.append(f"{where}: no entry")
        return None
    return value, where


def _from_credentials(spec: SecretSpec, looked: list[str]) -> Found | None:
    if not spec.credential:
        return None
    folder = os.environ.get(CREDENTIALS_ENV, "")
    if not folder:
        looked.append(f"systemd credential {spec.credential!r}: ${CREDENTIALS_ENV} is not set")
        return None
    path = Path(folder) / spec.credential
    if not path.is_file():
        looked.append(f"systemd credential {spec.credential!r}: no file {path}")
        return None
    try:  # systemd makes these owner-only (and may map the owner), so no mode check
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
        return value, f"systemd credential {spec.credential!r} ({path})"
    except (OSError, UnicodeDecodeError) as exc:
        looked.append(f"systemd credential {spec.credential!r}: cannot read {path}: {exc}")
        return None


def _from_file(spec: SecretSpec, looked: list[str]) -> Found | None:
    if not spec.file:
        return None
    path = Path(spec.file).expanduser()
    if not path.exists():
        looked.append(f"file {path}: does not exist")
        return None
    return read_owner_only(path, spec.what), f"file {path}"


def _from_env(spec: SecretSpec, looked: list[str]) -> Found | None:
    if not spec.env:
        return None
    value = os.environ.get(spec.env)
    if not value:
        looked.append(f"environment variable {spec.env}: not set")
        return None
    return value, f"environment variable {spec.env}"


SOURCES = (_from_keyring, _from_credentials, _from_file, _from_env)


def find_secret(spec: SecretSpec) -> tuple[Found | None, list[str]]:
    """(secret, where it was found) or None, and the places looked in first, in order."""
    looked: list[str] = []
    for source in SOURCES:
        found = source(spec, looked)
        if found is not None and found[0]:
            remember(found[0])
            return found, looked
        if found is not None:
            looked.append(f"{found[1]}: empty")
    return None, looked


def resolve(spec: SecretSpec) -> str:
    """The secret from the first place that has it; SecretError naming every place looked."""
    found, looked = find_secret(spec)
    if found is not None:
        return found[0]
    places = "; ".join(looked) if looked else "no place is named"
    hint = f" ({spec.hint})" if spec.hint else ""
    raise SecretError(f"no {spec.what}: looked in {places}{hint}")
