"""BLE notifications to the hub: latency and reconnect time on the BlueZ emulator.

Ten custom sensors notify at 100 Hz each through a private dbus-daemon and bleak's real BlueZ
backend. Each notification carries its send time (monotonic ns); latency is measured at three
stages: the driver's notification callback, Hub.publish, and a hub consumer thread. Baseline,
same run: the same devices read with plain bleak callbacks (no driver, decoder or hub). Then one
device drops its link and comes back: the time from its return to its first notification in the
hub.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table

from twinbench.ble.privatebus import (
    SENSOR_CHAR,
    SENSOR_SERVICE,
    SENSOR_STRUCT,
    EmulatedBluez,
    custom_sensor,
)
from twinbench.model import Chunk
from twinbench.runtime import Runtime


def addresses(n: int) -> list[str]:
    """Addresses of the emulated sensors."""
    return [f"AA:BB:CC:DD:00:{i + 1:02X}" for i in range(n)]


def cpu_s() -> float:
    """CPU seconds used by this process so far."""
    t = psutil.Process().cpu_times()
    return t.user + t.system


def raw_bleak(addrs: list[str], seconds: float, cpu: list[float]) -> np.ndarray:
    """Baseline: latencies (ms) seen by plain bleak notification callbacks."""
    from bleak import BleakClient, BleakScanner

    from twinbench.ble import bleakbus

    lat: list[int] = []

    async def main() -> None:
        bleakbus.acquire()
        seen = {}

        def on_adv(d, _a):
            seen[d.address] = d

        async with BleakScanner(on_adv):
            while len(seen) < len(addrs):
                await asyncio.sleep(0.05)
        clients = [BleakClient(seen[a]) for a in addrs]
        await asyncio.gather(*(c.connect() for c in clients))

        def cb(_c, data):
            lat.append(time.monotonic_ns() - int.from_bytes(data[:8], "little"))

        await asyncio.gather(*(c.start_notify(SENSOR_CHAR, cb) for c in clients))
        await asyncio.sleep(0.5)
        lat.clear()
        c0 = cpu_s()
        await asyncio.sleep(seconds)
        cpu.append(cpu_s() - c0)
        await asyncio.gather(*(c.disconnect() for c in clients))
        await bleakbus.release()

    asyncio.run(main())
    return np.array(lat) / 1e6


class LatencyProbe:
    """A hub consumer: latency of each t_send sample, first arrival per device after a mark."""

    def __init__(self) -> None:
        self.lat: list[np.ndarray] = []
        self.cb_lat: list[np.ndarray] = []  # send -> driver callback (the chunk's own stamp)
        self.offset = time.time_ns() - time.monotonic_ns()
        self.mark_ns = 0
        self.first_after: dict[str, int] = {}
        self.lock = threading.Lock()

    def handle(self, chunks: list[Chunk]) -> None:
        """Called on the consumer thread with a batch of chunks."""
        now = time.monotonic_ns()
        for c in chunks:
            if "t_send" not in c.channels:
                continue
            sent = c.column("t_send")
            self.lat.append((now - sent) / 1e6)
            self.cb_lat.append((c.t_ns - self.offset - sent) / 1e6)
            if self.mark_ns and c.device not in self.first_after and sent[-1] > self.mark_ns:
                self.first_after[c.device] = now

    def take(self) -> np.ndarray:
        """All latencies so far (ms), then reset."""
        with self.lock:
            out = np.concatenate(self.lat) if self.lat else np.empty(0)
            self.cb_out = np.concatenate(self.cb_lat) if self.cb_lat else np.empty(0)
            self.lat, self.cb_lat = [], []
        return out


def driver_phase(bz: EmulatedBluez, n_dev: int, secs: float, drops: int) -> dict[str, object]:
    """Stream through the `ble` driver and the hub; latencies by stage, CPU, reconnect times."""
    probe = LatencyProbe()
    rt = Runtime()
    rt.add_consumer("latency", probe.handle, maxsize=1 << 14)
    rt.add_driver(
        "ble",
        {
            "service": SENSOR_SERVICE,
            "notify": f"{SENSOR_CHAR}=struct:{SENSOR_STRUCT}",
            "max_devices": str(n_dev),
            "scan_s": "5",
            "backoff_max": "0.25",
        },
    )
    pub_lat: list[np.ndarray] = []
    publish = rt.hub.publish

    def timed_publish(chunk: Chunk) -> None:  # latency at the moment the hub gets it
        if "t_send" in chunk.channels:
            pub_lat.append((time.monotonic_ns() - chunk.column("t_send")) / 1e6)
        publish(chunk)

    rt.hub.publish = timed_publish  # type: ignore[method-assign]
    rt.start()
    out: dict[str, object] = {}
    try:
        time.sleep(0.5)
        probe.take()
        pub_lat.clear()
        t0 = time.perf_counter()
        c0 = cpu_s()
        time.sleep(secs)
        out["cpu"] = cpu_s() - c0
        out["consumer"] = probe.take()
        out["callback"] = probe.cb_out
        out["publish"] = np.concatenate(pub_lat) if pub_lat else np.empty(0)
        out["elapsed"] = time.perf_counter() - t0
        # reconnect: drop a link, the device stays away for 1 s; time from its return
        recon = []
        for i in range(drops):
            dev_id = sorted(rt.hub.devices)[i % n_dev]
            addr = rt.hub.devices[dev_id].device.meta["address"]
            away = 1.0
            probe.first_after.clear()
            bz.drop(addr, away_s=away)
            back = time.monotonic_ns() + int(away * 1e9)
            probe.mark_ns = back
            deadline = time.monotonic() + away + 10
            while dev_id not in probe.first_after and time.monotonic() < deadline:
                time.sleep(0.01)
            got = probe.first_after.get(dev_id)
            recon.append((got - back) / 1e9 if got else float("inf"))
            probe.mark_ns = 0
            time.sleep(0.3)
        out["reconnect"] = recon
    finally:
        rt.stop()
    out["dropped"] = rt.hub.dropped()
    return out


def main() -> None:
    """Print the throughput table, latency percentiles by stage and the reconnect times."""
    p = parser(__doc__ or "")
    p.add_argument("--devices", type=int, default=10)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--seconds", type=float, default=5.0, help="per round and phase")
    p.add_argument("--rounds", type=int, default=3, help="baseline/driver rounds, interleaved")
    args = p.parse_args()
    n_dev, rate = (3, 50.0) if args.smoke else (args.devices, args.rate)
    secs = 1.0 if args.smoke else args.seconds
    rounds = 1 if args.smoke else args.rounds
    addrs = addresses(n_dev)
    base: list[np.ndarray] = []
    base_cpu: list[float] = []
    runs: list[dict] = []
    with EmulatedBluez() as bz:
        for a in addrs:
            bz.add_device(custom_sensor(a, rate_hz=rate, name=f"BenchSensor-{a[-2:]}"))
        for r in range(rounds):
            base.append(raw_bleak(addrs, secs, base_cpu))
            last = r == rounds - 1
            runs.append(driver_phase(bz, n_dev, secs, (1 if args.smoke else 3) if last else 0))

    def pooled(key: str) -> np.ndarray:
        return np.concatenate([run[key] for run in runs])

    base_all = np.concatenate(base)
    consumer = pooled("consumer")
    elapsed = sum(run["elapsed"] for run in runs)
    load = f"{n_dev} dev x {rate:g} Hz"
    rows = [
        (f"plain bleak callbacks, {load} (baseline)", base_all.size, secs * rounds, "notes"),
        (f"ble driver -> hub -> consumer, {load}", consumer.size, elapsed, "notes"),
    ]
    table(rows, rows[0][0])
    print()
    print(f"{'latency from send (ms), all rounds':<44} {'p50':>7} {'p99':>7} {'max':>7}  p99/round")
    stages = (
        ("plain bleak callback (baseline)", base_all, [np.percentile(b, 99) for b in base]),
        ("ble driver: notification callback", pooled("callback"), None),
        ("ble driver: Hub.publish (reaches the hub)", pooled("publish"), "publish"),
        ("ble driver: hub consumer thread", consumer, "consumer"),
    )
    for what, lat, per in stages:
        if not lat.size:
            continue
        if isinstance(per, str):
            per = [np.percentile(run[per], 99) for run in runs]
        p50, p99 = np.percentile(lat, [50, 99])
        rr = " ".join(f"{x:.1f}" for x in per) if per else ""
        print(f"{what:<44} {p50:>7.2f} {p99:>7.2f} {lat.max():>7.2f}  {rr}")
    print(f"hub drops: {sum(run['dropped'] for run in runs)}")
    drv_cpu = sum(run["cpu"] for run in runs)
    print(
        f"CPU of this process: baseline {100 * sum(base_cpu) / (secs * rounds):.0f} %, "
        f"driver + hub {100 * drv_cpu / elapsed:.0f} % of one core; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    recon = runs[-1]["reconnect"]
    print(
        "reconnect, device back -> first notification in hub (s): "
        + ", ".join(f"{r:.3f}" for r in recon)
    )


if __name__ == "__main__":
    main()
