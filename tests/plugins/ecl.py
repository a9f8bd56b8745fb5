"""Pytest fixtures for the ecl area (loaded from tests/conftest.py)."""
