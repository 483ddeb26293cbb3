"""The panels' worker thread: newest job per key wins, errors come back, no idle thread."""

from __future__ import annotations

import threading

import pytest

from twinbench.widgets.offthread import LatestJobs


def wait_taken(jobs, key):
    for _ in range(500):
        done, value = jobs.take(key)
        if done:
            return value
        threading.Event().wait(0.01)
    raise AssertionError("no result")


def test_newest_job_wins_and_the_thread_ends_when_idle():
    jobs = LatestJobs()
    gate = threading.Event()
    jobs.submit("a", gate.wait, 5)  # holds the worker
    for i in range(10):
        jobs.submit("b", lambda i=i: i)  # replaced while waiting: only the last runs
    gate.set()
    assert wait_taken(jobs, "a") is True
    assert wait_taken(jobs, "b") == 9
    assert jobs.done == 2
    jobs.stop()
    assert jobs.thread is None
    assert not any(t.name == "twinbench-offthread" for t in threading.enumerate())


def test_an_error_is_raised_on_take():
    jobs = LatestJobs()
    jobs.submit("k", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        wait_taken(jobs, "k")
    jobs.stop()
