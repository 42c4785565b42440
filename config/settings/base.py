"""Settings shared by every environment.

Production-safe by default and driven by environment variables (see ``.env.example``).
``dev`` and ``test`` relax what they must; ``prod`` adds the HTTPS hardening.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_htmx",
    "import_export",
    "axes",  # login throttling per user and per address
    "csp",  # Content-Security-Policy header
    "django_tasks",
    "django_tasks_db",
    "apps.core",
    "apps.accounts",
    "apps.masterdata",
    "apps.inventory",
    "apps.procurement",
    "apps.sales",
    "apps.planning",
    "apps.analytics",
    "apps.jobs",
    "apps.imports",
    "apps.notifications",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.core.middleware.InputHygieneMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.BusyDatabaseMiddleware",  # 503 "busy, try again" instead of 500 on a lock
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
                "apps.core.context_processors.price_visibility",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the embedded default. WAL lets readers run beside the single writer, and
# IMMEDIATE transactions take the write lock at BEGIN so concurrent writers queue for it
# instead of failing with "database is locked" when a read lock is upgraded mid-transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
    ),
}

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Services own their transactions, so views, imports, commands and tests behave alike.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name, or
# from one address, sign-in is refused for AXES_COOLOFF_TIME; an administrator unlocks at once by
# deleting the access attempts in the admin ("Access attempts"). Behind a proxy set
# AXES_IPWARE_META_PRECEDENCE_ORDER=HTTP_X_FORWARDED_FOR so each client counts on its own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per user and per address
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start; lockouts are still logged
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Uploaded spreadsheets are read in memory and validated; anything larger is refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = 5 * 1024 * 1024
# The data import page (apps.imports): checked while streaming, before parsing (see apps/imports/reader.py).
IMPORT_UPLOAD_MAX_SIZE = 20 * 1024 * 1024
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = 60
IMPORT_MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all parts of an .xlsx together
IMPORT_MAX_SHARED_STRINGS = 32 * 1024 * 1024  # the text table openpyxl holds in memory
IMPORT_PREVIEW_HOURS = 24  # checked files not imported by then are deleted
EXPORT_INLINE_MAX_ROWS = 5000  # larger exports run as background jobs with a download link

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: scripts only from our own static files, never inline (behaviour is
# wired in static/js from data attributes, data reaches scripts through json_script). Inline
# style attributes stay allowed: templates and htmx's indicator styles use them, and CSS cannot
# run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

MESSAGE_TAGS = {40: "danger"}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Database sessions work with any number of app servers; cached_db needs a shared CACHE_URL.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()  # "info" works as well as "INFO" (gunicorn takes either)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's default config gives "django" a console handler of its own; with the root handler
    # above every line (and every 403 traceback) was written twice. One handler, at the root.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}

# Background jobs: Django's Tasks API (the django-tasks backport) with the database backend, so
# the embedded default needs no extra service; run workers with `manage.py jobs_worker`
# (docs/adr/0008-job-queue.md, README "Workers").
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# A running job's worker touches it this often; a job silent for 3× this (30 s at least) is
# taken as lost (its worker died) and enqueued again.
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=10)
# Periodic jobs each worker starts when due (kind → seconds between runs; 0 turns one off): the alert
# sweep (low stock, late purchase orders, overdue receivables) and the monthly stock snapshots.
JOBS_PERIODIC = {
    "notifications.sweep": env.int("ALERT_SWEEP_SECONDS", default=300),
    "inventory.stock_snapshots": env.int("STOCK_SNAPSHOT_SECONDS", default=3600),
}
JOBS_SELFCHECK_PAUSE = 0.2  # seconds between the self-check job's steps (Background jobs page)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

PAGINATE_BY = 25

FORM_RENDERER = "apps.core.forms_renderer.BootstrapFormRenderer"

# The as-of-date report's covering index (INCLUDE columns) exists on PostgreSQL; SQLite builds the
# same index without the extra columns, which is correct, only slower.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Every filter's empty choice reads "All" (全部), not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
# Notifications (apps/notifications): also e-mail them (to users who opt in) through the EMAIL_* settings.
NOTIFICATIONS_EMAIL = env.bool("NOTIFICATIONS_EMAIL", default=False)
