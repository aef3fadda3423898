"""Configuration from environment variables, with safe local defaults.

Everything secret or machine-specific comes from the environment or the
instance folder, never from the repository.
"""
import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: str) -> str:
    """A per-installation secret key kept in instance/ (created on first start)."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def log_settings(env=os.environ) -> dict:
    """LOG_LEVEL and LOG_FORMAT (json, or text for development); gunicorn.conf.py reads
    them too, to log its own lines the same way (caseapp/logs.py)."""
    return {"LOG_LEVEL": env.get("CASEAPP_LOG_LEVEL", "INFO").upper(),
            "LOG_FORMAT": env.get("CASEAPP_LOG_FORMAT", "json").lower()}


def load_config(instance_path: str, overrides: dict) -> dict:
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "caseapp.db")
    secure = env.get("CASEAPP_SECURE_COOKIES", "0") == "1"
    secret = (overrides.get("SECRET_KEY") or env.get("CASEAPP_SECRET_KEY")
              or _instance_secret(instance_path))
    return {
        "SECRET_KEY": secret,
        "DATABASE_URL": normalise_database_url(env.get("CASEAPP_DATABASE_URL", default_db)),
        "DEMO_MODE": env.get("CASEAPP_DEMO", "0") == "1",
        "AUDIT_MASK_KEY": env.get("CASEAPP_AUDIT_MASK_KEY", secret),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # Behind HTTPS the cookie is bound to this exact host and path (__Host- prefix).
        "SESSION_COOKIE_NAME": "__Host-session" if secure else "session",
        # How many reverse proxies stand in front and set X-Forwarded-* (0: none trusted).
        "PROXY_HOPS": int(env.get("CASEAPP_PROXY_HOPS", "0")),
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # Server-side sessions (workflows/sessions.py): signed out after this long without
        # a request, and after this long in any case.
        "SESSION_IDLE_MINUTES": int(env.get("CASEAPP_SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("CASEAPP_SESSION_ABSOLUTE_HOURS", "8")),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "WTF_I18N_ENABLED": False,
        "RATELIMIT_STORAGE_URI": env.get("CASEAPP_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute",
        "AUDIT_VERIFY_RATE_LIMIT": "3 per minute",  # each walk reads the whole audit chain
        # The public status page of a receipt's QR code: a phone checks now and then; a
        # script walking tokens is slowed down (and could not forge one anyway).
        "STATUS_RATE_LIMIT": "20 per minute",
        # The address the public reaches this app at, printed in the receipt's QR code
        # (e.g. https://sigap.disnaker.bekasikota.go.id); unset: the address the staff use.
        "PUBLIC_URL": env.get("CASEAPP_PUBLIC_URL"),
        # Workers covered in years before this system's data, as YEAR:COUNT pairs, the basis
        # of the coverage target (reports/city/coverage.py); empty: SIGAP 2025, 11,666.
        "COVERAGE_BASELINE": env.get("CASEAPP_COVERAGE_BASELINE", ""),
        "FLASK_ADMIN_SWATCH": "default",
        "DOCUMENT_DIR": env.get("CASEAPP_DOCUMENT_DIR", str(Path(instance_path) / "documents")),
        # Where `flask backup create` writes without --to; copy backups off this host.
        "BACKUP_DIR": env.get("CASEAPP_BACKUP_DIR", str(Path(instance_path) / "backups")),
        "MAX_DOCUMENT_BYTES": 5 * 1024 * 1024,
        # Ed25519 key for signed audit checkpoints: outside the database, ideally off this host.
        "AUDIT_SIGNING_KEY": env.get("CASEAPP_AUDIT_SIGNING_KEY",
                                     str(Path(instance_path) / "audit-signing-key.pem")),
        # The signing key's public half (hex), pinned where the private key is kept elsewhere.
        "AUDIT_PUBLIC_KEY": env.get("CASEAPP_AUDIT_PUBLIC_KEY"),
        "AUDIT_CHECKPOINT_FILE": env.get("CASEAPP_AUDIT_CHECKPOINT_FILE",
                                         str(Path(instance_path) / "audit-checkpoints.jsonl")),
        # Sign the chain head after this many events, or after this long once any came
        # (0 events: never from the pages, e.g. where the key is kept on another host).
        "AUDIT_CHECKPOINT_EVERY_EVENTS": int(env.get("CASEAPP_AUDIT_CHECKPOINT_EVERY_EVENTS",
                                                     "500")),
        "AUDIT_CHECKPOINT_EVERY_SECONDS": int(env.get("CASEAPP_AUDIT_CHECKPOINT_EVERY_SECONDS",
                                                      "3600")),
        # The job queue (caseapp/jobs/): "sqlite" (a file beside the database, for one
        # machine), "redis" (CASEAPP_REDIS_URL, shared by several app servers and workers)
        # or "immediate" (jobs run inside the request: tests). JOB_FILE_DIR holds uploads
        # waiting for their job and files jobs made: shared storage with several servers.
        "JOB_QUEUE": env.get("CASEAPP_JOB_QUEUE",
                             "redis" if env.get("CASEAPP_REDIS_URL") else "sqlite"),
        "REDIS_URL": env.get("CASEAPP_REDIS_URL"),
        # Apps sharing one Redis keep apart by name (e.g. training and production).
        "JOB_QUEUE_NAME": env.get("CASEAPP_JOB_QUEUE_NAME", "caseapp"),
        "JOB_QUEUE_FILE": env.get("CASEAPP_JOB_QUEUE_FILE",
                                  str(Path(instance_path) / "job-queue.db")),
        "JOB_FILE_DIR": env.get("CASEAPP_JOB_FILE_DIR", str(Path(instance_path) / "job-files")),
        # Request bodies (caseapp/body_limits.py): forms everywhere; one document on the
        # upload route; whole DTSEN extracts and BPJS replies only on the import routes,
        # for signed-in users whose role may import.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_IMPORT_BYTES": 300 * 1024 * 1024,
        # What one uploaded table may hold (workflows/imports/spreadsheet.py): beyond these a
        # file is refused with a message before it is parsed further or locks the database.
        # A DTSEN extract is about 1,000,000 rows and 300 MB.
        "IMPORT_MAX_ROWS": int(env.get("CASEAPP_IMPORT_MAX_ROWS", 1_500_000)),
        "IMPORT_MAX_COLUMNS": 100,
        "IMPORT_MAX_HEADER_CHARS": 100,
        "IMPORT_MAX_CELL_CHARS": 1_000,
        "IMPORT_MAX_INFLATED_BYTES": int(env.get("CASEAPP_IMPORT_MAX_INFLATED_MB", 2048)) << 20,
        "IMPORT_MAX_SHARED_STRINGS_BYTES": 256 << 20,
        # Notices to workers (caseapp/notices/gateway.py): "outbox" writes what would be
        # sent to a file in the instance folder; "http" posts it to an SMS/WhatsApp provider.
        "NOTICE_GATEWAY": env.get("CASEAPP_NOTICE_GATEWAY", "outbox").lower(),
        "NOTICE_OUTBOX_FILE": env.get("CASEAPP_NOTICE_OUTBOX_FILE",
                                      str(Path(instance_path) / "notices-outbox.jsonl")),
        "NOTICE_HTTP_URL": env.get("CASEAPP_NOTICE_HTTP_URL", ""),
        "NOTICE_HTTP_TOKEN": env.get("CASEAPP_NOTICE_HTTP_TOKEN", ""),
        "NOTICE_HTTP_TIMEOUT": float(env.get("CASEAPP_NOTICE_HTTP_TIMEOUT", "10")),
        "NOTICE_MAX_ATTEMPTS": int(env.get("CASEAPP_NOTICE_MAX_ATTEMPTS", "5")),
        # The home page shows the city-wide figures the job worker counted (every 5 minutes)
        # while they are younger than this; older or none: counted for the page itself.
        "HOME_FIGURES_MAX_AGE_SECONDS": int(env.get("CASEAPP_HOME_FIGURES_MAX_AGE_SECONDS",
                                                    "900")),
        **log_settings(env),
        # /readyz fails when the instance folder or DOCUMENT_DIR has less free space than this.
        "READY_MIN_FREE_BYTES": int(env.get("CASEAPP_READY_MIN_FREE_BYTES", 1 << 30)),
    }
