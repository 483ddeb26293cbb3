"""Headless test mode: bench configs, assertions and reports (no Qt)."""
