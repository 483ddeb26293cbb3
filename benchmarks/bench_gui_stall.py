"""GUI-thread stalls of the real main window: a 10 ms QTimer probe, run under Xvfb (xcb).

Scenarios, each in a fresh process with a fresh config folder: the default window on the
simulator; the same plus an MQTT device on `#` (added as the Connect form adds it) with the MQTT
topics panel open, against a local mosquitto holding N retained topics
`lab/site{s}/line{l}/dev{d}/temp` with 2,000 msg/s live over 5,000 of them; N = 10,000 and
100,000 (`--quick`: 2,000 and 20,000, shorter runs). Per scenario: probe interval median, p95,
p99 and max (ms), RSS (MB), threads, CPU (% of one core), devices in the hub, and the seconds
until the topic tree showed every retained topic. Goals (issue 24): sim p99 <= 25 ms; 10k: max
<= 250 ms, p99 <= 100 ms, RSS <= 600 MB, threads flat; 100k: max <= 1 s, tree complete <= 10 s.

    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python benchmarks/bench_gui_stall.py [--quick] [--smoke]
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

PROBE_MS = 10
LIVE_RATE = 2000
LIVE_TOPICS = 5000

PUBLISHER = """
import sys, time, paho.mqtt.client as mqtt
port, n, mode, rate, live = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                             int(sys.argv[5]))
def topic(i):
    if n <= 10000:
        return f"lab/site{i // 1000}/line{i // 100 % 10}/dev{i % 100}/temp"
    return f"lab/site{i // 10000}/line{i // 1000 % 10}/dev{i % 1000}/temp"
names = sorted({topic(i) for i in range(n)})
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
c.max_inflight_messages_set(1000)
c.connect("127.0.0.1", port)
c.loop_start()
if mode == "retain":
    acked = [0]
    c.on_publish = lambda *a: acked.__setitem__(0, acked[0] + 1)
    for i, t in enumerate(names):
        while c.publish(t, f"{20 + i % 100 / 10:.1f}", 1, True).rc:  # queue full: let it drain
            time.sleep(0.01)
        while i - acked[0] > 5000:
            time.sleep(0.005)
    deadline = time.monotonic() + 300
    while acked[0] < len(names) and time.monotonic() < deadline:
        time.sleep(0.01)
    print(acked[0], flush=True)
else:
    k, t0 = 0, time.monotonic()
    while True:
        due = int((time.monotonic() - t0) * rate)
        while k < due:
            c.publish(names[k % live], f"{21 + k % 50 / 10:.1f}", 0, False)
            k += 1
        time.sleep(0.005)
