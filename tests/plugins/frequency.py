"""Pytest fixtures for the frequency area (loaded from tests/conftest.py)."""
