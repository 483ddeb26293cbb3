"""Rules hot path: chunk -> alarm latency under load, and window throughput against pandas.

Latency: 100 rules (10 per device, thresholds, hold, hysteresis, tumbling/sliding/hopping
aggregates, rate, spike) over 10 devices publishing 1M samples/s in total through a real hub,
evaluated by the rules worker thread (`attach`), pinned with the publisher to one core.
Throughput: tumbling and sliding aggregates fed chunk by chunk, against pandas `resample` /
`rolling` over the same series (results compared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.model import Channel, Chunk, Device
from twinbench.rules import attach, parse_rules
from twinbench.rules.windows import INF_NS, WindowSpec, make_window
from twinbench.runtime import Runtime, settle_heap

RULE_KINDS = [
    "x > 0.9",
    "x > 0.8 and y < 0.5",
    "abs(y) > 0.95",
    "avg(x, tumbling(100ms)) > 0.6",
    "max(y, sliding(50ms)) > 0.99",
    "stdev(x, hopping(200ms, 100ms)) > 0.3",
    "rate(x) > 5000",
    "spike(x, 99.99, 200)",
    "x - y > 1.5",
    "count(x, tumbling(1s)) > 10",
]


# the same mix over long windows: a state per chunk must not grow with the window
LONG_KINDS = [
    k.replace("tumbling(100ms)", "tumbling(2s)")
    .replace("sliding(50ms)", "sliding(2s)")
    .replace("hopping(200ms, 100ms)", "hopping(4s, 1s)")
    for k in RULE_KINDS
]


def rules_text(devices: int, per_device: int, kinds: list[str] = RULE_KINDS) -> str:
    """Rule file text: `per_device` rules for each device."""
    out = []
    for d in range(devices):
        for k in range(per_device):
            cond = kinds[k % len(kinds)]
            extra = ""
            if k == 0:
                extra = 'hold = "5ms"\n'
            if k == 1:
                extra = 'clear = "x < 0.2"\n'
            if k == 8:
                extra = 'clear = "x - y < 1.3"\n'
            out.append(
                f'[[rule]]\nname = "r{d}-{k}"\ndevices = "dev-{d}"\ncondition = "{cond}"\n{extra}'
            )
    return "\n".join(out)


# alarm levels on a few shared aggregates: what real rule files look like (warning/major/critical)
SHARED_KINDS = [
    "avg(x, tumbling(100ms)) > 0.6",
    "avg(x, tumbling(100ms)) > 0.7",
    "avg(x, tumbling(100ms)) > 0.8",
    "max(y, sliding(50ms)) > 0.97",
    "max(y, sliding(50ms)) > 0.99",
    "stdev(x, hopping(200ms, 100ms)) > 0.3",
    "stdev(x, hopping(200ms, 100ms)) > 0.4",
    "avg(x, tumbling(100ms)) > 0.9",
    "x > 0.9",
    "x > 0.8 and y < 0.5",
]


def shared_rules_text(devices: int, per_device: int) -> str:
    """Rule file text where the rules of a device use three windows between them."""
    out = []
    for d in range(devices):
        for k in range(per_device):
            cond = SHARED_KINDS[k % len(SHARED_KINDS)]
            out.append(f'[[rule]]\nname = "s{d}-{k}"\ndevices = "dev-{d}"\ncondition = "{cond}"\n')
    return "\n".join(out)


def make_chunks(devices: int, rate: float, chunk_s: float, seconds: float) -> list[list[Chunk]]:
    """Per period, one chunk per device: square waves that cross the thresholds often."""
    n = int(rate * chunk_s)
    periods = int(seconds / chunk_s)
    rng = np.random.default_rng(1)
    out = []
    base = 1_700_000_000 * 10**9
    for p in range(periods):
        idx = np.arange(p * n, (p + 1) * n)
        t = base + (idx * (1e9 / rate)).astype(np.int64)
        row = []
        for d in range(devices):
            # a square wave (period about 0.4 s) that crosses the thresholds a few times a second
            x = ((idx // int(rate * 0.2 + d)) % 2).astype(float) * 0.95 + rng.normal(0, 0.01, n)
            y = np.sin(idx / rate * 2 * np.pi * (3 + d))
            row.append(Chunk(f"dev-{d}", ("x", "y"), t, np.column_stack([x, y])))
        out.append(row)
    return out


def latency(text: str, devices: int, rate_total: float, seconds: float, chunk_s: float):
    """Publish at the real rate through a hub into the rules worker; return diagnostics."""
    rs = parse_rules(text, "bench.toml", ["x", "y"])
    periods = make_chunks(devices, rate_total / devices, chunk_s, seconds)
    rt = Runtime()
    for d in range(devices):
        rt.hub.declare(Device(f"dev-{d}", "bench", (Channel("x"), Channel("y"))))
    handle = attach(rt, rs, maxsize=100_000)
    worker_cpu = [0.0]
    inner = handle.worker.handle

    def timed(chunks: list[Chunk]) -> None:
        c0 = time.thread_time()
        inner(chunks)
        worker_cpu[0] += time.thread_time() - c0

    handle.worker.handle = timed
    settle_heap()  # as the app and headless runs do before streaming
    rt.start()
    t0 = time.perf_counter()
    try:
        # each device is its own source: device d publishes at phase d / devices of the period
        for p, row in enumerate(periods):
            for d, c in enumerate(row):
                due = t0 + (p + d / devices) * chunk_s
                now = time.perf_counter()
                if now < due:  # one wake-up per chunk, like a driver's read loop
                    time.sleep(due - now)
                rt.hub.publish(c)
        while len(handle.worker.sub):
            time.sleep(0.01)
        wall = time.perf_counter() - t0
    finally:
        rt.stop()
        handle.close()
    d = handle.diagnostics()
    raised = sum(r["raised"] for r in d["rules"].values())
    faults = sum(r["faults"] for r in d["rules"].values())
    d["worker_cpu_s"] = worker_cpu[0]
    return d, wall, raised, faults


def evaluation_cost(text: str, periods: list[list[Chunk]], repeat: int = 3, **kw):
    """Synchronous engine, no threads: (wall s, CPU s, device chunks, samples) after a warm-up.

    Best of `repeat` fresh engines, by CPU time (the machine is shared).
    """
    from twinbench.rules import RuleEngine

    rs = parse_rules(text, "bench.toml", ["x", "y"])
    devices = len(periods[0])
    warm = len(periods) // 4
    dt, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        eng = RuleEngine(rs, **kw)
        for row in periods[:warm]:
            eng.process(row)
        t0, c0 = time.perf_counter(), time.thread_time()
        for row in periods[warm:]:
            eng.process(row)
        d, c = time.perf_counter() - t0, time.thread_time() - c0
        eng.close()
        if c < cpu:
            dt, cpu = d, c
    n_chunks = (len(periods) - warm) * devices
    n_samples = sum(len(c) for row in periods[warm:] for c in row)
    return dt, cpu, n_chunks, n_samples


def cost_table(devices: int, rules: int, rate: float, chunk_s: float) -> None:
    """CPU and wall time per device chunk, with and without shared window states."""
    per = rules // devices
    mixed, levels = rules_text(devices, per), shared_rules_text(devices, per)
    off = {"share": False, "prune": False}
    cases = [
        ("mixed rules, no sharing, no pruning (baseline)", mixed, off),
        ("mixed rules, zone-map pruning", mixed, {"share": False}),
        ("mixed rules, pruning + shared windows", mixed, {}),
        ("alarm levels, no sharing, no pruning", levels, off),
        ("alarm levels, pruning + shared windows", levels, {}),
    ]
    print(
        f"evaluation, synchronous, one thread: {rules} rules over {devices} devices, "
        f"{int(rate / devices * chunk_s)} samples per device chunk"
    )
    print(
        f"{'what':<48} {'CPU us/chunk':>13} {'wall us/chunk':>14} "
        f"{'CPU samples/s':>14} {'ratio':>7}"
    )
    base = None
    periods = make_chunks(devices, rate / devices, chunk_s, 1.0)
    for what, text, kw in cases:
        dt, cpu, n_chunks, n_samples = evaluation_cost(text, periods, **kw)
        rate_cpu = n_samples / cpu
        base = base or rate_cpu
        print(
            f"{what:<48} {cpu / n_chunks * 1e6:>13.0f} {dt / n_chunks * 1e6:>14.0f} "
            f"{rate_cpu:>14,.0f} {rate_cpu / base:>6.2f}x"
        )
    print(
        f"  (CPU time per chunk is what one core spends; {rate:,.0f} samples/s need "
        f"{rate / base:.2f} of a core at the baseline)"
    )


def _is_numpy(key: tuple) -> bool:
    """Whether a cProfile entry is numpy's: its modules, ufunc and ndarray methods, builtins."""
    file, _line, name = key
    return "numpy" in file or "numpy" in name


def call_counts(text: str, periods: list[list[Chunk]]) -> tuple[float, float, float]:
    """Per device chunk, one chunk per pass as the worker gets them: (Python calls, numpy calls,
    CPU us) after a warm-up, from cProfile (which sees numpy's functions and ndarray/ufunc
    methods, not operators such as `a > b`; CPU us is without the profiler)."""
    import cProfile
    import pstats

    from twinbench.rules import RuleEngine

    rs = parse_rules(text, "bench.toml", ["x", "y"])
    warm = len(periods) // 4
    rest = [c for row in periods[warm:] for c in row]

    def fresh() -> RuleEngine:
        eng = RuleEngine(rs)
        for row in periods[:warm]:
            for c in row:
                eng.process([c])
        return eng

    eng, prof = fresh(), cProfile.Profile()
    prof.enable()
    for c in rest:
        eng.process([c])
    prof.disable()
    eng.close()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    py = sum(v[1] for k, v in stats.items() if k[0] != "~")  # primitive calls of Python code
    npc = sum(v[1] for k, v in stats.items() if k[0] == "~" and _is_numpy(k))
    npc += sum(v[1] for k, v in stats.items() if k[0] != "~" and _is_numpy(k))
    cpu = float("inf")
    for _ in range(3):
        eng = fresh()
        c0 = time.thread_time()
        for c in rest:
            eng.process([c])
        cpu = min(cpu, time.thread_time() - c0)
        eng.close()
    n = len(rest)
    return py / n, npc / n, cpu / n * 1e6