"""


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(folder: Path) -> tuple[subprocess.Popen, int]:
    """mosquitto on a free loopback port (no persistence), waiting until it accepts."""
    port = free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
        "max_inflight_messages 0\nset_tcp_nodelay true\n"
        + ("user root\n" if os.geteuid() == 0 else "")
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not start")


# -- the measured process --------------------------------------------------------------------
def child(port: int, topics: int, seconds: float) -> None:
    """Open the main window (and the MQTT device), probe the GUI thread, print one JSON line."""
    import numpy as np
    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    bench = BenchApp(store=SessionStore(Path(os.environ["TWINBENCH_CONFIG_DIR"])))
    bench.save_enabled = False
    bench.show()
    proc = psutil.Process()
    stamps: list[float] = []
    state: dict = {"t_sub": None, "tree_s": None, "panel": None}

    def add_mqtt() -> None:
        panel = bench.window.open_panel("mqtt").widget()
        state["panel"] = panel
        bench.runtime.add_driver("mqtt", {"port": port, "topics": "#"})
        state["t_sub"] = time.monotonic()

    def probe() -> None:
        now = time.monotonic()
        stamps.append(now)
        panel = state["panel"]
        if panel is not None and state["tree_s"] is None and panel.model.topics_shown >= topics:
            state["tree_s"] = now - state["t_sub"]

    def finish() -> None:
        t = np.diff(np.array(stamps)) * 1000
        t = t[len(t) // 20 :]  # the first 5%: start-up
        cpu = proc.cpu_times()
        out = {
            "median": float(np.median(t)),
            "p95": float(np.percentile(t, 95)),
            "p99": float(np.percentile(t, 99)),
            "max": float(t.max()),
            "rss_mb": proc.memory_info().rss / 2**20,
            "threads": proc.num_threads(),
            "cpu_pct": 100 * (cpu.user + cpu.system) / (time.monotonic() - t_start),
            "devices": len(bench.runtime.hub.devices),
            "tree_s": state["tree_s"],
            "shown": state["panel"].model.topics_shown if state["panel"] else 0,
        }
        print("RESULT " + json.dumps(out), flush=True)
        bench.window.close()
        app.quit()

    t_start = time.monotonic()
    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    timer.start()

    def started() -> None:
        if not bench.ready:
            QTimer.singleShot(100, started)
            return
        if topics:
            add_mqtt()
        QTimer.singleShot(int(seconds * 1000), finish)

    QTimer.singleShot(500, started)
    app.exec()
    bench.shutdown()


def run_scenario(name: str, port: int, topics: int, seconds: float, folder: Path) -> dict:
    """One scenario in a fresh process; returns its figures."""
    cfg = folder / f"cfg-{name}"
    env = {**os.environ, "TWINBENCH_CONFIG_DIR": str(cfg), "TWINBENCH_DATA_DIR": str(cfg / "d")}
    env.setdefault("QT_QPA_PLATFORM", "xcb")
    args = [sys.executable, __file__, "--child", str(port), str(topics), str(seconds)]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{name}: no result (rc {r.returncode}): {r.stderr[-800:]}")
    return {"scenario": name, **json.loads(line[7:])}


def preload(port: int, n: int) -> tuple[int, float]:
    """Publish n retained topics; returns (count, seconds)."""
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", PUBLISHER, str(port), str(n), "retain", "0", "0"],
                       capture_output=True, text=True, timeout=900)  # fmt: skip
    if r.returncode:
        raise RuntimeError(r.stderr[-800:])
    return int(r.stdout.split()[0]), time.monotonic() - t0


def main() -> None:
    """Run the scenarios and print the table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
        return
    p = parser(__doc__ or "")
    p.add_argument("--quick", action="store_true", help="2,000 and 20,000 topics, shorter runs")
    args = p.parse_args()
    if shutil.which("mosquitto") is None:
        sys.exit("bench_gui_stall: mosquitto is not installed")
    secs = 4.0 if args.smoke else 12.0 if args.quick else 25.0
    sizes = [500] if args.smoke else [2_000, 20_000] if args.quick else [10_000, 100_000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(run_scenario("sim", 0, 0, secs, folder))
        for n in sizes:
            broker, port = start_broker(folder)
            live = None
            try:
                count, load_s = preload(port, n)
                live_args = [
                    str(port),
                    str(n),
                    "live",
                    str(LIVE_RATE),
                    str(min(LIVE_TOPICS, count)),
                ]
                live = subprocess.Popen([sys.executable, "-c", PUBLISHER, *live_args])
                row = run_scenario(f"sim + mqtt # {count:,} topics", port, count, secs, folder)
                row["preload_s"] = load_s
                rows.append(row)
            finally:
                if live is not None:
                    live.kill()
                    live.wait()
                broker.terminate()
                broker.wait(10)
    print(
        f"probe {PROBE_MS} ms; live {LIVE_RATE} msg/s over {LIVE_TOPICS} topics; {secs:.0f} s each"
    )
    head = f"{'scenario':<30} {'median':>7} {'p95':>7} {'p99':>7} {'max':>7} {'RSS MB':>7}"
    print(head + f" {'thr':>4} {'CPU%':>5} {'devs':>5} {'tree s':>7} {'shown':>7}")
    for r in rows:
        tree = f"{r['tree_s']:.1f}" if r.get("tree_s") is not None else "-"
        print(f"{r['scenario']:<30} {r['median']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
              f"{r['max']:>7.1f} {r['rss_mb']:>7.0f} {r['threads']:>4} {r['cpu_pct']:>5.0f} "
              f"{r['devices']:>5} {tree:>7} {r['shown']:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
