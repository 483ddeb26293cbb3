"""Derived channels: new channels computed incrementally from expressions over existing ones."""