def calls_table(rate: float, chunk_s: float) -> None:
    """Python and numpy calls per device chunk for the latency rows' rule sets."""
    periods = make_chunks(10, rate / 10, chunk_s, 1.0)
    print(
        f"calls per device chunk ({int(rate / 10 * chunk_s)} samples), one chunk per pass, "
        "cProfile (numpy: functions and ndarray/ufunc methods, not operators)"
    )
    print(f"{'rules':<44} {'Python calls':>12} {'numpy calls':>12} {'CPU us':>8}")
    for what, text in (
        ("100 mixed rules", rules_text(10, 10)),
        ("100 alarm-level rules, shared windows", shared_rules_text(10, 10)),
        ("100 mixed rules, long windows (2-4 s)", rules_text(10, 10, LONG_KINDS)),
    ):
        py, npc, cpu = call_counts(text, periods)
        print(f"{what:<44} {py:>12.0f} {npc:>12.0f} {cpu:>8.0f}")


# numpy's C entry points counted as calls (operators such as `a > b` reach ufunc_generic_fastcall)
NUMPY_ENTRY_POINTS = (
    *("ufunc_generic_fastcall", "ufunc_reduce", "ufunc_accumulate", "ufunc_reduceat"),
    *("array_count_nonzero", "array_searchsorted", "array_empty", "array_copy", "array_astype"),
    *("array_concatenate", "array_where", "array_ascontiguousarray", "array_cumsum"),
    *("array_dot", "array_argsort", "array_fill", "array_tolist", "PyArray_Nonzero"),
)
INDEXING = ("array_subscript", "array_assign_subscript")


