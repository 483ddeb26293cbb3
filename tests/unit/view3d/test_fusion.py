"""IMU fusion through imufusion's AHRS: still board, rotation rate, sample rate from the data."""

from __future__ import annotations

import numpy as np

from twinbench.hub import Hub
from twinbench.model import Chunk
from twinbench.runtime import Runtime
from twinbench.visuals.bindings import Binding
from twinbench.visuals.fusion import ImuFusion
from twinbench.visuals.live import Evaluator, FusionWorkers
from twinbench.visuals.rotations import quat_to_euler

IMU = ("ax", "ay", "az", "gx", "gy", "gz")


def _still(n: int, rate: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = (np.arange(n) * (1e9 / rate)).astype(np.int64)
    accel = np.tile([0.0, 0.0, 1.0], (n, 1)) + 0.002 * rng.standard_normal((n, 3))
    gyro = 0.05 * rng.standard_normal((n, 3))
    return t, np.hstack([accel, gyro])


def test_still_board_keeps_unit_norm_and_level():
    t, v = _still(4000, 200.0)
    f = ImuFusion(("ax", "ay", "az"), ("gx", "gy", "gz"))
    q = np.concatenate(
        [
            f.update(t[i : i + 200], v[i : i + 200, 3:], v[i : i + 200, :3])
            for i in range(0, 4000, 200)
        ]
    )
    norms = np.linalg.norm(q, axis=1)
    assert np.max(np.abs(norms - 1.0)) < 1e-6
    roll, pitch, _ = np.degrees(quat_to_euler(q[-1]))
    assert abs(roll) < 0.5 and abs(pitch) < 0.5
    assert f.sample_rate == 200.0


def _turn(rate: float, rate_dps: float, units: str = "deg/s") -> tuple[ImuFusion, float]:
    """4 s still (the AHRS start-up holds heading at 0), then 1 s turning about z."""
    still, turn = int(4 * rate), int(rate)
    n = still + turn + 1
    t = (np.arange(n) * (1e9 / rate)).astype(np.int64)
    gyro = np.zeros((n, 3))
    gyro[still + 1 :, 2] = rate_dps
    f = ImuFusion(("ax", "ay", "az"), ("gx", "gy", "gz"), gyro_units=units)
    q = f.update(t, gyro, np.tile([0.0, 0.0, 1.0], (n, 1)))
    yaw0 = quat_to_euler(q[still])[2]
    return f, float(np.degrees(quat_to_euler(q[-1])[2] - yaw0))


def test_sample_rate_comes_from_the_timestamps():
    # 90 deg/s about z for one second turns 90 degrees only if dt is taken from the data
    for rate in (50.0, 400.0):
        f, turned = _turn(rate, 90.0)
        assert f.sample_rate == rate
        assert abs(turned - 90.0) < 3.0, (rate, turned)


def test_gyro_in_radians_per_second():
    f, turned = _turn(100.0, np.pi / 2, "rad/s")
    assert f.sample_rate == 100.0
    assert abs(turned - 90.0) < 3.0


def test_nan_samples_are_counted_and_skipped():
    t, v = _still(400, 100.0)
    v[10:20, 3] = np.nan
    f = ImuFusion(("ax", "ay", "az"), ("gx", "gy", "gz"))
    q = f.update(t, v[:, 3:], v[:, :3])
    assert f.skipped == 10
    assert np.all(np.isfinite(q))


def test_fusion_worker_runs_off_the_gui_thread_on_hub_chunks():
    runtime = Runtime(Hub())
    ev = Evaluator(bindings=[Binding("imu", "board", "", IMU, units="deg/s")])
    workers = FusionWorkers(runtime)
    workers.start(ev)
    try:
        t, v = _still(2000, 200.0)
        for i in range(0, 2000, 100):
            runtime.hub.publish(Chunk("board", IMU, t[i : i + 100], v[i : i + 100]))
            runtime.hub.publish(Chunk("other", IMU, t[i : i + 100], v[i : i + 100]))
    finally:
        workers.stop()
    fusion = ev.fusions[0]
    assert fusion.samples == 2000  # only the bound device's chunks
    assert workers.workers == []
    states = ev.evaluate({"board": {}}, 0.0)
    q = states["board"].rotation
    assert q is not None and abs(np.linalg.norm(q) - 1.0) < 1e-9


def test_fusion_reports_missing_channels():
    f = ImuFusion(("ax", "ay", "az"), ("gx", "gy", "gz"))
    f.feed([Chunk("board", ("ax", "ay"), np.arange(3), np.zeros((3, 2)))])
    assert f.error == "IMU fusion on board: channel 'az', 'gx', 'gy', 'gz' missing from its data"


def test_runtime_stop_also_stops_fusion_threads():
    runtime = Runtime(Hub())
    ev = Evaluator(bindings=[Binding("imu", "board", "", IMU)])
    FusionWorkers(runtime).start(ev)
    (worker,) = runtime.workers
    assert worker.is_alive()
    runtime.stop()
    assert not worker.is_alive()
