"""Transaction helpers shared by the services."""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, connections, router, transaction
from django.db.models import sql

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_ATTEMPTS = 5
# PostgreSQL SQLSTATEs that mean "nothing was written, run the transaction again".
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


# ... and the ones that mean "someone else holds what this needs": answered "busy, try again".
BUSY_SQLSTATES = {*RETRYABLE_SQLSTATES, "55P03"}  # lock_not_available (lock_timeout, NOWAIT)
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")


def _sqlstate(error: OperationalError) -> str | None:
    cause = error.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def _is_retryable(error: OperationalError) -> bool:
    if _sqlstate(error) in RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def is_busy_error(error: BaseException) -> bool:
    """Whether ``error`` means the database was busy (deadlock, serialization failure, lock timeout,
    SQLite's "database is locked"): nothing was written and the same request may succeed later."""
    if not isinstance(error, OperationalError):
        return False
    return _sqlstate(error) in BUSY_SQLSTATES or any(text in str(error) for text in SQLITE_BUSY_MESSAGES)


def atomic_with_retry(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in a transaction; re-run it on a deadlock or serialization failure.

    Only the outermost call retries: inside an enclosing transaction the error propagates so
    the owner of that transaction can retry the whole unit of work. Gives up after
    ``MAX_ATTEMPTS`` and re-raises the last error.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                if attempt == MAX_ATTEMPTS or not _is_retryable(error):
                    raise
                logger.info("retrying %s after %s (attempt %d)", func.__qualname__, error, attempt)
                time.sleep(random.uniform(0.005, 0.02) * attempt)  # noqa: S311  (jitter, not crypto)
        raise AssertionError("unreachable")

    return wrapper


def compiled_inserts(model, objs) -> list[tuple[str, tuple]]:
    """The INSERT statements that ``bulk_create(objs)`` would run, compiled now.

    Compiling is Python work (each value through its field's ``get_db_prep_save``) and takes
    most of a large ``bulk_create``: compiled before the write transaction, the transaction
    only executes them (``execute_statements``), so on SQLite other users wait seconds less.
    For new records without a primary key; their ids are not set on ``objs``.
    """
    if not objs:
        return []
    target = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and field is not opts.auto_field]
    model._default_manager.using(target.alias)._prepare_for_bulk_create(objs)  # as bulk_create does
    size = max(target.ops.bulk_batch_size(fields, objs), 1)
    statements = []
    for start in range(0, len(objs), size):
        query = sql.InsertQuery(model)
        query.insert_values(fields, objs[start : start + size])
        statements.extend(query.get_compiler(connection=target).as_sql())
    return statements


def execute_statements(statements: list[tuple[str, tuple]]) -> int:
    """Run ``statements`` in order; return the number of rows they wrote."""
    written = 0
    with connection.cursor() as cursor:
        for statement, params in statements:
            cursor.execute(statement, params)
            written += max(cursor.rowcount, 0)
    return written
