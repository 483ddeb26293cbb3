"""TwinBench: a desktop digital-twin visualizer and device lab bench."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """Load heavy public helpers lazily so that `import twinbench` stays fast."""
    if name == "load_session":
        from twinbench.session_load import load_session

        return load_session
    raise AttributeError(f"module 'twinbench' has no attribute {name!r}")
