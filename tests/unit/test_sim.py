import time

import numpy as np
import pytest

from twinbench.drivers.base import SettingError
from twinbench.drivers.sim.faults import parse_faults
from twinbench.drivers.sim.model import RigModel
from twinbench.runtime import Runtime
from twinbench.summary import SummaryStats


def test_model_is_deterministic_for_a_seed_whatever_the_block_split():
    a = RigModel(1000.0, 3, 9, ())
    b = RigModel(1000.0, 3, 9, ())
    _, va = a.block(0, 300)
    vb = np.concatenate([b.block(0, 100)[1], b.block(100, 200)[1]])
    np.testing.assert_allclose(va, vb, rtol=1e-12, atol=1e-12)
    c = RigModel(1000.0, 4, 9, ())
    assert not np.allclose(va, c.block(0, 300)[1])


def test_quaternion_is_unit_and_moves():
    _, v = RigModel(100.0, 1, 9, ()).block(0, 1000)
    q = v[:, 5:9]
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-12)
    assert np.abs(q[-1] - q[0]).max() > 0.1


def test_faults_overheat_bearing_nan_dropout_spike():
    faults = parse_faults("overheat@1+5, bearing@1+1, nan@2+0.5, dropout@3+0.5, spike@0.5")
    m = RigModel(100.0, 1, 9, faults)
    idx, v = m.block(0, 700)
    t = idx / 100.0
    base = RigModel(100.0, 1, 9, ())
    _, v0 = base.block(0, 700)
    assert not ((t >= 3) & (t < 3.5)).any(), "dropout removes samples"
    assert len(idx) == 650
    nan_rows = np.isnan(v[:, 0])
    assert nan_rows.sum() == 50 and ((t[nan_rows] >= 2) & (t[nan_rows] < 2.5)).all()
    hot = (t > 5.5) & (t < 6)
    assert v[hot, 0].mean() > v0[np.isin(np.arange(700), idx)][hot, 0].mean() + 20
    vib = (t >= 1) & (t < 2)
    assert np.abs(v[vib, 3]).max() > 4 * np.abs(v[~vib & (t < 2.0), 3]).max() / 2
    spike_row = np.flatnonzero(t == 0.5)[0]
    assert v[spike_row, 1] > 5 * v[spike_row - 1, 1]


@pytest.mark.parametrize(
    "text,match",
    [("melt@3", "unknown fault"), ("nan", "start time"), ("nan@x", "bad time"), ("nan@-1", "neg")],
)
def test_bad_fault_schedules_name_the_entry(text, match):
    with pytest.raises(SettingError, match=match):
        parse_faults(text)


def test_sim_streams_in_real_time_through_the_runtime():
    rt = Runtime()
    rt.add_driver("sim", {"rate": 2000, "devices": 2, "channels": 12})
    stats = SummaryStats()
    rt.add_consumer("stats", stats.add, policy="block")
    rt.start()
    time.sleep(0.5)
    rt.stop()
    d = stats.to_dict(rt.hub)
    assert set(d) == {"sim-1", "sim-2"}
    for dev in d.values():
        assert len(dev["channels"]) == 12
        assert 500 <= dev["samples"] <= 1500
        assert dev["channels"]["temperature"]["unit"] == "degC"
    assert rt.hub.devices["sim-1"].state == "disconnected"
