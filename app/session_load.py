"""`twinbench.load_session`: a recorded session as a pandas DataFrame, for notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def load_session(
    path: str | Path,
    form: Literal["long", "wide"] = "long",
    *,
    devices: list[str] | None = None,
    channels: list[str] | None = None,
) -> pd.DataFrame:
    """Load a session: long (time, device_id, channel, value, unit) or wide (one column each)."""
    import pandas as pd
    import pyarrow as pa

    from twinbench.errors import UsageError
    from twinbench.recording.export import select
    from twinbench.recording.session import open_session

    if form not in ("long", "wide"):
        raise UsageError(f"load_session: form must be 'long' or 'wide', got {form!r}")
    s = open_session(path)
    frames = []
    for dev in s.devices:
        if devices and dev not in devices:
            continue
        table = select(s, dev, None, None, channels or ())
        if form == "wide":
            df = table.to_pandas()
            df.insert(1, "device_id", pd.Categorical.from_codes(np.zeros(len(df), np.int8), [dev]))
            frames.append(df)
            continue
        names = [c for c in table.column_names if c != "time"]
        n = table.num_rows
        t = table.column("time").combine_chunks().view(pa.int64()).to_numpy()
        vals = np.column_stack([table.column(c).to_numpy() for c in names]) if names else None
        units = s.units(dev)
        k = len(names)
        uu = sorted({units.get(c, "") for c in names})
        ucode = np.array([uu.index(units.get(c, "")) for c in names], np.int32)
        chan_codes = np.tile(np.arange(k, dtype=np.int32), n)
        frames.append(
            pd.DataFrame(
                {
                    "time": pd.to_datetime(np.repeat(t, k), utc=True),
                    "device_id": pd.Categorical.from_codes(np.zeros(n * k, np.int8), [dev]),
                    "channel": pd.Categorical.from_codes(chan_codes, names),
                    "value": vals.reshape(-1) if vals is not None else np.empty(0),
                    "unit": pd.Categorical.from_codes(ucode[chan_codes], uu),
                }
            )
        )
    if not frames:
        raise UsageError(f"{path}: no recorded data matches")
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
