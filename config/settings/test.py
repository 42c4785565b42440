"""Test runs: the same as dev, with fast password hashing and plain static storage."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")

from .base import *  # noqa: F403  (settings modules layer by star import)

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# Serve static files from the finders (no collectstatic before tests; the e2e browser needs them).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Jobs run inside enqueue() in tests; one test starts a real worker on the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
JOBS_HEARTBEAT_SECONDS = 0
JOBS_SELFCHECK_PAUSE = 0
