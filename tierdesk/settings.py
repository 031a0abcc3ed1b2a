"""tierdesk settings: one module, driven by the environment.

Every value that differs between machines comes from an environment variable, parsed strictly:
a bad value raises ImproperlyConfigured naming the variable (as healthchecks does). Test
overrides live in the test configuration, not here.

    TIERDESK_DATA_DIR   where the SQLite database, the task queue and stored files live
                        (default: ./var next to the project)
    DATABASE_URL        e.g. postgres://user@host:5432/tierdesk (default: SQLite in the data dir)
    REDIS_URL           use Redis for the task queue (default: an embedded SQLite queue)
    SECRET_KEY          required unless DEBUG is on
    DEBUG               true/false (default false)
    ALLOWED_HOSTS       comma-separated (default 127.0.0.1,localhost)
    SITE_URL            the absolute base URL used in e-mails and signing links
    EMAIL_URL           smtp://user:pass@host:port, or console:// (default console)
    DEFAULT_FROM_EMAIL  sender of outgoing mail
    TIERDESK_CURRENCY   ISO code shown on documents (default USD)
    TIERDESK_MSP_NAME, TIERDESK_MSP_ADDRESS, TIERDESK_MSP_PHONE, TIERDESK_MSP_EMAIL,
    TIERDESK_HOTLINE    the MSP as printed on documents (defaults: the demo company)
    TIERDESK_SLA_WARN_FRACTIONS, TIERDESK_VENDOR_WAIT_PAUSES, TIERDESK_MAIL_*, TWILIO_AUTH_TOKEN,
    TIERDESK_RMM_SECRET, TIERDESK_ATTENDANT_NUMBER, TIERDESK_PHONE_REGION, TIERDESK_RMM_*,
    TIERDESK_DIAL_TIMEOUT, TIERDESK_ATTACHMENT_MAX_BYTES — the service desk (see README)
    TIERDESK_MAINTENANCE_HORIZON_DAYS, TIERDESK_EVIDENCE_MAX_BYTES — maintenance (see README)
    TIERDESK_MARGIN_FLOOR_PERCENT  a tier's margin floor when the owner set none (default 25)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("TIERDESK_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CURRENCY = env_str("TIERDESK_CURRENCY", "USD")

# Who the MSP is, as printed on agreements and comparison sheets. The defaults are the demo
# company's; set your own in the environment.
TIERDESK_MSP_NAME = env_str("TIERDESK_MSP_NAME", "Northwind IT Services")
TIERDESK_MSP_ADDRESS = env_str("TIERDESK_MSP_ADDRESS", "200 Harbor Street\nPortland, ME 04101")
TIERDESK_MSP_PHONE = env_str("TIERDESK_MSP_PHONE", "+1 207 555 0100")
TIERDESK_MSP_EMAIL = env_str("TIERDESK_MSP_EMAIL", "support@northwind-it.example")
TIERDESK_HOTLINE = env_str("TIERDESK_HOTLINE", "+1 207 555 0199")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # ships the Swagger UI files for /api/docs
    # tierdesk apps, left to right: an app imports only apps before it.
    "tierdesk.core",
    "tierdesk.catalog",
    "tierdesk.plans",
    "tierdesk.clients",
    "tierdesk.desk",
    "tierdesk.maintenance",
    "tierdesk.billing",
    "tierdesk.insights",
    "tierdesk.documents",
    "tierdesk.portal",
    "tierdesk.api",
    "tierdesk.demo",
    "tierdesk.schedules",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (Bootstrap from XStatic, htmx from django-htmx) served by the app itself,
    # so one process is the whole product.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, CSRF, auth and messages middleware, passed over by /api/ calls with
    # a bearer token only (tierdesk/core/middleware.py says why that is safe).
    "tierdesk.core.middleware.BrowserSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tierdesk.core.middleware.BrowserCsrfViewMiddleware",
    "tierdesk.core.middleware.BrowserAuthenticationMiddleware",
    "tierdesk.core.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tierdesk.core.middleware.PasswordChangeRequiredMiddleware",
    # axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tierdesk.urls"
WSGI_APPLICATION = "tierdesk.wsgi.application"

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
                "tierdesk.core.context_processors.tierdesk",
            ],
        },
    },
]


#: Django's SQLite backend with its placeholder rewrite cached (core/sqlite/base.py).
SQLITE_ENGINE = "tierdesk.core.sqlite"


def _database_config() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "ENGINE": SQLITE_ENGINE,
            "NAME": DATA_DIR / "tierdesk.sqlite3",
            # Kept open between requests, as PostgreSQL's below: a new connection re-reads
            # the schema and re-runs the PRAGMAs, which cost a web worker more CPU than the
            # API's whole ticket opening (bench/bench_api_tickets.py --server).
            "CONN_MAX_AGE": 60,
            # WAL lets the web process read while the worker writes; IMMEDIATE makes a
            # write transaction take its lock at BEGIN, so two writers queue instead of
            # failing with "database is locked" halfway through. The WAL is copied back
            # into the database every 10,000 pages (40 MB) instead of SQLite's 1,000: a
            # page written by many transactions in between (the end of a table or index)
            # is copied once, and the checkpoint's fsync comes ten times less often. That
            # took a third off each ticket's COMMIT (bench/bench_api_tickets.py).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA wal_autocheckpoint=10000;"
                ),
            },
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL: cannot parse {url!r}: {exc}") from None
    if config.get("ENGINE") not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(f"DATABASE_URL: unsupported database {url.split(':')[0]!r}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one user name from one address locks that pair for
# fifteen minutes; a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
# The zone staff pages show times in (stored times are UTC); the demo MSP is in New York.
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _bootstrap_static_dir() -> Path:
    # Bootstrap comes from the XStatic-Bootstrap package, never a CDN or a copy in the repo.
    import xstatic.pkg.bootstrap as xstatic_bootstrap

    return Path(xstatic_bootstrap.BASE_DIR)


STATICFILES_DIRS = [("bootstrap", _bootstrap_static_dir())]


def env_fractions(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    values = env_list(name, [])
    if not values:
        return default
    try:
        fractions = tuple(sorted(float(v) for v in values))
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected numbers like 0.75,0.9") from None
    if not all(0 < f < 1 for f in fractions):
        raise ImproperlyConfigured(f"{name}: each fraction must be between 0 and 1")
    return fractions


# Service desk. Secrets (TWILIO_AUTH_TOKEN, TIERDESK_RMM_SECRET) have no default: without
# them the voice and monitoring webhooks refuse every request.
TIERDESK_SLA_WARN_FRACTIONS = env_fractions("TIERDESK_SLA_WARN_FRACTIONS", (0.75, 0.9))
TIERDESK_VENDOR_WAIT_PAUSES = env_bool("TIERDESK_VENDOR_WAIT_PAUSES", False)
TIERDESK_MAIL_DOMAINS = env_list("TIERDESK_MAIL_DOMAINS", [])
TIERDESK_MAIL_HOSTNAME = env_str("TIERDESK_MAIL_HOSTNAME", "")
TIERDESK_MAIL_MAX_MESSAGE_BYTES = env_int("TIERDESK_MAIL_MAX_MESSAGE_BYTES", 50 * 1024 * 1024)
TIERDESK_ATTACHMENT_MAX_BYTES = env_int("TIERDESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Maintenance: how far ahead work orders are generated (1..366 days), evidence file size.
TIERDESK_MAINTENANCE_HORIZON_DAYS = env_int("TIERDESK_MAINTENANCE_HORIZON_DAYS", 30)
if not 1 <= TIERDESK_MAINTENANCE_HORIZON_DAYS <= 366:
    raise ImproperlyConfigured("TIERDESK_MAINTENANCE_HORIZON_DAYS: must be between 1 and 366")
TIERDESK_EVIDENCE_MAX_BYTES = env_int("TIERDESK_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
TIERDESK_MAIL_LOOP_LIMIT = env_int("TIERDESK_MAIL_LOOP_LIMIT", 20)
TIERDESK_MAIL_LOOP_MINUTES = env_int("TIERDESK_MAIL_LOOP_MINUTES", 10)
# Outgoing ticket mail is queued in batches, at most this long after it is written (0: one
# task per message at once). See desk/notify.py.
TIERDESK_MAIL_BATCH_MS = env_int("TIERDESK_MAIL_BATCH_MS", 1000)
if not 0 <= TIERDESK_MAIL_BATCH_MS <= 60_000:
    raise ImproperlyConfigured("TIERDESK_MAIL_BATCH_MS: must be between 0 and 60000")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TIERDESK_RMM_SECRET = env_str("TIERDESK_RMM_SECRET", "")
TIERDESK_ATTENDANT_NUMBER = env_str("TIERDESK_ATTENDANT_NUMBER", "+1 207 555 0100")
TIERDESK_PHONE_REGION = env_str("TIERDESK_PHONE_REGION", "US")
TIERDESK_RMM_AUTO_RESOLVE = env_bool("TIERDESK_RMM_AUTO_RESOLVE", True)
TIERDESK_RMM_DEFAULT_SERVICE = env_str("TIERDESK_RMM_DEFAULT_SERVICE", "event-log-monitoring")
TIERDESK_DIAL_TIMEOUT = env_int("TIERDESK_DIAL_TIMEOUT", 25)


def _msp_hours() -> dict:
    # The MSP's own working hours: work outside them is after-hours (billing). A
    # tierdesk.sla calendar as JSON; validated here so a typo stops the start.
    import json

    from tierdesk.sla import Calendar, CalendarError

    raw = env_str("TIERDESK_MSP_HOURS")
    if not raw:
        weekday = [["08:00", "18:00"]]
        return {"tz": "America/New_York", "holiday_country": "US",
                "hours": {d: weekday for d in ("mon", "tue", "wed", "thu", "fri")}}
    try:
        hours = json.loads(raw)
        Calendar.from_dict(hours)
    except (ValueError, CalendarError) as exc:
        raise ImproperlyConfigured(f"TIERDESK_MSP_HOURS: {exc}") from None
    return hours


TIERDESK_MSP_HOURS = _msp_hours()
TIERDESK_INVOICE_PREFIX = env_str("TIERDESK_INVOICE_PREFIX", "INV-")
TIERDESK_INVOICE_DUE_DAYS = env_int("TIERDESK_INVOICE_DUE_DAYS", 30)
# Insights: the trailing margin under which covered-but-costly work warns (0..99 percent),
# for a tier whose owner set no floor of its own (insights.MarginFloor).
TIERDESK_MARGIN_FLOOR_PERCENT = env_int("TIERDESK_MARGIN_FLOOR_PERCENT", 25)
if not 0 <= TIERDESK_MARGIN_FLOOR_PERCENT <= 99:
    raise ImproperlyConfigured("TIERDESK_MARGIN_FLOOR_PERCENT: must be between 0 and 99")


def _email_config() -> dict:
    url = env_str("EMAIL_URL", "console://")
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in ("smtp", "smtps", "smtp+tls"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or 25,
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        }
    raise ImproperlyConfigured(f"EMAIL_URL: unsupported scheme {parsed.scheme!r}")


globals().update(_email_config())
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tierdesk <desk@localhost>")


def _huey_config() -> dict:
    # One task queue: embedded (a SQLite file, no server) by default, Redis when REDIS_URL is
    # set. Every periodic schedule is declared in tierdesk/schedules.py.
    redis_url = env_str("REDIS_URL")
    immediate = env_bool("TIERDESK_TASKS_IMMEDIATE", False)
    if redis_url:
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(f"REDIS_URL: expected redis://..., got {redis_url!r}")
        return {
            "huey_class": "huey.RedisHuey",
            "name": "tierdesk",
            "url": redis_url,
            "immediate": immediate,
            "utc": True,
        }
    # huey's SqliteHuey with synchronous=NORMAL, as the SQLite database above runs: no
    # fsync per queued task (tierdesk/core/task_queue.py says what a power loss may cost).
    return {
        "huey_class": "tierdesk.core.task_queue.EmbeddedHuey",
        "name": "tierdesk",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": immediate,
        "utc": True,
    }


HUEY = _huey_config()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # aiosmtpd logs every SMTP command at INFO
        "mail.log": {"level": "WARNING"},
    },
}
