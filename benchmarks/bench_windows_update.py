"""Per-chunk cost of each window state's update(), against pandas on the same chunk.

One device at 100 kHz (1M samples/s over 10 devices) in 1000-sample chunks, watermark at the last
sample of each chunk, as the rules engine feeds them. For every window kind and aggregate: the
median and p99 microseconds of one `update()` call, and pandas doing the same chunk incrementally
(`rolling` / `resample` over the window's history plus the chunk). Results are checked against
pandas over the whole series first. A second table times sliding windows of 50 ms, 1 s and 5 s
once each window is full: the cost per chunk must not grow with the window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table

from twinbench.rules.windows import INF_NS, WindowSpec, make_window

MS = 1_000_000
PD_AGG = {"avg": "mean", "min": "min", "max": "max", "sum": "sum", "count": "count"}
PD_AGG["stdev"] = "std"


def series(chunks: int, chunk: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced times (ns) and a random walk."""
    n = chunks * chunk
    t = (np.arange(n) * (1e9 / rate)).astype(np.int64) + 1_700_000_000 * 10**9
    return t, np.random.default_rng(5).normal(size=n).cumsum()


def ours(spec: WindowSpec, agg: str, t: np.ndarray, v: np.ndarray, chunk: int):
    """Feed chunk by chunk; return (per-call ns, all emissions)."""
    st = make_window(spec, agg)
    calls, outs = [], []
    for i in range(0, t.size, chunk):
        ct, cv = t[i : i + chunk], v[i : i + chunk]
        wm = int(ct[-1])
        c0 = time.perf_counter_ns()
        outs.append(st.update(ct, cv, wm))
        calls.append(time.perf_counter_ns() - c0)
    outs.append(st.update(t[:0], v[:0], INF_NS))
    return np.array(calls), (
        np.concatenate([o[0] for o in outs]),
        np.concatenate([o[1] for o in outs]),
    )


def pandas_step(kind: str, spec: WindowSpec, agg: str, part):
    """What pandas computes for one chunk (with history): rolling, resample, or rolling at hops."""
    rule = f"{spec.size // MS}ms"
    if kind == "sliding":
        return getattr(part.rolling(rule), PD_AGG[agg])()
    if kind == "tumbling":
        return getattr(part.resample(rule, closed="right", label="right"), PD_AGG[agg])()
    out = getattr(part.rolling(rule), PD_AGG[agg])()  # hopping: the rolling value at each hop
    return out[out.index.asi8 % spec.hop == 0]


def pandas_calls(kind: str, spec: WindowSpec, agg: str, t, v, chunk: int) -> np.ndarray:
    """pandas per chunk: the window's history plus the chunk, recomputed each time (ns per call)."""
    import pandas as pd

    s = pd.Series(v, index=pd.to_datetime(t))
    hist = spec.size // int(t[1] - t[0]) + 1
    calls = []
    for i in range(0, t.size, chunk):
        part = s.iloc[max(0, i - hist) : i + chunk]
        c0 = time.perf_counter_ns()
        pandas_step(kind, spec, agg, part)
        calls.append(time.perf_counter_ns() - c0)
    return np.array(calls)


def check(kind: str, spec: WindowSpec, agg: str, t, v, emitted) -> None:
    """Our emissions equal pandas over the whole series."""
    import pandas as pd

    s = pd.Series(v, index=pd.to_datetime(t))
    ref = pandas_step(kind, spec, agg, s)
    et, ev = emitted
    if kind == "sliding":
        at = np.searchsorted(et, t)  # the emissions at sample times (exits sit on samples)
        assert np.array_equal(et[at], t), kind
        et, ev = et[at], ev[at]
    elif kind == "hopping":  # pandas has no window ending after the last sample
        keep = (et <= t[-1]) & (et - spec.size >= t[0])
        et, ev = et[keep], ev[keep]
        ref = ref[ref.index.asi8 - spec.size >= t[0]]
    assert np.array_equal(et, ref.index.asi8), (kind, agg)
    assert np.allclose(ev, ref.to_numpy(), equal_nan=True), (kind, agg)


def session_calls(t, v, chunk: int) -> np.ndarray:
    """Session windows (no pandas counterpart): ns per call."""
    return ours(WindowSpec.session(5 * MS, 100 * MS), "avg", t, v, chunk)[0]


