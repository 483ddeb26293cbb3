"""An app context on a fresh runtime for the analysis panels (subscriptions dropped after)."""

import pytest

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext


@pytest.fixture
def ctx():
    rt = Runtime()
    c = AppContext(runtime=rt)
    yield c
    for sub in list(rt.hub.subscriptions):
        rt.hub.unsubscribe(sub)