def numpy_calls_child(which: str, rate: float, chunk_s: float) -> None:
    """Run the rule set's chunks between two SIGTRAPs, for the gdb of `numpy_calls`."""
    import signal

    from twinbench.rules import RuleEngine

    text = {"mixed": rules_text(10, 10), "levels": shared_rules_text(10, 10)}[which]
    periods = make_chunks(10, rate / 10, chunk_s, 1.0)
    eng = RuleEngine(parse_rules(text, "bench.toml", ["x", "y"]))
    warm = len(periods) // 4
    for row in periods[:warm]:
        for c in row:
            eng.process([c])
    rest = [c for row in periods[warm:] for c in row]
    print(f"chunks {len(rest)}", flush=True)
    os.kill(os.getpid(), signal.SIGTRAP)  # gdb turns its breakpoints on
    for c in rest:
        eng.process([c])
    os.kill(os.getpid(), signal.SIGTRAP)  # gdb reads the hit counts
    eng.close()


def numpy_calls(rate: float, chunk_s: float) -> None:
    """numpy calls per device chunk, counted at numpy's C entry points by gdb breakpoints."""
    import re
    import tempfile

    if shutil.which("gdb") is None:
        print("bench_rules.py: --numpy-calls needs gdb (apt-get install gdb)", file=sys.stderr)
        raise SystemExit(2)
    lines = ["set pagination off", "set breakpoint pending on", "handle SIGTRAP stop nopass"]
    lines.append("run")
    for f in (*NUMPY_ENTRY_POINTS, *INDEXING):
        lines += [f"break {f}", "commands", "silent", "continue", "end"]
    lines += ["continue", "info breakpoints", "continue"]
    print(
        "numpy calls per device chunk, one chunk per pass (gdb breakpoints on numpy's C entry "
        "points: ufunc calls, operators included, reductions, array functions and methods)"
    )
    print(f"{'rules':<44} {'numpy calls':>12} {'ufunc':>7} {'index get/set':>14}")
    with tempfile.NamedTemporaryFile("w", suffix=".gdb") as script:
        script.write("\n".join(lines) + "\n")
        script.flush()
        for which, what in (
            ("mixed", "100 mixed rules"),
            ("levels", "100 alarm-level rules, shared windows"),
        ):
            argv = [sys.executable, __file__, "--numpy-calls-child", which]
            argv += ["--rate", str(rate), "--chunk-ms", str(chunk_s * 1000)]
            out = subprocess.run(
                ["gdb", "-q", "-batch", "-x", script.name, "--args", *argv],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            n = int(re.search(r"chunks (\d+)", out).group(1))  # type: ignore[union-attr]
            hits: dict[str, int] = {}
            name = None
            for line in out.splitlines():
                m = re.match(r"^\d+\s+breakpoint.*<(\w+)", line)
                if m:
                    name = m.group(1)
                m = re.search(r"already hit (\d+) time", line)
                if m and name:
                    hits[name] = int(m.group(1))
            calls = sum(hits.get(f, 0) for f in NUMPY_ENTRY_POINTS) / n
            ufunc = hits.get("ufunc_generic_fastcall", 0) / n
            get, put = (hits.get(f, 0) / n for f in INDEXING)
            print(f"{what:<44} {calls:>12.1f} {ufunc:>7.1f} {get:>7.1f}/{put:<6.1f}")


def window_throughput(n: int, rate: float, chunk: int) -> None:
    """Tumbling and sliding aggregates, chunk by chunk, against pandas on the same data."""
    import pandas as pd

    t = (np.arange(n) * (1e9 / rate)).astype(np.int64) + 10**9
    v = np.random.default_rng(2).normal(size=n).cumsum()
    s = pd.Series(v, index=pd.to_datetime(t))

    def ours(spec: WindowSpec, agg: str, step: int = chunk):
        st = make_window(spec, agg)
        outs = []
        for i in range(0, n, step):
            wm = int(t[min(i + step, n) - 1])
            outs.append(st.update(t[i : i + step], v[i : i + step], wm))
        outs.append(st.update(t[:0], v[:0], INF_NS))
        return np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs])

    per_s = int(rate)  # samples in one 1 s window

    def pandas_per_chunk(kind: str, pd_agg: str) -> None:
        """pandas used incrementally: each chunk recomputes over the last window plus the chunk."""
        for i in range(0, n, chunk):
            part = s.iloc[max(0, i - per_s) : i + chunk]
            if kind == "rolling":
                getattr(part.rolling("1s"), pd_agg)()
            else:
                getattr(part.resample("1s", closed="right", label="right"), pd_agg)()

    sec = 10**9
    cases = [("tumbling", agg) for agg in ("avg", "max", "stdev")]
    cases += [("sliding", agg) for agg in ("avg", "max")]
    for kind, agg in cases:
        pd_agg = {"avg": "mean", "max": "max", "stdev": "std"}[agg]
        spec = WindowSpec.tumbling(sec) if kind == "tumbling" else WindowSpec.sliding(sec)
        et, ev = ours(spec, agg)
        if kind == "tumbling":
            ref = getattr(s.resample("1s", closed="right", label="right"), pd_agg)()
            assert np.array_equal(et, ref.index.asi8)
            assert np.allclose(ev, ref.to_numpy(), equal_nan=True)
            pd_name, pd_kind = f"resample(1s).{pd_agg}", "resample"

            def whole(pd_agg=pd_agg):
                return getattr(s.resample("1s", closed="right", label="right"), pd_agg)()
        else:
            ref = getattr(s.rolling("1s"), pd_agg)()
            at = np.searchsorted(et, t)  # our emissions at every sample time (plus exits)
            assert np.array_equal(et[at], t) and np.allclose(ev[at], ref.to_numpy())
            pd_name, pd_kind = f"rolling(1s).{pd_agg}", "rolling"

            def whole(pd_agg=pd_agg):
                return getattr(s.rolling("1s"), pd_agg)()

        base = f"pandas {pd_name}, whole series"
        rows = [
            (base, n, best_of(whole), "samples"),
            (
                f"pandas {pd_name}, per {chunk}-chunk",
                n,
                best_of(lambda k=pd_kind, a=pd_agg: pandas_per_chunk(k, a), repeat=1),
                "samples",
            ),
            (
                f"twinbench {kind}(1s) {agg}, per {chunk}-chunk",
                n,
                best_of(lambda spec=spec, agg=agg: ours(spec, agg)),
                "samples",
            ),
            (
                f"twinbench {kind}(1s) {agg}, whole series",
                n,
                best_of(lambda spec=spec, agg=agg: ours(spec, agg, n)),
                "samples",
            ),
        ]
        table(rows, base)
        print()


