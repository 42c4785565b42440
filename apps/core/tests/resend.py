"""Helpers for "a re-sent form changes nothing" tests: the same request twice, in turn or at once."""

import threading
import uuid

from django.db import connection
from django.test import Client


def management_form(prefix: str, total: int, initial: int = 0) -> dict:
    """The management fields of formset ``prefix`` with ``total`` rows, ``initial`` of them existing."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def with_token(data: dict) -> dict:
    """``data`` plus a fresh one-time form token, as the create page renders it."""
    return {**data, "form_token": str(uuid.uuid4())}


def post_concurrently(user, url: str, data: dict, times: int = 2) -> list[int]:
    """POST ``data`` to ``url`` from ``times`` threads released together; their status codes."""
    barrier = threading.Barrier(times)
    codes: list[int] = []

    def send():
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            codes.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes
