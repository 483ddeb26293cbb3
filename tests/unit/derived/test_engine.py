import re
import time

import numpy as np
import pytest

from twinbench.derived.engine import DerivedChannel, DerivedEngine, DerivedError, parse_definition
from twinbench.model import Chunk
from twinbench.runtime import Runtime
from twinbench.summary import SummaryStats

CH = ("current", "voltage", "ax", "ay", "az")


def chunk(n=100, t0=0):
    t = (np.arange(t0, t0 + n) * 1_000_000).astype(np.int64)
    v = np.column_stack(
        [np.full(n, 2.0), np.full(n, 12.0), np.ones(n), np.ones(n) * 2, np.ones(n) * 2]
    )
    return Chunk("d", CH, t, v)


def compiled(expr, name="x"):
    d = DerivedChannel(name, expr)
    d.compile(CH)
    return d


def test_arithmetic_magnitude_and_functions():
    assert compiled("current * voltage").evaluate(chunk())[0] == 24
    assert compiled("mag(ax, ay, az)").evaluate(chunk())[0] == 3
    assert compiled("max(current, 5) - abs(-1)").evaluate(chunk())[0] == 4
    assert compiled("current > 1 and voltage < 20").evaluate(chunk())[0] == 1
    out = compiled("integ(current)").evaluate(chunk(1001))
    assert out[-1] == pytest.approx(2.0)  # 2 A for 1 s


def test_stateful_functions_carry_across_chunks():
    d = compiled("deriv(integ(current))")
    a = d.evaluate(chunk(50))
    b = d.evaluate(chunk(50, 50))
    assert np.isnan(a[0]) and np.allclose(a[1:], 2.0) and np.allclose(b, 2.0)


@pytest.mark.parametrize(
    "expr,match",
    [
        ("curent * 2", "unknown channel 'curent' at column 1; did you mean current"),
        ("foo(current)", "unknown function 'foo'"),
        ("ma(current)", r"ma\(\) takes 2 arguments, got 1"),
        ("ma(current, voltage)", "must be a number"),
        ("current *", "column"),
        ("__import__('os')", "column"),
        ("current.real", "column"),
    ],
)
def test_bad_expressions_are_inert_with_a_clear_error(expr, match):
    d = compiled(expr)
    assert d.tree is None
    assert re.search(match, d.error), d.error
    with pytest.raises(DerivedError):
        d.evaluate(chunk())


def test_names_are_checked():
    assert "clashes" in compiled("1", name="current").error
    assert "not an identifier" in compiled("1", name="9x").error


def test_parse_definition():
    d = parse_definition("power = current * voltage [W]")
    assert (d.name, d.expr, d.unit) == ("power", "current * voltage", "W")
    with pytest.raises(DerivedError, match="NAME = EXPRESSION"):
        parse_definition("power")


def test_engine_publishes_derived_channels_usable_downstream():
    rt = Runtime()
    rt.add_driver("sim", {"rate": 1000})
    stats = SummaryStats()
    eng = DerivedEngine(
        rt,
        [
            DerivedChannel("power", "current * voltage", "W"),
            DerivedChannel("bad", "nosuch + 1"),
            DerivedChannel("temp_f", "temperature * 9 / 5 + 32", "degF"),
        ],
    )
    rt.add_consumer("stats", stats.add, policy="block")
    rt.start()
    time.sleep(0.5)
    rt.stop()
    d = stats.to_dict(rt.hub)["sim"]["channels"]
    assert d["power"]["unit"] == "W" and d["power"]["count"] > 100
    assert d["power"]["mean"] == pytest.approx(
        d["current"]["mean"] * d["voltage"]["mean"], rel=0.01
    )
    assert d["temp_f"]["mean"] == pytest.approx(d["temperature"]["mean"] * 1.8 + 32, rel=1e-6)
    assert "bad" not in d
    assert "unknown channel 'nosuch'" in eng.errors[("sim", "bad")]
    assert "power" in rt.hub.devices["sim"].device.channel_names
    assert rt.hub.devices["sim"].device.channel("power").unit == "W"
    # one widened chunk per source chunk: no extra layouts, counts not doubled
    assert list(rt.hub.devices["sim"].layouts) == [rt.hub.devices["sim"].device.channel_names]
    assert d["power"]["count"] == d["current"]["count"]
