"""Pytest fixtures for the terminologies area (loaded from tests/conftest.py)."""
