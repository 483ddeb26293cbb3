"""The merge patch computed from an edited twin section."""

from twinbench.twin import merge_patch
from twinbench.twin.diff import merge_diff, strip_meta


def test_diff_round_trips_through_merge_patch():
    old = {"a": 1, "b": {"x": 1, "y": 2}, "gone": True, "same": "s"}
    new = {"a": 2, "b": {"x": 1, "z": 3}, "same": "s", "added": [1, 2]}
    patch = merge_diff(old, new)
    assert patch == {"a": 2, "b": {"y": None, "z": 3}, "gone": None, "added": [1, 2]}
    assert merge_patch(old, patch) == new


def test_no_change_is_an_empty_patch_and_types_count():
    assert merge_diff({"a": {"b": 1}}, {"a": {"b": 1}}) == {}
    assert merge_diff({"a": 1}, {"a": 1.0}) == {"a": 1.0}


def test_strip_meta_drops_dollar_keys_at_every_level():
    sec = {"$version": 3, "$metadata": {}, "imu": {"__t": "c", "rate": 5, "$x": 1}}
    assert strip_meta(sec) == {"imu": {"__t": "c", "rate": 5}}
