"""Pytest fixtures for the snomed area (loaded from tests/conftest.py)."""
