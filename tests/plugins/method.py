"""Pytest fixtures for the method area (loaded from tests/conftest.py)."""
