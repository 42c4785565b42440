"""gunicorn settings, every one from the environment (``gunicorn -c config/gunicorn.py``).

GUNICORN_BIND       address to listen on (default 0.0.0.0:8000)
WEB_CONCURRENCY     worker processes (default 2 x CPUs + 1)
GUNICORN_THREADS    threads per worker (default 2)
GUNICORN_TIMEOUT    seconds before a silent worker is restarted (default 60)
GUNICORN_MAX_REQUESTS  recycle a worker after this many requests (default 2000, 0 = never)
LOG_LEVEL           gunicorn's log level (default info)
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm"  # noqa: S108  (gunicorn heartbeat files, kept off the overlay disk)
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def _drop_server_header() -> None:
    """Send no ``Server`` header: gunicorn has no setting for it, so its default headers are filtered.

    Runs when gunicorn reads this file, in the master before the workers fork.
    """
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "drops_server", False):
        return

    def without_server(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    without_server.drops_server = True
    wsgi.Response.default_headers = without_server


_drop_server_header()
