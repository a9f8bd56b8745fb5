"""Pytest fixtures for the codelist area (loaded from tests/conftest.py)."""
