"""A sandbox for tests that run real worker processes against a real database file.

The test database of pytest-django lives in memory (SQLite) or inside the test's transaction,
where another process cannot see it; these tests use a migrated SQLite file of their own (or,
with ``SANDBOX_DATABASE_URL``, a PostgreSQL database) and drive ``manage.py`` in subprocesses.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


class Sandbox:
    def __init__(self, directory: Path, database: Path) -> None:
        self.directory = directory
        self.database = database
        self.media = directory / "media"
        self.media.mkdir(exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "SECRET_KEY": "sandbox-secret",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MEDIA_ROOT": str(self.media),
            "JOBS_HEARTBEAT_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            "LANGUAGE_CODE": "en",
        }

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  (our own manage.py)
            [sys.executable, MANAGE, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=True
        )

    def shell(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` in ``manage.py shell`` and return what it printed."""
        return self.manage("shell", "--no-imports", "-c", code, timeout=timeout).stdout.strip()

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, MANAGE, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )


def migrated_database(directory: Path) -> Path:
    """A freshly migrated SQLite file in ``directory`` (about 20 s: build it once per session)."""
    database = directory / "template.sqlite3"
    Sandbox(directory, database).manage("migrate", "--noinput", "-v0", timeout=300)
    return database


def sandbox_from(template: Path, directory: Path) -> Sandbox:
    database = directory / "db.sqlite3"
    shutil.copyfile(template, database)
    return Sandbox(directory, database)
