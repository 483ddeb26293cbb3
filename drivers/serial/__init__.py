"""The serial-port driver (pyserial) and its helpers."""
