import datetime

import pytest

from apps.core.services import document_number_next

pytestmark = pytest.mark.django_db


def test_numbers_follow_a_daily_sequence_per_prefix():
    day = datetime.date(2026, 11, 24)

    numbers = [document_number_next(prefix="CGDD", day=day) for _ in range(3)]

    assert numbers == ["CGDD20261124-0001", "CGDD20261124-0002", "CGDD20261124-0003"]


def test_each_prefix_and_day_starts_at_one():
    document_number_next(prefix="CGDD", day=datetime.date(2026, 11, 24))

    assert document_number_next(prefix="XSDD", day=datetime.date(2026, 11, 24)) == "XSDD20261124-0001"
    assert document_number_next(prefix="CGDD", day=datetime.date(2026, 11, 25)) == "CGDD20261125-0001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_are_distinct_and_consecutive():
    import threading

    from django.db import connection, transaction

    day = datetime.date(2026, 11, 24)
    threads_count, per_thread = 8, 50
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads_count)

    def worker():
        try:
            start.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    number = document_number_next(prefix="CGDD", day=day)
                with lock:
                    results.append(number)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [f"CGDD20261124-{n:04d}" for n in range(1, threads_count * per_thread + 1)]
