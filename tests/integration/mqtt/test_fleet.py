"""`twinbench sim --mqtt` feeding the driver; shared subscriptions split a fleet."""

from __future__ import annotations

import json
import subprocess

import pytest


def fleet(exe, env, port, *args, timeout=60):
    cmd = [*exe, "sim", "--mqtt", f"127.0.0.1:{port}", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize(
    ("fmt", "settings", "device"),
    [
        ("json", {"pattern": "fleet/{device}/telemetry", "time_field": "$.ts"}, "dev-002"),
        ("iothub", {"format": "iothub"}, "dev-002"),
        ("sparkplug", {"format": "sparkplug"}, "twinbench/fleet/dev-002"),
    ],
)
def test_fleet_formats_decode(broker, mq, twinbench_exe, clean_env, fmt, settings, device):
    rt, col = mq.start({"port": broker.port, "qos": 1, **settings})
    try:
        r = fleet(twinbench_exe, clean_env, broker.port, "--devices", "3", "--rate", "200",
                  "--count", "40", "--format", fmt, "--qos", "1")  # fmt: skip
        assert "published" in r.stdout
        births = 1 if fmt == "sparkplug" else 0  # a DBIRTH carries the metrics' values too
        assert mq.wait_for(lambda: len(col.column(device, "seq")) == 40 + births)
        assert list(col.column(device, "seq")[births:]) == list(range(40))
        assert col.devices() >= {device}
        temp = col.column(device, "temp")[births:]
        assert ((temp > 14) & (temp < 26)).all()
        drv = rt.drivers[0]
        bad = {t: b for t, b in drv.decoder.counters.bad.items() if not t.startswith("$")}
        assert bad == {}
        if fmt == "sparkplug":
            assert drv.decoder.sparkplug.rebirths_requested == 0
            node = "twinbench/fleet"
            assert mq.wait_for(lambda: rt.hub.devices.get(node) and
                               rt.hub.devices[node].state == "offline")  # fmt: skip
            assert rt.hub.devices[device].state == "offline"
    finally:
        rt.stop()


def test_bad_mqtt_address_is_a_usage_error(twinbench_exe, clean_env):
    r = subprocess.run([*twinbench_exe, "sim", "--mqtt", "localhost:99999"],
                       capture_output=True, text=True, env=clean_env, timeout=30)  # fmt: skip
    assert r.returncode == 2 and "port must be 1..65535" in r.stderr and "Traceback" not in r.stderr


def split_fleet(ctx, split_args, n_inst, n_dev, count, rate):
    """Run n headless instances (each with its split options), feed them a fleet, return the
    per-instance `seq` channel figures of every simulated device they handled."""
    broker, tmp_path, exe, env, mq = ctx
    port = broker.port
    procs = []
    for k in range(n_inst):
        cmd = [*exe, "run", "--headless", "--driver", "mqtt", "--duration", "12",
               "--quiet", "--summary", str(tmp_path / f"s{k}.json"), "--set", f"port={port}",
               *split_args(k), "--set", "qos=1", "--set", "topics=fleet/#",
               "--set", "pattern=fleet/{device}/telemetry",
               "--set", "channels=seq=$.seq"]  # fmt: skip
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    connected = []
    mon = mq.publisher(port)
    mon.on_message = lambda c, u, m: connected.append(int(m.payload))
    mon.subscribe("$SYS/broker/clients/connected")
    try:
        assert mq.wait_for(lambda: connected and connected[-1] >= n_inst + 1, 30)
        fleet(exe, env, port, "--devices", str(n_dev), "--rate", str(rate),
              "--count", str(count), "--qos", "1")  # fmt: skip
    finally:
        mq.close(mon)
        for p in procs:
            p.communicate(timeout=60)
    assert all(p.returncode == 0 for p in procs)
    per_inst = []
    for k in range(n_inst):
        s = json.loads((tmp_path / f"s{k}.json").read_text())
        per_inst.append({d: v["channels"]["seq"] for d, v in s["devices"].items()
                         if d.startswith("dev-") and v["samples"]})  # fmt: skip
    return per_inst


def test_shared_subscription_splits_a_fleet(sys_broker, tmp_path, twinbench_exe, clean_env, mq):
    count = 150
    ctx = (sys_broker, tmp_path, twinbench_exe, clean_env, mq)
    per_inst = split_fleet(ctx, lambda k: ["--share", "bench"], 3, 3, count, 100)
    assert all(sum(c["count"] for c in inst.values()) > 0 for inst in per_inst)
    for dev in ("dev-001", "dev-002", "dev-003"):
        n = sum(inst[dev]["count"] for inst in per_inst if dev in inst)
        seq_sum = sum(inst[dev]["count"] * inst[dev]["mean"] for inst in per_inst if dev in inst)
        assert n == count  # every message handled once: no loss, no duplicate
        assert round(seq_sum) == count * (count - 1) // 2


def test_partitions_split_a_fleet_by_device_id(sys_broker, tmp_path, twinbench_exe, clean_env, mq):
    n_dev, count = 6, 60
    ctx = (sys_broker, tmp_path, twinbench_exe, clean_env, mq)
    owned = split_fleet(ctx, lambda k: ["--partition", f"{k}/2"], 2, n_dev, count, 50)
    assert all(owned), "each instance owns some devices"
    assert not set(owned[0]) & set(owned[1]), "a device belongs to exactly one instance"
    assert set(owned[0]) | set(owned[1]) == {f"dev-{i + 1:03d}" for i in range(n_dev)}
    assert all(c["count"] == count for inst in owned for c in inst.values())  # nothing lost


def test_bad_partition_is_one_line(twinbench_exe, clean_env):
    for bad in ("2/2", "x", "1-2"):
        r = subprocess.run([*twinbench_exe, "run", "--headless", "--driver", "mqtt",
                            "--partition", bad, "--duration", "1"],
                           capture_output=True, text=True, env=clean_env, timeout=30)  # fmt: skip
        assert r.returncode == 2 and "partition" in r.stderr and "Traceback" not in r.stderr
