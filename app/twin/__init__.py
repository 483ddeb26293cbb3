"""Digital twins: per-device state (IoT Hub shape), model bindings, transports and commands."""

from twinbench.twin.binding import Binding, default_binding, unit_symbol
from twinbench.twin.document import PropertyStatus, TwinDocument
from twinbench.twin.merge import TwinError, merge_patch
from twinbench.twin.service import TwinService
from twinbench.twin.transport import (
    CommandFailed,
    CommandTimeout,
    DriverTransport,
    PendingRequests,
    TwinTransport,
)

__all__ = [
    "Binding",
    "CommandFailed",
    "CommandTimeout",
    "DriverTransport",
    "PendingRequests",
    "PropertyStatus",
    "TwinDocument",
    "TwinError",
    "TwinService",
    "TwinTransport",
    "default_binding",
    "merge_patch",
    "unit_symbol",
]
