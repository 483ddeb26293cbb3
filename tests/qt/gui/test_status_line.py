import numpy as np

from twinbench.model import Chunk
from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.status import status_text


def test_status_line_names_drops_per_device():
    rt = Runtime()
    display = rt.hub.subscribe("display", maxsize=1)
    for dev, n in (("a", 5), ("a", 7), ("b", 3), ("b", 2)):
        rt.hub.publish(Chunk(dev, ("x",), np.arange(n), np.zeros(n)))
    text = status_text(AppContext(runtime=rt), display)
    a, b, total = text.split("   |   ")
    assert a.startswith("a:") and a.endswith("dropped 7")
    assert b.startswith("b:") and b.endswith("dropped 5")
    assert total == "dropped 12 in all (display 12)"
