"""Django settings for the online codelist repository.

Database: SQLite by default (``CODELISTS_WEB_DB`` names the file); PostgreSQL when
``DATABASE_URL`` is set (``postgres://user:password@host:port/name``) or when
``CODELISTS_DB_ENGINE=postgresql`` (then ``CODELISTS_PG_*`` or the defaults
``codelists``/``codelists`` on 127.0.0.1:5432).  The test suite selects PostgreSQL with
``CODELISTS_TEST_DB=postgres``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import platformdirs

from codelists.formats import limits as _limits

BASE_DIR = Path(__file__).resolve().parent

DEBUG = os.environ.get("CODELISTS_DEBUG", "1") == "1"
if not DEBUG:
    from webapp.production import missing_settings

    if missing := missing_settings(os.environ):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "production (CODELISTS_DEBUG=0) refuses to start: " + "; ".join(missing)
            + " (see docs/how-to/repository-run.md, production checklist)")
SECRET_KEY = os.environ.get(
    "CODELISTS_SECRET_KEY", "insecure-development-key-change-me-in-production-0123456789"
)
# production names its hosts (a Host header of any other name gets 400: a reset link can
# never point elsewhere); development accepts any
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "CODELISTS_ALLOWED_HOSTS", "*" if DEBUG else "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CODELISTS_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "webapp.accounts",
    "webapp.repository",
    "webapp.api",
    "webapp.review",
    "webapp.builder",
    "webapp.compat",
    "webapp.fhir",
    "django_tasks",
    "django_tasks_db",
    "webapp.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # an ETag on every GET answer and 304 to If-None-Match (webapp/api/caching.py)
    "django.middleware.http.ConditionalGetMiddleware",
    "webapp.api.caching.ApiCacheHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "webapp.inputs.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def sqlite_path() -> str:
    """The SQLite database file (its folder is created by ``codelist serve``/manage)."""
    return os.environ.get("CODELISTS_WEB_DB") or str(
        Path(platformdirs.user_data_dir("codelists")) / "webapp.sqlite3"
    )


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    engine = os.environ.get("CODELISTS_DB_ENGINE", "")
    if os.environ.get("CODELISTS_TEST_DB") == "postgres":
        engine = "postgresql"
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlparse(url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/") or "codelists",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": str(parts.port or 5432),
            "CONN_MAX_AGE": 60,
        }
    if engine in ("postgres", "postgresql"):
        env = os.environ.get
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("CODELISTS_PG_NAME", "codelists"),
            "USER": env("CODELISTS_PG_USER", "codelists"),
            "PASSWORD": env("CODELISTS_PG_PASSWORD", "codelists"),
            "HOST": env("CODELISTS_PG_HOST", "127.0.0.1"),
            "PORT": env("CODELISTS_PG_PORT", "5432"),
            "CONN_MAX_AGE": 60,
        }
    # SQLite: one writer at a time.  IMMEDIATE transactions take the write lock when they
    # begin, so concurrent writers queue for it (up to the busy timeout) instead of
    # failing with "database is locked" when a reader's lock cannot be upgraded.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": sqlite_path(),
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "repository:home"
LOGOUT_REDIRECT_URL = "repository:home"

# e-mail: the console in development; production must name a real backend (SMTP:
# django.core.mail.backends.smtp.EmailBackend with the CODELISTS_EMAIL_* settings)
EMAIL_BACKEND = os.environ.get(
    "CODELISTS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CODELISTS_FROM_EMAIL", "codelists@localhost")
EMAIL_HOST = os.environ.get("CODELISTS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CODELISTS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CODELISTS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CODELISTS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CODELISTS_EMAIL_TLS", "0") == "1"
EMAIL_FILE_PATH = os.environ.get("CODELISTS_EMAIL_FILE_PATH") or None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collected static files (``codelist serve --production`` collects into this folder)
STATIC_ROOT = (Path(os.environ["CODELISTS_STATIC_ROOT"])
               if os.environ.get("CODELISTS_STATIC_ROOT") else None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# uploads: limits checked by the deposit form and the API as well
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
CODELISTS_UPLOAD_MAX_BYTES = int(os.environ.get("CODELISTS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
CODELISTS_UPLOAD_MAX_FILES = 50
# parsing budgets of every upload (codelists.formats.limits): a file over one is refused
# with a 4xx naming the limit, before it can hold a worker
CODELISTS_UPLOAD_LIMITS = _limits.Limits(
    bytes=CODELISTS_UPLOAD_MAX_BYTES,
    rows=int(os.environ.get("CODELISTS_UPLOAD_MAX_ROWS", 1_000_000)))
# uploads and deposits of more lines than this are checked and saved as background jobs
# (webapp.jobs) with their progress on the page, never in the request
CODELISTS_SYNC_LINES = int(os.environ.get("CODELISTS_SYNC_LINES", 20_000))
CODELISTS_UPLOAD_EXTENSIONS = (".codelist", ".csv", ".tsv", ".txt", ".json", ".xlsx")
# deposit drafts (uploads checked, not yet deposited) untouched this long are removed
CODELISTS_DRAFT_DAYS = int(os.environ.get("CODELISTS_DRAFT_DAYS", 14))
# login throttling: failures per (username, address) within the window
CODELISTS_LOGIN_MAX_FAILURES = 5
CODELISTS_LOGIN_WINDOW_SECONDS = 300

# "default" caches immutable content (version CSVs, code tables) per process
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# API rate-limit counters (webapp/api/counters.py): a folder on this host that every
# server worker shares; counts are taken under a file lock, so limits are exact
CODELISTS_RATE_DIR = os.environ.get("CODELISTS_THROTTLE_DIR") or str(
    Path(tempfile.gettempdir()) / f"codelists-api-rates-{os.getuid()}")

# background jobs (webapp.jobs): django-tasks with its database backend, run by
# `python -m webapp.manage run_jobs` (started by `codelist serve`)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                     "QUEUES": ["default"]}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = os.environ.get("CODELISTS_SECURE_COOKIES", "1") == "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE



def _api_rate(variable: str, default: str) -> str | None:
    """A rate like "300/min" from the environment; "off" for no limit."""
    value = os.environ.get(variable, default).strip()
    return None if value.lower() in ("off", "none", "0", "") else value


# API rate limits per client (webapp/api/throttling.py): anonymous by address, signed-in
# by account; counted in CODELISTS_RATE_DIR
CODELISTS_API_RATES = {
    "anon": _api_rate("CODELISTS_API_RATE_ANON", "300/min"),
    "user": _api_rate("CODELISTS_API_RATE_USER", "1200/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "webapp.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly",
                                   "webapp.api.authentication.TokenScopeAllows"],
    "DEFAULT_THROTTLE_CLASSES": ["webapp.api.throttling.AnonymousRate",
                                 "webapp.api.throttling.SignedInRate"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "webapp.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "webapp.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON under a nesting budget (webapp/api/parsers.py), forms as DRF's
    "DEFAULT_PARSER_CLASSES": ["webapp.api.parsers.JSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "codelists repository API",
    "DESCRIPTION": "Read and deposit clinical codelists. See docs/reference/repository-api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "webapp.api.schema_hooks.no_nul_in_query_strings"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CODELISTS_LOG_LEVEL", "WARNING")},
}
