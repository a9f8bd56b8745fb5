"""``flush``: Django's command, with the immutability guard unlocked while it runs.

Flushing wipes the whole database on purpose (an operator's reset, or the test runner
between tests); it is the only operation allowed to delete published versions.
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from webapp.repository.guard import locked, unlocked


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        unlocked(connection)
        try:
            return super().handle(**options)
        finally:
            locked(connection)
