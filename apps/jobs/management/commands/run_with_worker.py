"""``make run``: the development server and one job worker, started and stopped together.

Ctrl-C (or SIGTERM) stops both; when either exits, the other is stopped too.
"""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development server and a background-job worker together (Ctrl-C stops both)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        manage = [sys.executable, sys.argv[0]]
        worker = subprocess.Popen([*manage, "jobs_worker"])  # noqa: S603  (our own manage.py)
        server = subprocess.Popen([*manage, "runserver", addrport])  # noqa: S603
        processes = (server, worker)
        stopping: list[float] = []

        def stop(signum, frame) -> None:
            # Ctrl-C reaches the children too (same process group); give them a moment first.
            stopping.append(time.monotonic())

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while all(process.poll() is None for process in processes) and not stopping:
            time.sleep(0.3)
        deadline = time.monotonic() + 2
        while any(process.poll() is None for process in processes) and time.monotonic() < deadline:
            time.sleep(0.1)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
