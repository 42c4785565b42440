"""What a running handler sees: progress reporting, an output file, the job's user."""

import time
from collections.abc import Iterable, Iterator, Sized
from typing import IO, Any, TypeVar

from django.core.files import File
from django.db import connection
from django.utils import timezone

from apps.jobs.models import Job

T = TypeVar("T")


class JobError(Exception):
    """A failure to show as it is to the person who started the job (already translated)."""


class JobContext:
    """Handed to a job handler as its first argument.

    ``progress()`` writes at most every ``interval`` seconds and never inside a transaction (a
    write there would hold the SQLite lock and be invisible to the page until the commit), so
    call it freely while reading and validating, and not inside the final write.
    """

    interval = 0.5

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_write = 0.0
        self._depth = len(connection.atomic_blocks)  # tests run jobs inside their own transaction

    @property
    def id(self):
        return self.job.pk

    @property
    def user(self):
        return self.job.user

    @property
    def attempt(self) -> int:
        return self.job.attempts

    def progress(self, done: int, total: int | None = None, message: str | None = None, *, force: bool = False):
        """Record ``done`` of ``total`` units (and the current step) for the job page."""
        job = self.job
        job.progress_done = max(0, int(done))
        if total is not None:
            job.progress_total = max(0, int(total))
        if message is not None:
            job.message = str(message)[:255]
        now = time.monotonic()
        if len(connection.atomic_blocks) > self._depth or (not force and now - self._last_write < self.interval):
            return
        self._last_write = now
        Job.objects.filter(pk=job.pk).update(
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            message=job.message,
            heartbeat_at=timezone.now(),
        )

    def track(self, items: Iterable[T], *, total: int | None = None, message: str | None = None) -> Iterator[T]:
        """Yield ``items``, reporting progress as they go."""
        if total is None and isinstance(items, Sized):
            total = len(items)
        self.progress(0, total, message, force=True)
        done = 0
        for item in items:
            yield item
            done += 1
            self.progress(done)
        self.progress(done, force=True)

    def save_file(self, name: str, content: IO[bytes]) -> None:
        """Attach ``content`` as the job's download, offered to the user as ``name``."""
        if self.job.file:
            self.job.file.delete(save=False)
        self.job.file.save(name, File(content), save=False)
        self.job.file_name = name
        Job.objects.filter(pk=self.job.pk).update(file=self.job.file.name, file_name=name)

    def set_result(self, **values: Any) -> None:
        """Merge JSON values into the job's result before it finishes (visible on the page)."""
        self.job.result = {**self.job.result, **values}
        Job.objects.filter(pk=self.job.pk).update(result=self.job.result)
