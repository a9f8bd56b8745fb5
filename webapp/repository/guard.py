"""The database guard that protects published versions (see migration 0002)."""

from __future__ import annotations


def _set(connection, value: int) -> None:
    if "codelists_guard" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("UPDATE codelists_guard SET unlocked = %s", [value])


def unlocked(connection) -> None:
    _set(connection, 1)


def locked(connection) -> None:
    _set(connection, 0)
