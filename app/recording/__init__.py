"""Recording sessions to disk and reading them back (no Qt)."""

from __future__ import annotations

from twinbench.recording.format import FORMAT_VERSION, SessionError
from twinbench.recording.recorder import Recorder
from twinbench.recording.session import Session, list_sessions, open_session

__all__ = ["FORMAT_VERSION", "Recorder", "Session", "SessionError", "list_sessions", "open_session"]
