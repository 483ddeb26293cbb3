"""Shared fixtures: every test must leave no thread or child process running."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

# Qt widgets render offscreen unless a test asks for a real display (GL tests under Xvfb use xcb)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _live_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive()}


def _children() -> set[int]:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency
        return set()
    return {p.pid for p in psutil.Process().children(recursive=True)}


_GC_PINNED = []  # the session's hold on the collector, taken once Qt is loaded


@pytest.fixture(autouse=True)
def gc_on_the_main_thread():
    """Once Qt is loaded, collect cyclic garbage on this (the GUI) thread only, as the app does:
    a worker thread's collection could destroy a Qt or vispy object left by an earlier test off
    its thread, which deadlocks (see twinbench.gui.gcpin). Collections run after each test,
    when Python would have run them."""
    if "PySide6.QtCore" not in sys.modules:
        yield
        return
    from twinbench.gui.gcpin import COLLECTOR

    if not _GC_PINNED:
        COLLECTOR.start()  # for the rest of the session
        _GC_PINNED.append(COLLECTOR)
    yield
    COLLECTOR.tick()


@pytest.fixture(autouse=True)
def no_leaks():
    """Fail a test that leaves a thread or a child process running."""
    before_t = _live_threads()
    before_p = _children()
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [
            t
            for t in _live_threads() - before_t
            if not t.name.startswith(("pydevd", "QDBus", "Dummy", "asyncio_", "ThreadPoolExecutor"))
        ]
        procs = _children() - before_p
        if (not leaked and not procs) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"test leaked threads: {[t.name for t in leaked]}"
    assert not procs, f"test leaked child processes: {sorted(procs)}"


@pytest.fixture
def dtdl_fixtures() -> Path:
    """DTDL models, conformance cases and mutants kept in tests/fixtures/dtdl (MIT, see README)."""
    return ROOT / "tests" / "fixtures" / "dtdl"


@pytest.fixture
def fixtures_dir() -> Path:
    """The public fixtures folder, tests/fixtures (sources and licences in its README)."""
    return FIXTURES


@pytest.fixture
def twinbench_exe() -> list[str]:
    """Command prefix that runs the installed `twinbench` console script."""
    exe = Path(sys.executable).with_name("twinbench")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "twinbench"]


@pytest.fixture
def clean_env() -> dict[str, str]:
    """Environment for child processes: offscreen Qt, no user config leaking in."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


class MemoryKeyring:
    """An in-memory keyring backend: the one fake, standing in for the OS secret store."""

    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring():
    """Install an in-memory keyring for the test (the real one is never touched), then restore."""
    import keyring
    from keyring.backend import KeyringBackend

    backend = type("TestMemoryKeyring", (MemoryKeyring, KeyringBackend), {})()
    old = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(old)
