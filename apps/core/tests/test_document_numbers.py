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