def main() -> None:
    """Run both parts and print the tables."""
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--runs", type=int, default=3, help="runs of each latency row")
    p.add_argument("--chunk-ms", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=1_000_000.0, help="total samples/s")
    p.add_argument("--no-windows-table", action="store_true", help="skip the pandas comparison")
    p.add_argument("--cpu", type=int, default=None, help="pin to this core (default: one core)")
    p.add_argument(
        "--calls", action="store_true", help="only count Python and numpy calls per chunk"
    )
    p.add_argument(
        "--numpy-calls",
        action="store_true",
        help="only count numpy calls per chunk at numpy's C entry points (needs gdb)",
    )
    p.add_argument("--numpy-calls-child", default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="run `stress-ng --cpu N` beside the benchmark (the machine loaded to N + 1)",
    )
    args = p.parse_args()
    if args.runs < 1:
        p.error("--runs: at least 1")
    if args.load < 0:
        p.error("--load: 0 or more CPU hogs")
    if args.load and shutil.which("stress-ng") is None:
        print("bench_rules.py: --load needs stress-ng (apt-get install stress-ng)", file=sys.stderr)
        raise SystemExit(2)
    hog = None
    if args.load:  # started before pinning: the hogs may run on any core
        cmd = ["stress-ng", "--cpu", str(args.load), "--quiet"]
        hog = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3.0)  # let the load average climb a little before the first row
        print(f"load: {' '.join(cmd)} beside the benchmark (pid {hog.pid})")
    try:
        run_all(args)
    finally:
        if hog is not None:
            hog.terminate()
            hog.wait(5)


