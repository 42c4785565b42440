from unittest import mock

import pytest
from django.db import OperationalError, transaction

from apps.core import db
from apps.core.db import MAX_ATTEMPTS, atomic_with_retry

# The retry loop only runs outside any transaction, so these tests must not be wrapped in one.
pytestmark = pytest.mark.django_db(transaction=True)


class _PgError(Exception):
    def __init__(self, pgcode: str):
        super().__init__(pgcode)
        self.pgcode = pgcode


def _operational_error(pgcode: str) -> OperationalError:
    error = OperationalError(f"pg error {pgcode}")
    error.__cause__ = _PgError(pgcode)
    return error


@pytest.fixture(autouse=True)
def no_sleep():
    with mock.patch.object(db.time, "sleep") as sleep:
        yield sleep


def _failing(times: int, pgcode: str = "40001"):
    calls = []

    @atomic_with_retry
    def unit_of_work():
        calls.append(transaction.get_connection().in_atomic_block)
        if len(calls) <= times:
            raise _operational_error(pgcode)
        return "done"

    return unit_of_work, calls


def test_retries_a_serialization_failure_and_returns_the_result():
    unit_of_work, calls = _failing(times=2)

    assert unit_of_work() == "done"
    assert calls == [True, True, True]  # three attempts, each in its own transaction


def test_retries_a_deadlock():
    unit_of_work, calls = _failing(times=1, pgcode="40P01")

    assert unit_of_work() == "done"
    assert len(calls) == 2


def test_gives_up_after_max_attempts_and_reraises(no_sleep):
    unit_of_work, calls = _failing(times=MAX_ATTEMPTS)

    with pytest.raises(OperationalError, match="40001"):
        unit_of_work()

    assert len(calls) == MAX_ATTEMPTS
    assert no_sleep.call_count == MAX_ATTEMPTS - 1


def test_does_not_retry_other_operational_errors():
    unit_of_work, calls = _failing(times=1, pgcode="53300")  # too_many_connections

    with pytest.raises(OperationalError):
        unit_of_work()

    assert len(calls) == 1


def test_does_not_retry_inside_an_outer_transaction():
    unit_of_work, calls = _failing(times=1)

    with pytest.raises(OperationalError), transaction.atomic():
        unit_of_work()

    assert len(calls) == 1


def test_a_failed_attempt_is_rolled_back_before_the_retry():
    from apps.core.models import DocumentSequence

    attempts = []

    @atomic_with_retry
    def allocate():
        attempts.append(1)
        DocumentSequence.objects.create(prefix="T", day="2026-11-24", last_value=len(attempts))
        if len(attempts) == 1:
            raise _operational_error("40001")

    allocate()

    assert list(DocumentSequence.objects.values_list("last_value", flat=True)) == [2]