def long_windows(args, smoke: bool) -> None:
    """Sliding windows of growing length, timed after they fill: median and p99 per chunk."""
    measured = 20 if smoke else args.long_chunks
    sizes = [("sliding(50ms)", 50), ("sliding(1s)", 1000)]
    if not smoke:
        sizes.append(("sliding(5s)", 5000))
    repeat = 1 if smoke else args.repeat
    print()
    print(f"sliding windows once full: {measured} chunks of {args.chunk} after each window fills")
    print(f"{'update() per chunk':<36} {'median us':>10} {'p99 us':>8} {'max us':>8} {'p99 x':>8}")
    base: dict[str, float] = {}
    for name, ms in sizes:
        fill = int(ms * MS * args.rate / 1e9) // args.chunk + 2
        t, v = series(fill + measured, args.chunk, args.rate)
        spec = WindowSpec.sliding(ms * MS)
        for agg in ("max", "avg"):
            runs = []
            for _ in range(repeat):
                calls, emitted = ours(spec, agg, t, v, args.chunk)
                runs.append(calls[fill:])
            check("sliding", spec, agg, t, v, emitted)
            calls = np.concatenate(runs)
            med, p99 = np.median(calls) / 1e3, np.percentile(calls, 99) / 1e3
            base.setdefault(agg, p99)
            print(
                f"{name + ' ' + agg:<36} {med:>10.1f} {p99:>8.1f} {calls.max() / 1e3:>8.1f} "
                f"{p99 / base[agg]:>7.2f}x"
            )


def main() -> None:
    """Time every window kind and print one table per kind."""
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, default=400, help="chunks per run")
    p.add_argument("--chunk", type=int, default=1000, help="samples per chunk")
    p.add_argument("--rate", type=float, default=100_000.0, help="samples/s of the device")
    p.add_argument("--repeat", type=int, default=3, help="runs per case (best median kept)")
    p.add_argument("--cpu", type=int, default=None, help="pin to this core (default: the last)")
    p.add_argument(
        "--long-chunks", type=int, default=1000, help="chunks timed per long sliding window"
    )
    p.add_argument("--only-long", action="store_true", help="only the long sliding windows table")
    args = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cpu = args.cpu if args.cpu is not None else sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
    if args.only_long:
        long_windows(args, args.smoke)
        return
    chunks, repeat = (12, 1) if args.smoke else (args.chunks, args.repeat)
    t, v = series(chunks, args.chunk, args.rate)
    warm = chunks // 5  # sliding buffers fill, the first windows close
    cases = {
        "sliding(50ms)": (
            "sliding",
            WindowSpec.sliding(50 * MS),
            ["max", "min", "avg", "count", "stdev"],
        ),
        "tumbling(100ms)": (
            "tumbling",
            WindowSpec.tumbling(100 * MS),
            ["avg", "max", "count", "stdev"],
        ),
        "hopping(200ms, 100ms)": (
            "hopping",
            WindowSpec.hopping(200 * MS, 100 * MS),
            ["avg", "stdev"],
        ),
    }
    print(f"{args.chunk}-sample chunks at {args.rate:,.0f} samples/s, {chunks} chunks")
    rows = []
    for name, (kind, spec, aggs) in cases.items():
        for agg in aggs:
            best, emitted = None, None
            for _ in range(repeat):
                calls, emitted = ours(spec, agg, t, v, args.chunk)
                if best is None or np.median(calls[warm:]) < np.median(best[warm:]):
                    best = calls
            check(kind, spec, agg, t, v, emitted)
            pdc = min(
                (pandas_calls(kind, spec, agg, t, v, args.chunk) for _ in range(repeat)),
                key=lambda c: np.median(c[warm:]),
            )
            rows.append((f"{name} {agg}", best[warm:], pdc[warm:]))
    ses = min((session_calls(t, v, args.chunk) for _ in range(repeat)), key=np.median)
    rows.append(("session(5ms, 100ms) avg", ses[warm:], None))
    print(
        f"{'update() per chunk':<36} {'median us':>10} {'p99 us':>8} {'pandas us':>10} {'ratio':>8}"
    )
    for what, ours_ns, pd_ns in rows:
        med, p99 = np.median(ours_ns) / 1e3, np.percentile(ours_ns, 99) / 1e3
        pmed = f"{np.median(pd_ns) / 1e3:>10.1f}" if pd_ns is not None else f"{'-':>10}"
        ratio = f"{np.median(pd_ns) / 1e3 / med:>7.1f}x" if pd_ns is not None else f"{'-':>8}"
        print(f"{what:<36} {med:>10.1f} {p99:>8.1f} {pmed} {ratio}")
    # the same, as the shared table: chunks per second against pandas for the first case
    print()
    first, ours_ns, pd_ns = rows[0]
    n = ours_ns.size
    table(
        [
            (f"pandas {first}, per chunk", n, float(np.median(pd_ns)) * n / 1e9, "chunks"),
            *[(f"twinbench {w}", n, float(np.median(o)) * n / 1e9, "chunks") for w, o, _ in rows],
        ],
        f"pandas {first}, per chunk",
    )
    long_windows(args, args.smoke)


if __name__ == "__main__":
    main()
