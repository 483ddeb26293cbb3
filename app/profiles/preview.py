"""Live preview for the profile editor: decode sample bytes with profile text as it is typed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twinbench.errors import ConfigError


@dataclass
class Preview:
    """What a profile makes of some bytes: decoded rows, loss counters, or the error."""

    names: tuple[str, ...] = ()
    values: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    loss: dict[str, int] = field(default_factory=dict)
    error: str = ""


def preview(text: str, data: bytes, path: str = "<editor>", rows: int = 20) -> Preview:
    """Validate `text` as a profile and decode `data` with it (last `rows` rows)."""
    from twinbench.decode.pipeline import make_pipeline
    from twinbench.profiles.loader import parse_profile

    try:
        prof = parse_profile(text, path)
    except ConfigError as exc:
        return Preview(error=str(exc))
    p = make_pipeline(prof.data)
    chunk = p.feed(data, 1)
    if chunk is None:
        return Preview(loss=p.loss())
    return Preview(chunk.channels, np.asarray(chunk.values)[-rows:], p.loss())
