"""Django's command line for the repository: ``python -m webapp.manage COMMAND``."""

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.DATABASES  # noqa: B018 - loads the settings, which check production's
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

    execute_from_command_line(["manage.py", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
