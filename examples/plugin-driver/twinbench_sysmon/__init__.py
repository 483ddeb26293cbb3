"""Example TwinBench plugin driver: the host's CPU, memory and temperatures."""
