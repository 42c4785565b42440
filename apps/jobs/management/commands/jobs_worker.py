"""Run a background-job worker: django-tasks-db's ``db_worker`` plus the lost-job sweeper.

Start as many as the machine's cores allow (see the README, "Workers"); each claims one job at a
time with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) or an exclusive transaction (SQLite).
Every worker also re-enqueues, every ``JOBS_HEARTBEAT_SECONDS``, the jobs whose worker died, and
starts the periodic jobs of ``JOBS_PERIODIC`` that are due (the alert sweep, the monthly stock
snapshots): each interval's job is inserted once, by whichever worker comes first.
"""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from apps.jobs.services import job_requeue_stale, jobs_start_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run a background-job worker (db_worker plus the sweeper that restarts jobs of dead workers)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues to serve, comma separated (default: all)")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="Run the waiting jobs, then exit")
        parser.add_argument("--worker-id", default=None, help="Unique id of this worker (default: random)")

    def handle(self, *args, queue_name: str, interval: float, batch: bool, worker_id: str | None, **options):
        self.start_due()  # before the first poll, so that a --batch run serves them too
        stop = threading.Event()
        sweeper = threading.Thread(target=self.sweep, args=(stop,), daemon=True, name="jobs-sweeper")
        sweeper.start()
        worker_options = {"queue_name": queue_name, "interval": interval, "batch": batch, "reload": False}
        if worker_id:
            worker_options["worker_id"] = worker_id
        try:
            call_command("db_worker", verbosity=options["verbosity"], **worker_options)
        finally:
            stop.set()

    def sweep(self, stop: threading.Event) -> None:
        period = max(float(getattr(settings, "JOBS_HEARTBEAT_SECONDS", 10)), 1.0)
        try:
            while True:
                try:
                    requeued = job_requeue_stale()
                    if requeued:
                        logger.warning("re-enqueued %d job(s) of a stopped worker", requeued)
                except Exception:  # a sweep must never stop the worker; the next one retries
                    logger.exception("job sweep failed")
                if stop.wait(period):
                    return
                self.start_due()
        finally:
            connection.close()

    def start_due(self) -> None:
        try:
            for job in jobs_start_due():
                logger.info("started periodic job %s (%s)", job.pk, job.kind)
        except Exception:  # a failed start is retried at the next tick; the worker goes on
            logger.exception("starting periodic jobs failed")
