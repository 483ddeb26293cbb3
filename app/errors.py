"""Errors that reach the user as one clear line."""

from __future__ import annotations


class TwinBenchError(Exception):
    """Base class for errors shown to the user without a traceback."""

    exit_code = 1


class UsageError(TwinBenchError):
    """Bad command-line input or configuration: the run never started (exit code 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """A user-written file is invalid; the message names the file, line and key."""
