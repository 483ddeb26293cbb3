"""Profile editor: live preview of the incoming bytes as the profile text changes."""

from __future__ import annotations

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext


def test_preview_follows_the_text(qtbot, tmp_path):
    from twinbench.widgets.profile_editor import ProfileEditor

    rt = Runtime()
    ctx = AppContext(runtime=rt)
    ed = ProfileEditor(ctx)
    qtbot.addWidget(ed)
    rt.hub.publish_bytes("imu", b"$1,2,3;$4,5,6;$7,8", 1)
    f = tmp_path / "imu.toml"
    f.write_text('[framing]\ntype = "start_end"\nstart = "$"\nend = ";"\n[decoder]\ntype = "csv"\n')
    ed.load(f)
    ed.tick()
    assert ed.device.currentText() == "imu"
    assert "$1,2,3;" in ed.raw.toPlainText()
    assert ed.table.rowCount() == 2 and ed.table.item(1, 2).text() == "6"
    assert "2 frames" in ed.status.text()
    ed.editor.setPlainText(
        '[framing]\ntype = "start_end"\nstart = "$"\nend = ";"\n[decoder]\ntype = "xml"\n'
    )
    ed.tick()
    assert ":6: decoder.type:" in ed.status.text() and ed.table.rowCount() == 0
    ed.save()
    assert "not saved" in ed.status.text()
    ed.raw_mode.setCurrentText("hex")
    ed.tick()
    assert "24 31 2C" in ed.raw.toPlainText()


def test_a_binary_or_huge_file_is_refused_in_the_status_line(qtbot, tmp_path):
    from twinbench.widgets.profile_editor import ProfileEditor

    ed = ProfileEditor(AppContext(Runtime()))
    qtbot.addWidget(ed)
    good = tmp_path / "good.toml"
    good.write_text('name = "g"\n')
    ed.load(good)
    for name, data, words in (
        ("bin.toml", bytes(range(256)), "not UTF-8 text"),
        ("big.toml", b"#" * 2_000_000, "byte limit"),
    ):
        bad = tmp_path / name
        bad.write_bytes(data)
        ed.load(bad)
        assert words in ed.status.text() and name in ed.status.text()
        assert ed.editor.toPlainText() == 'name = "g"\n' and ed.path == good  # kept


def test_channel_metadata_and_groups_are_checked_as_typed(qtbot, tmp_path):
    from twinbench.widgets.profile_editor import ProfileEditor

    rt = Runtime()
    ed = ProfileEditor(AppContext(rt))
    qtbot.addWidget(ed)
    rt.hub.publish_bytes("rig", b"21.5,3\n22.0,4\n", 1)
    base = (
        '[framing]\ntype = "end"\n[decoder]\ntype = "csv"\n'
        '[[channels]]\nname = "t"\nrange = [0, 80]\nwarn = { high = 45 }\n'
        '[[channels]]\nname = "n"\n'
        '[[groups]]\ntitle = "Motor"\nwidget = "gauge"\nchannels = ["t", "n"]\n'
    )
    ed.editor.setPlainText(base)
    ed.tick()
    assert ed.table.rowCount() == 2 and "2 frames" in ed.status.text()
    ed.editor.setPlainText(base.replace("[0, 80]", "[80, 0]"))
    ed.tick()
    assert "<editor>:7: channels[0].range: minimum 80 is not below maximum 0" in ed.status.text()
    assert ed.table.rowCount() == 0
    ed.editor.setPlainText(base.replace('"gauge"', '"dial"'))
    ed.tick()
    assert ":13: groups[0].widget: 'dial' is not valid; valid: gauge, bar" in ed.status.text()
    ed.save()
    assert "not saved" in ed.status.text()
