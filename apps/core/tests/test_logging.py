import os
import secrets
import subprocess
import sys

from django.conf import settings

LOG_ONE_WARNING = (
    "import django, logging; django.setup(); "
    "logging.getLogger('django.request').warning('Forbidden (Permission denied): /x/')"
)


def _run(code: str, **extra_env: str) -> subprocess.CompletedProcess:
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "sqlite:///:memory:",
        **extra_env,
    }
    return subprocess.run(  # noqa: S603  (runs this module's own constant snippets)
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


def test_log_level_is_accepted_in_lower_case():
    # gunicorn's own setting is lower case ("info"); the same variable must not stop Django booting.
    result = _run(LOG_ONE_WARNING, LOG_LEVEL="info")

    assert result.returncode == 0, result.stderr


def test_a_log_line_is_written_once():
    result = _run(LOG_ONE_WARNING, LOG_LEVEL="info", DEBUG="1")

    assert result.stderr.count("Forbidden (Permission denied): /x/") == 1, result.stderr


def test_the_level_filters_lower_records():
    result = _run(LOG_ONE_WARNING, LOG_LEVEL="error")

    assert "Forbidden" not in result.stderr
