"""`codelist serve`: run the online repository (the Django project ``webapp``).

Development mode runs Django's auto-reloading server; ``--production`` runs gunicorn with
static files served by whitenoise.  Both apply database migrations first.  The web app
is started as a separate process, so the CLI never imports it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codelists.cli import output

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(subparsers) -> None:
    """Add this group's commands to the `codelist` parser."""
    parser = subparsers.add_parser(
        "serve", help="run the online codelist repository (web app)",
        description="Run the online codelist repository. Without --production: Django's "
                    "development server (auto-reload, debug pages). With --production: "
                    "gunicorn, static files by whitenoise, debug off; production refuses to "
                    "start without CODELISTS_SECRET_KEY, CODELISTS_ALLOWED_HOSTS and a real "
                    "mail backend, except on a loopback address. Both start the background "
                    "job worker beside the server, and SIGTERM stops both. The database is "
                    "SQLite (CODELISTS_WEB_DB) unless DATABASE_URL names a PostgreSQL "
                    "database; migrations are applied first. Load example content with "
                    "`python -m webapp.manage load_demo`. The site also serves the FHIR R4 "
                    "terminology service at /fhir/ over every installed terminology store "
                    "(found as every command finds them: CODELISTS_DB, codelists.toml, the "
                    "data directory) and OpenCodelists-compatible URLs at /codelist/ and "
                    "/api/v1/codelist/.")
    parser.add_argument("--production", action="store_true",
                        help="serve with gunicorn and whitenoise (debug off)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn worker processes with --production "
                             "(default: 2 x CPUs + 1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker with --production (default: 1, "
                             "sync workers; more runs gthread workers, which also keep "
                             "client connections alive)")
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not apply database migrations before starting")
    parser.set_defaults(func=run)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "webapp.manage", *args], env=env, check=True)


def production_env(host: str) -> dict:
    """The environment of a production server.  On a loopback address (a trial on this
    machine) missing settings get safe local defaults, each with a warning; on any
    other address the web app itself refuses to start and says what is missing."""
    env = dict(os.environ, CODELISTS_DEBUG="0")
    if host in LOOPBACK:
        if not env.get("CODELISTS_SECRET_KEY"):
            env["CODELISTS_SECRET_KEY"] = secrets.token_urlsafe(50)
            output.warn("CODELISTS_SECRET_KEY is not set; using a random key "
                        "(sessions end when the server stops)")
        env.setdefault("CODELISTS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
        env.setdefault("CODELISTS_SECURE_COOKIES", "0")
        if not env.get("CODELISTS_EMAIL_BACKEND"):
            folder = Path(tempfile.gettempdir()) / f"codelists-mail-{os.getuid()}"
            env["CODELISTS_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
            env.setdefault("CODELISTS_EMAIL_FILE_PATH", str(folder))
            output.warn(f"CODELISTS_EMAIL_BACKEND is not set; e-mails are written to "
                        f"{folder} (a local trial only)")
    env.setdefault("CODELISTS_STATIC_ROOT",
                   str(Path(tempfile.gettempdir()) / "codelists-staticfiles"))
    return env


def gunicorn_command(host: str, port: int, workers: int, threads: int = 1) -> list[str]:
    workers = workers or (2 * (os.cpu_count() or 1) + 1)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    command = [sys.executable, "-m", "gunicorn", "webapp.wsgi:application", "--bind", bind,
               "--workers", str(workers), "--access-logfile", "-", "--graceful-timeout",
               "10", "--no-control-socket"]
    if threads > 1:
        command += ["--threads", str(threads)]
    return command


def worker_command() -> list[str]:
    """The background job worker (webapp.jobs) that runs beside the web server."""
    return [sys.executable, "-m", "webapp.manage", "run_jobs"]


def supervise(commands: list[list[str]], env: dict) -> int:
    """Run the server and its job worker; SIGTERM, SIGINT or SIGHUP to this process is
    passed on to both, and the exit of either stops the other (so the port is free
    when this command returns).  Returns the server's (the first command's) exit code."""
    children = [subprocess.Popen(command, env=env) for command in commands]

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    previous = {sig: signal.signal(sig, forward)
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return children[0].returncode


def run(args) -> int:
    env = production_env(args.host) if args.production else dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    try:
        if not args.no_migrate:
            _manage(env, "migrate", "--noinput")
        if args.production:
            _manage(env, "collectstatic", "--noinput", "-v", "0")
            command = gunicorn_command(args.host, args.port, args.workers, args.threads)
        else:
            command = [sys.executable, "-m", "webapp.manage", "runserver",
                       f"{args.host}:{args.port}"]
    except subprocess.CalledProcessError as exc:
        output.error_text(f"serve: {' '.join(exc.cmd[2:4])} failed (exit {exc.returncode})")
        return 1
    return supervise([command, worker_command()], env)
