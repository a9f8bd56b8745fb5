"""Pytest fixtures for the web area (loaded from tests/conftest.py)."""
