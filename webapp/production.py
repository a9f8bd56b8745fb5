"""What production (``CODELISTS_DEBUG=0``) needs before it may start.

Checked by the settings themselves, so gunicorn, ``manage.py`` and ``codelist serve``
all refuse alike, naming every missing setting at once.  Kept free of Django imports.
"""

from __future__ import annotations

from collections.abc import Mapping

#: e-mail backends that never deliver (a password-reset link would land in a log file)
NOT_REAL_MAIL = ("django.core.mail.backends.console.EmailBackend",
                 "django.core.mail.backends.locmem.EmailBackend",
                 "django.core.mail.backends.dummy.EmailBackend")


def missing_settings(environ: Mapping[str, str]) -> list[str]:
    """Each setting production lacks, said as what to do."""
    missing = []
    key = environ.get("CODELISTS_SECRET_KEY", "")
    if len(key) < 32 or key.startswith("insecure-"):
        missing.append("set CODELISTS_SECRET_KEY to a random value of 32+ characters")
    hosts = [h.strip() for h in environ.get("CODELISTS_ALLOWED_HOSTS", "").split(",")]
    hosts = [h for h in hosts if h]
    if not hosts:
        missing.append("set CODELISTS_ALLOWED_HOSTS to the site's host names "
                       "(comma-separated, e.g. codelists.example.org)")
    elif "*" in hosts:
        missing.append("CODELISTS_ALLOWED_HOSTS must name the hosts, not '*' "
                       "(a forged Host header would poison password-reset links)")
    backend = environ.get("CODELISTS_EMAIL_BACKEND", "")
    if not backend or backend in NOT_REAL_MAIL:
        missing.append("set CODELISTS_EMAIL_BACKEND to a real mail backend, e.g. "
                       "django.core.mail.backends.smtp.EmailBackend with "
                       "CODELISTS_EMAIL_HOST (reset links must not land in a log)")
    return missing