def run_all(args: argparse.Namespace) -> None:
    """Everything `main` parsed the options for."""
    if hasattr(os, "sched_setaffinity"):
        cpu = args.cpu if args.cpu is not None else sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        print(f"pinned to core {cpu}")
    seconds = 0.5 if args.smoke else args.seconds
    if args.smoke:
        args.runs = 1
    rate = 100_000.0 if args.smoke else args.rate
    ref = np.random.default_rng(0).random(1000)
    ref_us = min(timeit.repeat(lambda: ref > 0.5, number=2000, repeat=5)) / 2000 * 1e6
    print(
        f"machine reference: numpy compare of 1000 floats {ref_us:.2f} us; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    chunk_s = args.chunk_ms / 1000
    if args.numpy_calls_child:
        numpy_calls_child(args.numpy_calls_child, rate, chunk_s)
        return
    if args.numpy_calls:
        numpy_calls(rate, chunk_s)
        return
    if args.calls:
        calls_table(rate, chunk_s)
        return
    cost_table(10, 100, rate, chunk_s)
    print()
    mixed = rules_text(10, 10)
    cases = [
        ("transport only, no rules (baseline)", "", chunk_s),
        ("100 mixed rules", mixed, chunk_s),
        ("100 alarm-level rules, shared windows", shared_rules_text(10, 10), chunk_s),
        ("100 mixed rules, long windows (2-4 s)", rules_text(10, 10, LONG_KINDS), chunk_s),
        ("100 mixed rules, 20 ms chunks (sim default)", mixed, 0.02),
    ]
    print(
        f"latency through the hub and the rules worker: 10 devices, {rate:,.0f} samples/s, "
        f"{args.chunk_ms:g} ms chunks, {seconds:g} s per run, {args.runs} run(s) per row, "
        "rows interleaved (us; CPU = worker thread CPU time)"
    )
    print(
        f"{'what':<44} {'run':>3} {'load':>5} {'CPU/chunk':>9} {'chunk p50':>9} {'p99':>8} "
        f"{'max':>8} {'alarm p50':>9} {'p99':>8} {'max':>8} {'raises':>7} {'drops':>5}"
    )
    runs: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        for what, text, cs in cases:
            load = os.getloadavg()[0]
            d, _wall, raised, faults = latency(text, 10, rate, seconds, cs)
            lc, la = d["latency_chunk"], d["latency_alarm"]
            cpu = d["worker_cpu_s"] / max(d["chunks"], 1) * 1e6
            print(
                f"{what:<44} {run:>3} {load:>5.1f} {cpu:>9.0f} {lc.get('p50_us', 0):>9.0f} "
                f"{lc.get('p99_us', 0):>8.0f} {lc.get('max_us', 0):>8.0f} "
                f"{la.get('p50_us', 0):>9.0f} {la.get('p99_us', 0):>8.0f} "
                f"{la.get('max_us', 0):>8.0f} {raised:>7} {d['dropped_chunks']:>5}"
            )
            if faults:
                print(f"  {faults} evaluation faults")
            if text:
                runs.setdefault(what, []).append(la.get("p99_us", 0))
    by_chunk: dict[float, list[float]] = {}
    for what, text, cs in cases:
        if not text:
            continue
        got = sorted(runs[what])
        med = float(np.median(got))
        print(f"  {what}: alarm p99 median {med:.0f} us over {len(got)} run(s) {got}")
        by_chunk.setdefault(cs, []).append(med)
    for cs, meds in sorted(by_chunk.items()):
        ok = max(meds) <= 2000
        print(
            f"  target p99 chunk -> alarm <= 2 ms with {cs * 1000:g} ms chunks "
            f"(every row, median of runs): {'met' if ok else 'NOT met'}"
        )
    print(
        f"  load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores (shared machine: compare rows, not runs)"
    )
    print()
    if args.no_windows_table:
        return
    window_throughput(20_000 if args.smoke else 1_000_000, 1000.0, 1000)


if __name__ == "__main__":
    main()
    for th in threading.enumerate():
        if th is not threading.main_thread() and not th.daemon:
            th.join(1)
