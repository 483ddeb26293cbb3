import pytest

from twinbench.drivers import Setting, SettingError
from twinbench.drivers.sim import SimDriver
from twinbench.errors import UsageError
from twinbench.registry import driver_names, load_driver


def test_schema_parses_and_checks_types_and_ranges():
    s = Setting("rate", "Rate", "float", 1.0, min=1, max=10)
    assert s.parse("2.5") == 2.5
    with pytest.raises(SettingError, match="out of range 1..10"):
        s.parse("11")
    with pytest.raises(SettingError, match="not a valid float"):
        s.parse("fast")
    with pytest.raises(SettingError, match="not a valid float"):
        s.parse("nan")
    c = Setting("parity", "Parity", "choice", "N", choices=("N", "E", "O"))
    with pytest.raises(SettingError, match="not one of N, E, O"):
        c.parse("X")
    b = Setting("on", "On", "bool", False)
    assert b.parse("yes") is True and b.parse("0") is False
    assert Setting("n", "N", "int", 0).parse("0x10") == 16


def test_unknown_setting_lists_valid_keys():
    with pytest.raises(SettingError, match="unknown setting 'speed'.*valid: device_id, rate"):
        SimDriver.parse_settings({"speed": "1"})


def test_defaults_fill_in():
    cfg = SimDriver.parse_settings({"rate": "50"})
    assert cfg["rate"] == 50.0 and cfg["devices"] == 1


def test_registry_finds_sim_through_entry_points():
    assert "sim" in driver_names()
    assert load_driver("sim") is SimDriver
    with pytest.raises(UsageError, match="unknown driver 'zzz'; valid drivers: .*sim"):
        load_driver("zzz")


def test_stop_task_cancels_and_waits():
    import asyncio

    from twinbench.drivers import stop_task

    async def go():
        ran = []

        async def forever():
            try:
                await asyncio.sleep(3600)
            finally:
                ran.append("cleaned up")

        task = asyncio.get_running_loop().create_task(forever())
        await asyncio.sleep(0)
        await stop_task(task)
        await stop_task(None)
        return task.cancelled(), ran

    assert asyncio.run(go()) == (True, ["cleaned up"])
