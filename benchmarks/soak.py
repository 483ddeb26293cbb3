"""Soak: a long headless run (sim, 10 kHz x 2 devices, the example rules, recording) and its RSS.

Starts `twinbench run` as a real subprocess and samples its resident set size (psutil) every few
seconds. Prints RSS at 1, 10, 30 and 60 minutes (the marks that fall inside `--minutes`) and at
the end, each as a ratio to the 1-minute mark (the baseline: after warm-up); the verdict is
whether every later mark stays within +-5 % of it.

    python benchmarks/soak.py                   # the full hour
    python benchmarks/soak.py --minutes 5       # marks at 1 min and the end
    python benchmarks/soak.py --smoke           # 20 s, marks every 5 s (checks that it runs)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "resources" / "examples" / "rules.toml"
MARKS_MIN = (1, 10, 30, 60)
TOLERANCE = 0.05


def rss_of(proc: psutil.Process) -> int:
    """Resident set size of the process and its children, in bytes."""
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> int:
    """Run the soak and print the RSS table."""
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=60.0, help="how long to run (default 60)")
    p.add_argument("--rate", type=float, default=10_000.0, help="samples/s per device")
    p.add_argument("--devices", type=int, default=2, help="simulated devices")
    p.add_argument("--no-record", action="store_true", help="without recording")
    p.add_argument("--no-rules", action="store_true", help="without the example rules")
    p.add_argument("--every", type=float, default=5.0, help="seconds between RSS samples")
    p.add_argument("--verbose", action="store_true", help="also print every RSS sample")
    args = p.parse_args()
    if args.smoke:
        args.minutes, args.every = 20 / 60, 1.0
    marks = [m * 60.0 for m in MARKS_MIN if m < args.minutes] or [args.minutes * 30.0]
    if args.smoke:
        marks = [5.0, 10.0, 15.0]
    end_s = args.minutes * 60.0
    exe = Path(sys.executable).with_name("twinbench")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "twinbench"]
    with tempfile.TemporaryDirectory(prefix="twinbench-soak-") as tmp:
        cmd += [
            "run",
            "--driver",
            "sim",
            "--set",
            f"rate={args.rate:g}",
            "--set",
            f"devices={args.devices}",
            "--duration",
            f"{end_s + 30:g}",
            "--quiet",
        ]
        if not args.no_rules:
            cmd += ["--rules", str(RULES)]
        if not args.no_record:
            cmd += ["--record", tmp]
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        proc = psutil.Process(child.pid)
        t0 = time.monotonic()
        samples: list[tuple[float, int]] = []
        try:
            while (now := time.monotonic() - t0) < end_s:
                if child.poll() is not None:
                    err = child.stderr.read().decode() if child.stderr else ""
                    print(f"twinbench run ended early (exit {child.returncode}): {err.strip()}")
                    return 1
                samples.append((now, rss_of(proc)))
                time.sleep(args.every)
            samples.append((time.monotonic() - t0, rss_of(proc)))
        finally:
            os.kill(child.pid, signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    setup = (
        f"sim {args.rate:g} Hz x {args.devices} devices, "
        f"{'no rules' if args.no_rules else 'example rules'}, "
        f"{'no recording' if args.no_record else 'recording'}"
    )
    print(f"soak: {setup}, {args.minutes:g} min, RSS sampled every {args.every:g} s")

    def at(t: float) -> tuple[float, int]:
        return min(samples, key=lambda s: abs(s[0] - t))

    base_t, base = at(marks[0])
    if args.verbose:
        for t, rss in samples:
            print(f"  sample {t:8.1f} s {rss / 1e6:8.1f} MB")
    print(f"{'mark':>10} {'at (s)':>8} {'RSS (MB)':>10} {'vs first mark':>14}")
    label = (lambda m: f"{m:g} s") if args.smoke else (lambda m: f"{m / 60:g} min")
    rows = [(label(m), *at(m)) for m in marks] + [("end", *samples[-1])]
    worst = 0.0
    for name, t, rss in rows:
        ratio = rss / base
        if t > base_t:
            worst = max(worst, abs(ratio - 1))
        print(f"{name:>10} {t:>8.0f} {rss / 1e6:>10.1f} {ratio:>13.3f}x")
    peak = max(r for _, r in samples)
    print(f"peak RSS {peak / 1e6:.1f} MB; largest change after the first mark {worst:+.1%}")
    verdict = "within" if worst <= TOLERANCE else "OUTSIDE"
    print(f"verdict: {verdict} +-{TOLERANCE:.0%} of the {label(marks[0])} mark")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
